'use client';
import { Boxes } from 'lucide-react';
import Link from 'next/link';
import { useWatch } from 'react-hook-form';
import { Badge } from '@/components/ui/badge';
import { Button } from '@/components/ui/button';
import { Checkbox } from '@/components/ui/checkbox';
import { Label } from '@/components/ui/label';
import { Skeleton } from '@/components/ui/skeleton';
import { Section, SliderField, type GenerateFormApi } from './fields';
import { DEFAULT_WEIGHT } from './presets';

const MAX_ADAPTERS = 5;

export interface AdapterEntry {
  id: string;
  name: string;
  kind: 'LORA' | 'SPECTRAL_SHIFT';
  source: 'UPLOADED' | 'TRAINED' | 'EDIT';
}

const KIND_NAMES = { LORA: 'LoRA', SPECTRAL_SHIFT: 'SVDiff' } as const;

export function AdapterSection({
  form,
  adapters,
  failed,
  retry,
}: {
  form: GenerateFormApi;
  adapters: AdapterEntry[] | undefined;
  failed: boolean;
  retry: () => void;
}) {
  const loras = useWatch({ control: form.control, name: 'loras' }) ?? [];
  const set = (next: typeof loras) => form.setValue('loras', next, { shouldDirty: true });
  const known = new Set((adapters ?? []).map((a) => a.id));
  // A remixed job may name an adapter deleted since: shown so it can be removed, never silently kept.
  const missing = loras.filter((l) => adapters && !known.has(l.adapterId));

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
        <ul className="grid gap-3">
          {adapters.map((a) => {
            const picked = loras.find((l) => l.adapterId === a.id);
            const id = `adapter-${a.id}`;
            return (
              <li
                key={a.id}
                className="grid gap-3 rounded-lg border p-3 sm:grid-cols-[minmax(0,1fr)_minmax(0,1.2fr)] sm:items-center"
              >
                <div className="flex min-w-0 items-center gap-3">
                  <Checkbox
                    id={id}
                    checked={Boolean(picked)}
                    disabled={!picked && loras.length >= MAX_ADAPTERS}
                    onCheckedChange={(on) =>
                      set(
                        on
                          ? [...loras, { adapterId: a.id, weight: DEFAULT_WEIGHT }]
                          : loras.filter((l) => l.adapterId !== a.id),
                      )
                    }
                  />
                  <Label htmlFor={id} className="min-w-0 truncate">
                    {a.name}
                  </Label>
                  <Badge variant="secondary">{KIND_NAMES[a.kind]}</Badge>
                </div>
                {picked && (
                  <SliderField
                    label={`Weight of ${a.name}`}
                    value={picked.weight ?? 1}
                    min={-2}
                    max={2}
                    step={0.05}
                    onChange={(v) =>
                      set(loras.map((l) => (l.adapterId === a.id ? { ...l, weight: v } : l)))
                    }
                  />
                )}
              </li>
            );
          })}
        </ul>
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
