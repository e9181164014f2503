'use client';
import { useId, type ReactNode } from 'react';
import type { UseFormReturn } from 'react-hook-form';
import { Label } from '@/components/ui/label';
import { Slider } from '@/components/ui/slider';
import { cn } from '@/lib/utils';
import type { GenerateInput } from '@/server/jobs/schemas';
import type { FormValues } from './presets';

export type GenerateFormApi = UseFormReturn<FormValues, unknown, GenerateInput>;

/** A labelled slider with its value beside the label (the thumb carries the label for AT). */
export function SliderField({
  label,
  value,
  onChange,
  min,
  max,
  step,
  format = (v) => v.toFixed(2),
  hint,
  className,
}: {
  label: string;
  value: number;
  onChange: (v: number) => void;
  min: number;
  max: number;
  step: number;
  format?: (v: number) => string;
  hint?: ReactNode;
  className?: string;
}) {
  const id = useId();
  return (
    <div className={cn('grid gap-2', className)}>
      <div className="flex items-center justify-between gap-2">
        <Label id={`${id}-label`} className="font-normal">
          {label}
        </Label>
        <output aria-hidden="true" className="text-sm font-medium tabular-nums">
          {format(value)}
        </output>
      </div>
      <Slider
        aria-labelledby={`${id}-label`}
        aria-valuetext={format(value)}
        value={[value]}
        min={min}
        max={max}
        step={step}
        onValueChange={([v]) => v !== undefined && onChange(v)}
      />
      {hint && <p className="text-xs text-muted-foreground">{hint}</p>}
    </div>
  );
}

/** A titled block of the form, with an optional badge naming the method behind it. */
export function Section({
  title,
  method,
  description,
  children,
  action,
}: {
  title: string;
  method?: string;
  description: ReactNode;
  children: ReactNode;
  action?: ReactNode;
}) {
  const id = useId();
  return (
    <section
      aria-labelledby={id}
      className="grid gap-4 rounded-xl border bg-card p-4 shadow-xs sm:p-6"
    >
      <div className="flex flex-wrap items-start justify-between gap-3">
        <div className="grid gap-1">
          <h2 id={id} className="flex flex-wrap items-center gap-2 text-base font-semibold">
            {title}
            {method && (
              <span className="rounded-md bg-accent px-1.5 py-0.5 text-xs font-medium text-accent-foreground">
                {method}
              </span>
            )}
          </h2>
          <p className="text-sm text-muted-foreground">{description}</p>
        </div>
        {action}
      </div>
      {children}
    </section>
  );
}
