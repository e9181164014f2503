'use client';
import { ChevronDown, Dices, Settings2 } from 'lucide-react';
import { useState } from 'react';
import { useWatch } from 'react-hook-form';
import { Button } from '@/components/ui/button';
import { Collapsible, CollapsibleContent, CollapsibleTrigger } from '@/components/ui/collapsible';
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
import { cn } from '@/lib/utils';
import { SliderField, type GenerateFormApi } from './fields';
import { SCHEDULER_NAMES, SCHEDULERS } from './presets';

const MAX_SEED = 2 ** 32 - 1;

function randomSeed(): number {
  const a = new Uint32Array(1);
  crypto.getRandomValues(a);
  return a[0]!;
}

/** Steps, guidance, scheduler and seed: folded away, open by default when a remix changed them. */
export function AdvancedSection({
  form,
  defaultOpen,
}: {
  form: GenerateFormApi;
  defaultOpen: boolean;
}) {
  const [open, setOpen] = useState(defaultOpen);
  const steps = useWatch({ control: form.control, name: 'steps' }) ?? 25;
  const guidance = useWatch({ control: form.control, name: 'guidanceScale' }) ?? 7.5;
  const seed = useWatch({ control: form.control, name: 'seed' });
  const errors = form.formState.errors;
  const hasError = Boolean(errors.steps ?? errors.guidanceScale ?? errors.scheduler ?? errors.seed);

  return (
    <Collapsible
      open={open || hasError}
      onOpenChange={setOpen}
      className="rounded-xl border bg-card shadow-xs"
    >
      <CollapsibleTrigger asChild>
        <button
          type="button"
          data-slot="collapsible-button"
          className="flex w-full cursor-pointer items-center gap-3 rounded-xl p-4 text-left sm:px-6"
        >
          <Settings2 className="size-5 text-muted-foreground" aria-hidden="true" />
          <span className="grid flex-1">
            <span className="text-base font-semibold">Advanced settings</span>
            <span className="text-sm text-muted-foreground">
              {steps} steps · guidance {guidance} ·{' '}
              {seed === undefined ? 'random seed' : `seed ${seed}`}
            </span>
          </span>
          <ChevronDown
            className={cn(
              'size-5 text-muted-foreground transition-transform',
              (open || hasError) && 'rotate-180',
            )}
            aria-hidden="true"
          />
        </button>
      </CollapsibleTrigger>
      <CollapsibleContent className="grid gap-5 border-t p-4 sm:grid-cols-2 sm:p-6">
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
                      field.onChange(
                        digits === '' ? undefined : Math.min(Number(digits), MAX_SEED),
                      );
                    }}
                  />
                </FormControl>
                <Button
                  type="button"
                  variant="outline"
                  onClick={() => field.onChange(randomSeed())}
                >
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
      </CollapsibleContent>
    </Collapsible>
  );
}
