'use client';
import { Badge } from '@/components/ui/badge';
import { Checkbox } from '@/components/ui/checkbox';
import { Label } from '@/components/ui/label';
import { DEFAULT_WEIGHT, type FormValues } from './presets';
import { SliderField } from './slider-field';

const MAX_ADAPTERS = 5;

export interface AdapterEntry {
  id: string;
  name: string;
  kind: 'LORA' | 'SPECTRAL_SHIFT';
  source: 'UPLOADED' | 'TRAINED' | 'EDIT';
}

const KIND_NAMES = { LORA: 'LoRA', SPECTRAL_SHIFT: 'SVDiff' } as const;

type LoraValue = NonNullable<FormValues['loras']>[number];

/** The user's adapters, each with a checkbox and, once picked, its weight. */
export function AdapterList({
  adapters,
  loras,
  set,
}: {
  adapters: AdapterEntry[];
  loras: LoraValue[];
  set: (next: LoraValue[]) => void;
}) {
  return (
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
  );
}
