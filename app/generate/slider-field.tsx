'use client';
// Loaded with the parts of the form that have sliders (picked references, controls, adapters, the
// advanced settings), never with the first paint: Radix Slider stays out of the page's first load.
import { useId, type ReactNode } from 'react';
import { Label } from '@/components/ui/label';
import { Slider } from '@/components/ui/slider';
import { cn } from '@/lib/utils';

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
