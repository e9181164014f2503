'use client';
import { Plus, ScanLine } from 'lucide-react';
import dynamic from 'next/dynamic';
import { useWatch } from 'react-hook-form';
import { LibraryPicker } from '@/components/library-picker';
import { Button } from '@/components/ui/button';
import { Skeleton } from '@/components/ui/skeleton';
import type { MapKind } from './control-card';
import type { Family } from './families';
import { Section, type GenerateFormApi } from './fields';
import { newControl, type ControlValue } from './presets';
import type { LibraryEntry } from './thumb';

const MAX_CONTROLS = 3;

export type { MapKind } from './control-card';

// A control's settings and live map preview load when the first control is added.
const ControlCard = dynamic(() => import('./control-card').then((m) => m.ControlCard), {
  ssr: false,
  loading: () => <Skeleton className="h-96 rounded-lg" />,
});

export function ControlSection({
  form,
  library,
  maps,
  baseFamily,
  xAdapterOn,
}: {
  form: GenerateFormApi;
  library: Map<string, LibraryEntry>;
  maps: MapKind[];
  baseFamily: Family;
  xAdapterOn: boolean;
}) {
  const controls = useWatch({ control: form.control, name: 'controls' }) ?? [];
  const set = (next: ControlValue[]) =>
    form.setValue('controls', next, {
      shouldDirty: true,
      shouldValidate: form.formState.isSubmitted,
    });
  const mapAvailable = (kind: string) =>
    maps.length === 0 ? kind === 'canny' : maps.some((m) => m.kind === kind && m.available);

  const picker = (
    <LibraryPicker
      title="Choose a control image"
      description="A photo to take the layout from, or a ready map (edges, depth, pose…)."
      max={1}
      onPick={([img]) => img && set([...controls, newControl(img.id, mapAvailable)])}
      trigger={
        <Button
          type="button"
          variant="outline"
          size="sm"
          disabled={controls.length >= MAX_CONTROLS}
        >
          <Plus aria-hidden="true" />
          Add control image
        </Button>
      }
    />
  );

  return (
    <Section
      title="Structure"
      method="ControlNet · T2I-Adapter"
      description="Keep the layout, pose, edges or depth of a picture. You see the map before you spend anything."
      action={controls.length > 0 ? picker : undefined}
    >
      {controls.length === 0 ? (
        <div className="flex flex-col items-center gap-3 rounded-lg border border-dashed p-5 text-center sm:flex-row sm:text-left">
          <ScanLine className="size-8 shrink-0 text-muted-foreground" aria-hidden="true" />
          <p className="flex-1 text-sm text-muted-foreground">
            No structure. Add a photo to keep its layout, or a sketch to follow.
          </p>
          {picker}
        </div>
      ) : (
        <>
          <ul className="grid gap-3">
            {controls.map((c, i) => (
              <ControlCard
                key={`${c.imageId}-${i}`}
                index={i}
                control={c}
                entry={library.get(c.imageId)}
                maps={maps}
                onChange={(next) => set(controls.map((x, j) => (j === i ? next : x)))}
                onRemove={() => set(controls.filter((_, j) => j !== i))}
                baseFamily={baseFamily}
                xAdapterOn={xAdapterOn}
              />
            ))}
          </ul>
          {form.formState.errors.controls && (
            <p role="alert" className="text-sm text-destructive">
              Each control must start before it ends.
            </p>
          )}
        </>
      )}
    </Section>
  );
}
