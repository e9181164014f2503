'use client';
// The base-model picker: which model paints, and — before anything is paid — what each of the
// person's adapters and each kind of structure model does on it: runs directly, goes through
// X-Adapter, or cannot be used.
import { useWatch } from 'react-hook-form';
import { Label } from '@/components/ui/label';
import { RadioGroup, RadioGroupTile } from '@/components/ui/radio-group';
import { Skeleton } from '@/components/ui/skeleton';
import type { AdapterEntry } from './adapter-list';
import {
  familyOf,
  FAMILY_NAMES,
  NATIVE_SIZE,
  refusalReason,
  routeFor,
  X_ADAPTER_EXPLANATION,
  type Family,
  type ModelsInfo,
  type Route,
} from './families';
import { Section, type GenerateFormApi } from './fields';
import { sizeForFamily } from './presets';
import { RouteBadge } from './route-badge';

/** An adapter's family: recorded on the row; older rows by their base model's family. */
export function adapterFamily(a: AdapterEntry, models: ModelsInfo | undefined): Family {
  return a.family ?? familyOf(models, a.baseModel);
}

/**
 * Picks base model `name`. When its family differs from the current one the size follows (the
 * same shape at the new family's own size: SDXL 1024², SD 1.5 512²), and on SD 1.5 the controls
 * lose their family choice (there every control is SD 1.5).
 */
export function chooseBaseModel(
  form: GenerateFormApi,
  models: ModelsInfo | undefined,
  name: string,
) {
  const from = familyOf(models, form.getValues('baseModel'));
  const to = familyOf(models, name);
  form.setValue('baseModel', name, { shouldDirty: true });
  if (to === from) return;
  const size = sizeForFamily(
    form.getValues('width') ?? NATIVE_SIZE.sd15,
    form.getValues('height') ?? NATIVE_SIZE.sd15,
    from,
    to,
  );
  form.setValue('width', size.width, { shouldDirty: true });
  form.setValue('height', size.height, { shouldDirty: true });
  const controls = form.getValues('controls') ?? [];
  if (to === 'sd15' && controls.some((c) => c.family !== undefined)) {
    form.setValue(
      'controls',
      controls.map(({ family: _f, ...c }) => c),
      { shouldDirty: true },
    );
  }
}

function Row({
  name,
  detail,
  route,
  why,
}: {
  name: string;
  detail: string;
  route: Route;
  why: string | null;
}) {
  return (
    <li className="grid gap-1 py-2 sm:grid-cols-[minmax(0,1fr)_auto] sm:items-center sm:gap-x-3">
      <span className="min-w-0 text-sm">
        <span className="font-medium break-words">{name}</span>{' '}
        <span className="text-muted-foreground">· {detail}</span>
      </span>
      <RouteBadge route={route} />
      {why && <span className="text-xs text-muted-foreground sm:col-span-2">{why}</span>}
    </li>
  );
}

export function ModelSection({
  form,
  models,
  failed,
  adapters,
}: {
  form: GenerateFormApi;
  models: ModelsInfo | undefined;
  failed: boolean;
  adapters: AdapterEntry[] | undefined;
}) {
  const baseModel = useWatch({ control: form.control, name: 'baseModel' });
  const list = models?.baseModels ?? [];
  const chosen = baseModel ?? list[0]?.name;
  const family = familyOf(models, chosen);
  const xOn = Boolean(models?.xAdapter.available);

  const choose = (name: string) => chooseBaseModel(form, models, name);

  const rows: { key: string; name: string; detail: string; route: Route; why: string | null }[] =
    [];
  for (const a of adapters ?? []) {
    const f = adapterFamily(a, models);
    const route = routeFor(f, family, xOn);
    rows.push({
      key: a.id,
      name: a.name,
      detail: `your ${a.kind === 'LORA' ? 'LoRA' : 'SVDiff'} for ${FAMILY_NAMES[f]}`,
      route,
      why:
        route === 'x_adapter'
          ? X_ADAPTER_EXPLANATION
          : route === 'refused'
            ? refusalReason(f, family)
            : null,
    });
  }
  for (const f of family === 'sdxl' ? (['sdxl', 'sd15'] as const) : (['sd15'] as const)) {
    const route = routeFor(f, family, xOn);
    rows.push({
      key: `structure-${f}`,
      name: `${FAMILY_NAMES[f]} ControlNet and T2I-Adapter`,
      detail: 'structure',
      route,
      why:
        route === 'x_adapter'
          ? X_ADAPTER_EXPLANATION
          : route === 'refused'
            ? refusalReason(f, family)
            : null,
    });
  }
  rows.push({
    key: 'ip-adapter',
    name: `${FAMILY_NAMES[family]} IP-Adapter`,
    detail: 'reference images',
    route: 'native',
    why: null,
  });

  return (
    <Section
      title="Base model"
      method="SD 1.5 · SDXL"
      description="The model that paints. Plugins made for another model run through X-Adapter, or cannot be used: see which before you pay."
    >
      {failed ? (
        <p role="alert" className="text-sm text-destructive">
          Could not load the models. The default one is used.
        </p>
      ) : !models ? (
        <Skeleton className="h-16" />
      ) : (
        <div className="grid gap-2">
          <Label id="base-model-label">Model</Label>
          <RadioGroup
            aria-labelledby="base-model-label"
            value={chosen ?? ''}
            onValueChange={choose}
            className="grid grid-cols-[repeat(auto-fit,minmax(9rem,1fr))] gap-2 sm:max-w-xl"
          >
            {list.map((m) => (
              <RadioGroupTile
                key={m.name}
                value={m.name}
                aria-label={`${m.name}, ${FAMILY_NAMES[m.family]}, ${NATIVE_SIZE[m.family]} px native`}
                className="h-16 px-2"
              >
                <span className="max-w-full truncate">{m.name}</span>
                <span className="text-xs font-normal text-muted-foreground">
                  {FAMILY_NAMES[m.family]} · {NATIVE_SIZE[m.family]}²
                </span>
              </RadioGroupTile>
            ))}
          </RadioGroup>
        </div>
      )}
      {models && (
        <div className="grid gap-1">
          <h3 className="text-sm font-semibold">
            What works with {chosen ?? 'this model'} ({FAMILY_NAMES[family]})
          </h3>
          <ul className="divide-y" aria-label={`What works with ${chosen ?? 'this model'}`}>
            {rows.map((r) => (
              <Row key={r.key} name={r.name} detail={r.detail} route={r.route} why={r.why} />
            ))}
          </ul>
        </div>
      )}
    </Section>
  );
}
