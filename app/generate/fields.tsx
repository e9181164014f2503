'use client';
import { useId, type ReactNode } from 'react';
import type { UseFormReturn } from 'react-hook-form';
import type { GenerateInput } from '@/server/jobs/schemas';
import type { FormValues } from './presets';

export type GenerateFormApi = UseFormReturn<FormValues, unknown, GenerateInput>;

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
