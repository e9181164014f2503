'use client';
import { ChevronDown } from 'lucide-react';
import type { ReactNode } from 'react';
import { Collapsible, CollapsibleContent, CollapsibleTrigger } from '@/components/ui/collapsible';
import { Input } from '@/components/ui/input';
import { Label } from '@/components/ui/label';

/** A folded "Advanced settings" section holding a job's step count; `children` go below it. */
export function AdvancedSteps({
  id,
  label,
  max,
  value,
  onChange,
  invalid,
  describedBy,
  children,
}: {
  /** The input's id. */
  id: string;
  label: string;
  max: number;
  value: number;
  onChange: (steps: number) => void;
  invalid: boolean;
  describedBy: string | undefined;
  children?: ReactNode;
}) {
  return (
    <Collapsible>
      <CollapsibleTrigger className="group inline-flex cursor-pointer items-center gap-1 rounded-sm text-sm font-medium text-primary">
        <ChevronDown
          aria-hidden="true"
          className="size-4 transition-transform group-data-[state=open]:rotate-180"
        />
        Advanced settings
      </CollapsibleTrigger>
      <CollapsibleContent className="grid gap-2 pt-3">
        <Label htmlFor={id}>{label}</Label>
        <Input
          id={id}
          type="number"
          inputMode="numeric"
          min={10}
          max={max}
          value={Number.isFinite(value) ? value : ''}
          onChange={(e) => onChange(e.target.valueAsNumber)}
          className="w-32"
          aria-invalid={invalid || undefined}
          aria-describedby={describedBy}
        />
        {children}
      </CollapsibleContent>
    </Collapsible>
  );
}
