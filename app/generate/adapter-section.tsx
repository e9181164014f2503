'use client';
import { Boxes } from 'lucide-react';
import Link from 'next/link';
import dynamic from 'next/dynamic';
import { useWatch } from 'react-hook-form';
import { Button } from '@/components/ui/button';
import { Skeleton } from '@/components/ui/skeleton';
import type { AdapterEntry } from './adapter-list';
import { familyOf, routeFor, type Family, type ModelsInfo, type Route } from './families';
import { Section, type GenerateFormApi } from './fields';

// The list (checkboxes, weight sliders) loads once there are adapters to list; until then the
// same skeleton as while the list is fetched.
const AdapterList = dynamic(() => import('./adapter-list').then((m) => m.AdapterList), {
  ssr: false,
  loading: () => (
    <div className="grid gap-2">
      <Skeleton className="h-10" />
      <Skeleton className="h-10" />
    </div>
  ),
});

export type { AdapterEntry } from './adapter-list';

export function AdapterSection({
  form,
  adapters,
  failed,
  retry,
  models,
}: {
  form: GenerateFormApi;
  adapters: AdapterEntry[] | undefined;
  failed: boolean;
  retry: () => void;
  models: ModelsInfo | undefined;
}) {
  const loras = useWatch({ control: form.control, name: 'loras' }) ?? [];
  const baseModel = useWatch({ control: form.control, name: 'baseModel' });
  const set = (next: typeof loras) => form.setValue('loras', next, { shouldDirty: true });
  const known = new Set((adapters ?? []).map((a) => a.id));
  // A remixed job may name an adapter deleted since: shown so it can be removed, never silently kept.
  const missing = loras.filter((l) => adapters && !known.has(l.adapterId));
  const baseFamily = familyOf(models, baseModel);
  const families = new Map<string, Family>();
  const routes = new Map<string, Route>();
  for (const a of adapters ?? []) {
    const f = a.family ?? familyOf(models, a.baseModel);
    families.set(a.id, f);
    routes.set(a.id, routeFor(f, baseFamily, Boolean(models?.xAdapter.available)));
  }
  // Picked, then the base model changed (or a remix): said, with the way out, before paying.
  const refused = loras.filter((l) => routes.get(l.adapterId) === 'refused');

  return (
    <Section
      title="Your adapters"
      method="LoRA · SVDiff"
      description="Mix in your own subjects and styles. Up to 5; a negative weight steers away."
    >
      {failed ? (
        <div role="alert" className="flex flex-wrap items-center gap-2 text-sm">
          <span className="text-destructive">Could not load your adapters.</span>
          <Button type="button" variant="outline" size="sm" onClick={retry}>
            Try again
          </Button>
        </div>
      ) : adapters === undefined ? (
        <div className="grid gap-2">
          <Skeleton className="h-10" />
          <Skeleton className="h-10" />
        </div>
      ) : adapters.length === 0 ? (
        <div className="flex flex-col items-center gap-3 rounded-lg border border-dashed p-5 text-center sm:flex-row sm:text-left">
          <Boxes className="size-8 shrink-0 text-muted-foreground" aria-hidden="true" />
          <p className="flex-1 text-sm text-muted-foreground">
            No adapters yet. Train one on a few photos of your dog, your face or your style, or
            bring a LoRA file.
          </p>
          <Button asChild variant="outline" size="sm">
            <Link href="/adapters">Make an adapter</Link>
          </Button>
        </div>
      ) : (
        <AdapterList
          adapters={adapters}
          loras={loras}
          set={set}
          routes={routes}
          families={families}
          baseFamily={baseFamily}
        />
      )}
      {refused.length > 0 && (
        <div role="alert" className="flex flex-wrap items-center gap-2 text-sm text-destructive">
          {refused.length === 1 ? 'A picked adapter' : `${refused.length} picked adapters`} cannot
          be used with this base model.
          <Button
            type="button"
            variant="outline"
            size="sm"
            onClick={() => set(loras.filter((l) => routes.get(l.adapterId) !== 'refused'))}
          >
            Remove from this generation
          </Button>
        </div>
      )}
      {missing.length > 0 && (
        <div role="alert" className="flex flex-wrap items-center gap-2 text-sm text-destructive">
          {missing.length === 1 ? 'An adapter' : `${missing.length} adapters`} of the original job
          no longer exist.
          <Button
            type="button"
            variant="outline"
            size="sm"
            onClick={() => set(loras.filter((l) => known.has(l.adapterId)))}
          >
            Remove from this generation
          </Button>
        </div>
      )}
    </Section>
  );
}
