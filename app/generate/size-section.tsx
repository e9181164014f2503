'use client';
import { useWatch } from 'react-hook-form';
import { Label } from '@/components/ui/label';
import { RadioGroup, RadioGroupTile } from '@/components/ui/radio-group';
import { Switch } from '@/components/ui/switch';
import { FAMILY_NAMES, type Family } from './families';
import type { GenerateFormApi } from './fields';
import { ASPECTS, presetSize, sizeChoiceOf } from './presets';

/** A rectangle of the preset's proportions, so the choice is seen, not read. */
function Shape({ width, height }: { width: number; height: number }) {
  const scale = 22 / Math.max(width, height);
  return (
    <span className="flex h-6 items-center justify-center" aria-hidden="true">
      <span
        className="rounded-[3px] border-2 border-current"
        style={{ width: Math.round(width * scale), height: Math.round(height * scale) }}
      />
    </span>
  );
}

/** Shape and count; the shapes' sizes are the base model family's own (SDXL: 1024² native). */
export function SizeSection({ form, family }: { form: GenerateFormApi; family: Family }) {
  const width = useWatch({ control: form.control, name: 'width' }) ?? 512;
  const height = useWatch({ control: form.control, name: 'height' }) ?? 512;
  const numImages = useWatch({ control: form.control, name: 'numImages' }) ?? 1;
  const choice = sizeChoiceOf(width, height, family);

  function setSize(aspect: string, large: boolean) {
    const preset = ASPECTS.find((a) => a.id === aspect);
    if (!preset) return;
    const size = presetSize(preset, large, family);
    form.setValue('width', size.width, { shouldDirty: true });
    form.setValue('height', size.height, { shouldDirty: true });
  }

  return (
    <div className="grid gap-5 sm:grid-cols-[1fr_auto] sm:items-end">
      <div className="grid gap-2">
        <Label id="aspect-label">Shape</Label>
        <RadioGroup
          aria-labelledby="aspect-label"
          value={choice.aspect}
          onValueChange={(v) => setSize(v, choice.large)}
          className="grid grid-cols-[repeat(auto-fit,minmax(3.25rem,1fr))] gap-2 sm:max-w-md"
        >
          {ASPECTS.map((a) => {
            const size = presetSize(a, choice.large, family);
            return (
              <RadioGroupTile
                key={a.id}
                value={a.id}
                aria-label={`${a.label} ${a.shape.toLowerCase()}, ${size.width} × ${size.height}`}
                className="h-16 px-1"
              >
                <Shape {...size} />
                <span>{a.label}</span>
              </RadioGroupTile>
            );
          })}
          {choice.aspect === 'custom' && (
            <RadioGroupTile
              value="custom"
              aria-label={`Custom, ${width} × ${height}`}
              className="h-16"
            >
              <Shape width={width} height={height} />
              <span className="text-xs">
                {width}×{height}
              </span>
            </RadioGroupTile>
          )}
        </RadioGroup>
        <div className="flex flex-wrap items-center gap-x-4 gap-y-2 text-sm">
          <span className="text-muted-foreground tabular-nums">
            {width} × {height} px
          </span>
          {family === 'sdxl' ? (
            <span className="text-muted-foreground">{FAMILY_NAMES.sdxl}’s native size</span>
          ) : (
            <Label className="font-normal">
              <Switch
                checked={choice.large}
                disabled={choice.aspect === 'custom'}
                onCheckedChange={(on) => setSize(choice.aspect, on)}
              />
              Large (more detail, more credits)
            </Label>
          )}
        </div>
      </div>
      <div className="grid gap-2">
        <Label id="count-label">Images</Label>
        <RadioGroup
          aria-labelledby="count-label"
          value={String(numImages)}
          onValueChange={(v) => form.setValue('numImages', Number(v), { shouldDirty: true })}
          className="grid grid-cols-4 gap-2"
        >
          {[1, 2, 3, 4].map((n) => (
            <RadioGroupTile
              key={n}
              value={String(n)}
              aria-label={`${n} ${n === 1 ? 'image' : 'images'}`}
              className="h-10 w-11"
            >
              {n}
            </RadioGroupTile>
          ))}
        </RadioGroup>
      </div>
    </div>
  );
}
