'use client';
// The advanced settings' fields, loaded when the section first opens (or is about to: hover,
// focus): two sliders, the scheduler and the seed stay out of Generate's first load.
import { Dices } from 'lucide-react';
import { Button } from '@/components/ui/button';
import {
  FormControl,
  FormDescription,
  FormField,
  FormItem,
  FormLabel,
  FormMessage,
} from '@/components/ui/form';
import { Input } from '@/components/ui/input';
import { NativeSelect } from '@/components/ui/native-select';
import type { GenerateFormApi } from './fields';
import { SCHEDULER_NAMES, SCHEDULERS } from './presets';
import { SliderField } from './slider-field';

const MAX_SEED = 2 ** 32 - 1;

function randomSeed(): number {
  const a = new Uint32Array(1);
  crypto.getRandomValues(a);
  return a[0]!;
}

export function AdvancedFields({
  form,
  steps,
  guidance,
}: {
  form: GenerateFormApi;
  steps: number;
  guidance: number;
}) {
  return (
    <>
      <SliderField
        label="Steps"
        value={steps}
        min={1}
        max={100}
        step={1}
        format={(v) => String(v)}
        hint="More steps: more detail, more credits."
        onChange={(v) => form.setValue('steps', v, { shouldDirty: true })}
      />
      <SliderField
        label="Guidance"
        value={guidance}
        min={0}
        max={20}
        step={0.5}
        format={(v) => v.toFixed(1)}
        hint="Higher follows the prompt more literally."
        onChange={(v) => form.setValue('guidanceScale', v, { shouldDirty: true })}
      />
      <FormField
        control={form.control}
        name="scheduler"
        render={({ field }) => (
          <FormItem>
            <FormLabel>Scheduler</FormLabel>
            <FormControl>
              <NativeSelect
                name={field.name}
                ref={field.ref}
                value={field.value}
                onBlur={field.onBlur}
                onChange={(e) => field.onChange(e.target.value)}
              >
                {SCHEDULERS.map((s) => (
                  <option key={s} value={s}>
                    {SCHEDULER_NAMES[s]}
                  </option>
                ))}
              </NativeSelect>
            </FormControl>
            <FormMessage />
          </FormItem>
        )}
      />
      <FormField
        control={form.control}
        name="seed"
        render={({ field }) => (
          <FormItem>
            <FormLabel>Seed</FormLabel>
            <div className="flex gap-2">
              <FormControl>
                <Input
                  inputMode="numeric"
                  autoComplete="off"
                  placeholder="Random"
                  value={field.value === undefined ? '' : String(field.value)}
                  onBlur={field.onBlur}
                  name={field.name}
                  ref={field.ref}
                  onChange={(e) => {
                    const digits = e.target.value.replace(/\D/g, '').slice(0, 10);
                    field.onChange(digits === '' ? undefined : Math.min(Number(digits), MAX_SEED));
                  }}
                />
              </FormControl>
              <Button type="button" variant="outline" onClick={() => field.onChange(randomSeed())}>
                <Dices aria-hidden="true" />
                Randomise
              </Button>
            </div>
            <FormDescription>
              Empty picks a new one each time. The same seed and settings give the same picture.
            </FormDescription>
            <FormMessage />
          </FormItem>
        )}
      />
    </>
  );
}
