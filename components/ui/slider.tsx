'use client';
import { Slider as SliderPrimitive } from 'radix-ui';
import { useMemo, type ComponentProps } from 'react';
import { cn } from '@/lib/utils';

/**
 * A range slider. The ARIA slider role sits on each thumb, so `aria-label` and
 * `aria-labelledby` are passed to the thumbs (a <label htmlFor> cannot name a thumb): give
 * the visible <Label> an id and pass it as `aria-labelledby`. With two thumbs, name each with
 * `thumbLabels` (e.g. ["Start", "End"]).
 */
export function Slider({
  className,
  defaultValue,
  value,
  min = 0,
  max = 100,
  'aria-label': ariaLabel,
  'aria-labelledby': ariaLabelledby,
  'aria-valuetext': ariaValuetext,
  thumbLabels,
  ...props
}: ComponentProps<typeof SliderPrimitive.Root> & {
  'aria-valuetext'?: string;
  thumbLabels?: string[];
}) {
  const values = useMemo(
    () => (Array.isArray(value) ? value : Array.isArray(defaultValue) ? defaultValue : [min, max]),
    [value, defaultValue, min, max],
  );
  return (
    <SliderPrimitive.Root
      data-slot="slider"
      defaultValue={defaultValue}
      value={value}
      min={min}
      max={max}
      className={cn(
        'relative flex w-full touch-none items-center py-2 select-none data-[disabled]:opacity-50 data-[orientation=vertical]:h-full data-[orientation=vertical]:min-h-44 data-[orientation=vertical]:w-auto data-[orientation=vertical]:flex-col',
        className,
      )}
      {...props}
    >
      <SliderPrimitive.Track
        data-slot="slider-track"
        className="relative grow overflow-hidden rounded-full bg-primary/15 data-[orientation=horizontal]:h-1.5 data-[orientation=horizontal]:w-full data-[orientation=vertical]:h-full data-[orientation=vertical]:w-1.5"
      >
        <SliderPrimitive.Range
          data-slot="slider-range"
          className="absolute bg-primary data-[orientation=horizontal]:h-full data-[orientation=vertical]:w-full"
        />
      </SliderPrimitive.Track>
      {values.map((_, index) => (
        <SliderPrimitive.Thumb
          data-slot="slider-thumb"
          key={index}
          aria-label={thumbLabels?.[index] ?? ariaLabel}
          aria-labelledby={thumbLabels?.[index] ? undefined : ariaLabelledby}
          aria-valuetext={ariaValuetext}
          className="block size-5 shrink-0 cursor-grab rounded-full border-2 border-primary bg-card shadow-sm transition-[color,box-shadow] hover:ring-4 hover:ring-primary/20 disabled:pointer-events-none disabled:opacity-50"
        />
      ))}
    </SliderPrimitive.Root>
  );
}
