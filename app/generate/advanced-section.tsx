'use client';
import { ChevronDown, Settings2 } from 'lucide-react';
import dynamic from 'next/dynamic';
import { useId, useState } from 'react';
import { useWatch } from 'react-hook-form';
import { Skeleton } from '@/components/ui/skeleton';
import { cn } from '@/lib/utils';
import type { GenerateFormApi } from './fields';

const loadFields = () => import('./advanced-fields').then((m) => m.AdvancedFields);
const AdvancedFields = dynamic(loadFields, {
  ssr: false,
  loading: () => <Skeleton className="h-64 sm:col-span-2" />,
});
const XAdapterFields = dynamic(() => import('./x-adapter-fields').then((m) => m.XAdapterFields), {
  ssr: false,
  loading: () => <Skeleton className="h-48 sm:col-span-2" />,
});

/**
 * Steps, guidance, scheduler and seed, and X-Adapter's knobs when the job goes through it: folded
 * away, open by default when a remix changed them.
 */
export function AdvancedSection({
  form,
  defaultOpen,
  xAdapterInPlay,
}: {
  form: GenerateFormApi;
  defaultOpen: boolean;
  xAdapterInPlay: boolean;
}) {
  const [open, setOpen] = useState(defaultOpen);
  const contentId = useId();
  const steps = useWatch({ control: form.control, name: 'steps' }) ?? 25;
  const guidance = useWatch({ control: form.control, name: 'guidanceScale' }) ?? 7.5;
  const seed = useWatch({ control: form.control, name: 'seed' });
  const errors = form.formState.errors;
  const hasError = Boolean(
    errors.steps ??
    errors.guidanceScale ??
    errors.scheduler ??
    errors.seed ??
    (xAdapterInPlay ? errors.xAdapter : undefined),
  );
  const shown = open || hasError;

  return (
    <div data-state={shown ? 'open' : 'closed'} className="rounded-xl border bg-card shadow-xs">
      <button
        type="button"
        data-slot="collapsible-button"
        aria-expanded={shown}
        aria-controls={contentId}
        onClick={() => setOpen(!shown)}
        onPointerEnter={() => void loadFields()}
        onFocus={() => void loadFields()}
        className="flex w-full cursor-pointer items-center gap-3 rounded-xl p-4 text-left sm:px-6"
      >
        <Settings2 className="size-5 text-muted-foreground" aria-hidden="true" />
        <span className="grid flex-1">
          <span className="text-base font-semibold">Advanced settings</span>
          <span className="text-sm text-muted-foreground">
            {steps} steps · guidance {guidance} ·{' '}
            {seed === undefined ? 'random seed' : `seed ${seed}`}
            {xAdapterInPlay && ' · X-Adapter'}
          </span>
        </span>
        <ChevronDown
          className={cn('size-5 text-muted-foreground transition-transform', shown && 'rotate-180')}
          aria-hidden="true"
        />
      </button>
      <div id={contentId} hidden={!shown} className="grid gap-5 border-t p-4 sm:grid-cols-2 sm:p-6">
        {shown && <AdvancedFields form={form} steps={steps} guidance={guidance} />}
        {shown && xAdapterInPlay && <XAdapterFields form={form} />}
      </div>
    </div>
  );
}
