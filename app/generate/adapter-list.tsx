'use client';
import { Badge } from '@/components/ui/badge';
import { Checkbox } from '@/components/ui/checkbox';
import { Label } from '@/components/ui/label';
import { FAMILY_NAMES, refusalReason, type Family, type Route } from './families';
import { DEFAULT_WEIGHT, type FormValues } from './presets';
import { RouteBadge } from './route-badge';
import { SliderField } from './slider-field';

const MAX_ADAPTERS = 5;

export interface AdapterEntry {
  id: string;
  name: string;
  kind: 'LORA' | 'SPECTRAL_SHIFT';
  source: 'UPLOADED' | 'TRAINED' | 'EDIT';
  baseModel: string;
  /** SD 1.5 or SDXL, recorded at import (from the file) or training (from its base). */
  family?: Family;
}

const KIND_NAMES = { LORA: 'LoRA', SPECTRAL_SHIFT: 'SVDiff' } as const;

type LoraValue = NonNullable<FormValues['loras']>[number];

/**
 * The user's adapters, each with a checkbox and, once picked, its weight; each says how it runs on
 * the chosen base model (`routes`: directly, through X-Adapter) and one that cannot is not offered.
 */
export function AdapterList({
  adapters,
  loras,
  set,
  routes,
  families,
  baseFamily,
}: {
  adapters: AdapterEntry[];
  loras: LoraValue[];
  set: (next: LoraValue[]) => void;
  routes: Map<string, Route>;
  families: Map<string, Family>;
  baseFamily: Family;
}) {
  return (
    <ul className="grid gap-3">
      {adapters.map((a) => {
        const picked = loras.find((l) => l.adapterId === a.id);
        const id = `adapter-${a.id}`;
        const route = routes.get(a.id) ?? 'native';
        const family = families.get(a.id) ?? 'sd15';
        const whyId = `${id}-why`;
        return (
          <li
            key={a.id}
            className="grid gap-3 rounded-lg border p-3 sm:grid-cols-[minmax(0,1fr)_minmax(0,1.2fr)] sm:items-center"
          >
            <div className="flex min-w-0 flex-wrap items-center gap-x-3 gap-y-1">
              <Checkbox
                id={id}
                checked={Boolean(picked)}
                disabled={!picked && (loras.length >= MAX_ADAPTERS || route === 'refused')}
                aria-describedby={route === 'refused' ? whyId : undefined}
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
              <Badge variant="secondary">
                {KIND_NAMES[a.kind]} · {FAMILY_NAMES[family]}
              </Badge>
              {route !== 'native' && <RouteBadge route={route} />}
            </div>
            {route === 'refused' && (
              <p id={whyId} className="text-xs text-muted-foreground sm:col-span-2">
                {refusalReason(family, baseFamily)}
              </p>
            )}
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
