'use client';
// X-Adapter's knobs (Ran et al. 2023), shown in the advanced settings only when the job routes an
// SD 1.5 plugin to SDXL. Unset knobs take the server's defaults (the authors' code).
import { ArrowRightLeft } from 'lucide-react';
import { useId } from 'react';
import { useWatch } from 'react-hook-form';
import { Button } from '@/components/ui/button';
import { Label } from '@/components/ui/label';
import { Textarea } from '@/components/ui/textarea';
import { X_ADAPTER_DEFAULT_T0 } from '@/server/models/x-adapter';
import type { GenerateFormApi } from './fields';
import type { FormValues } from './presets';
import { SliderField } from './slider-field';

type XAdapterValue = NonNullable<FormValues['xAdapter']>;

/** The mapped features' scale the authors' code uses by default (adapter_condition_scale). */
export const X_ADAPTER_DEFAULT_FUSION = 1;

export function XAdapterFields({ form }: { form: GenerateFormApi }) {
  const id = useId();
  const x = useWatch({ control: form.control, name: 'xAdapter' }) ?? {};
  const set = (patch: Partial<XAdapterValue>) => {
    const next: Record<string, unknown> = { ...x, ...patch };
    for (const k of Object.keys(next)) if (next[k] === undefined) delete next[k];
    form.setValue('xAdapter', Object.keys(next).length ? (next as XAdapterValue) : undefined, {
      shouldDirty: true,
    });
  };
  const t0 = x.t0 ?? X_ADAPTER_DEFAULT_T0;
  const fusion = x.fusion ?? X_ADAPTER_DEFAULT_FUSION;
  const changed = Object.keys(x).length > 0;

  return (
    <fieldset className="grid gap-4 rounded-lg border p-3 sm:col-span-2 sm:grid-cols-2 sm:p-4">
      <legend className="flex items-center gap-2 px-1 text-sm font-semibold">
        <ArrowRightLeft className="size-4" aria-hidden="true" />
        X-Adapter
      </legend>
      <p className="text-xs text-muted-foreground sm:col-span-2">
        Your SD 1.5 plugins run in an SD 1.5 model at half the size; X-Adapter carries its features
        into SDXL.
      </p>
      <SliderField
        label="SD 1.5 alone for"
        value={t0}
        min={0}
        max={1}
        step={0.05}
        format={(v) => `${Math.round(v * 100)}% of steps`}
        hint="Longer: the plugins steer more of the layout (t0 in the paper)."
        onChange={(v) => set({ t0: v })}
      />
      <SliderField
        label="Fusion strength"
        value={fusion}
        min={0}
        max={3}
        step={0.05}
        hint="How strongly SD 1.5’s mapped features guide SDXL; 0 turns them off."
        onChange={(v) => set({ fusion: v })}
      />
      <div className="grid gap-2 sm:col-span-2">
        <Label htmlFor={`${id}-prompt`}>SD 1.5 prompt</Label>
        <Textarea
          id={`${id}-prompt`}
          rows={2}
          maxLength={2000}
          placeholder="Same as the prompt"
          value={x.sd15Prompt ?? ''}
          aria-describedby={`${id}-prompt-hint`}
          onChange={(e) => set({ sd15Prompt: e.target.value.trim() ? e.target.value : undefined })}
        />
        <p id={`${id}-prompt-hint`} className="text-xs text-muted-foreground">
          Optional: e.g. your LoRA’s trigger words, which only the SD 1.5 model knows.
        </p>
      </div>
      {changed && (
        <Button
          type="button"
          variant="outline"
          size="sm"
          className="w-fit"
          onClick={() => form.setValue('xAdapter', undefined, { shouldDirty: true })}
        >
          Use X-Adapter’s defaults
        </Button>
      )}
    </fieldset>
  );
}
