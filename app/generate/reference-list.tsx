'use client';
import { X } from 'lucide-react';
import { useWatch } from 'react-hook-form';
import { Button } from '@/components/ui/button';
import { Label } from '@/components/ui/label';
import { RadioGroup, RadioGroupItem } from '@/components/ui/radio-group';
import type { GenerateFormApi } from './fields';
import type { ReferenceValue } from './presets';
import { SliderField } from './slider-field';
import { Thumb, type LibraryEntry } from './thumb';

/** The picked references: each with its weight, and how closely to follow them. */
export function ReferenceList({
  form,
  refs,
  library,
  set,
}: {
  form: GenerateFormApi;
  refs: ReferenceValue[];
  library: Map<string, LibraryEntry>;
  set: (next: ReferenceValue[]) => void;
}) {
  const ipAdapter = useWatch({ control: form.control, name: 'ipAdapter' }) ?? 'base';
  return (
    <>
      <ul className="grid gap-3">
        {refs.map((r, i) => {
          const entry = library.get(r.referenceId);
          return (
            <li key={r.referenceId} className="flex items-center gap-3">
              <Thumb entry={entry} />
              <div className="min-w-0 flex-1">
                <SliderField
                  label={
                    entry
                      ? `Weight of reference ${i + 1}`
                      : `Reference ${i + 1} (not in your library)`
                  }
                  value={r.weight ?? 1}
                  min={0}
                  max={2}
                  step={0.05}
                  onChange={(v) => set(refs.map((x, j) => (j === i ? { ...x, weight: v } : x)))}
                />
              </div>
              <Button
                type="button"
                variant="ghost"
                size="icon-sm"
                onClick={() => set(refs.filter((_, j) => j !== i))}
              >
                <X aria-hidden="true" />
                <span className="sr-only">Remove reference {i + 1}</span>
              </Button>
            </li>
          );
        })}
      </ul>
      <div className="grid gap-2">
        <Label id="ip-adapter-label" className="font-normal">
          How closely to follow them
        </Label>
        <RadioGroup
          aria-labelledby="ip-adapter-label"
          value={ipAdapter}
          onValueChange={(v) =>
            form.setValue('ipAdapter', v as 'base' | 'plus', { shouldDirty: true })
          }
          className="flex flex-wrap gap-4"
        >
          <Label className="font-normal">
            <RadioGroupItem value="base" /> Overall look
          </Label>
          <Label className="font-normal">
            <RadioGroupItem value="plus" /> Fine detail (Plus)
          </Label>
        </RadioGroup>
      </div>
    </>
  );
}
