'use client';
import { ImageOff, Images, Plus, X } from 'lucide-react';
import { useWatch } from 'react-hook-form';
import { LibraryPicker } from '@/components/library-picker';
import { Button } from '@/components/ui/button';
import { Label } from '@/components/ui/label';
import { RadioGroup, RadioGroupItem } from '@/components/ui/radio-group';
import { Section, SliderField, type GenerateFormApi } from './fields';
import { DEFAULT_WEIGHT } from './presets';

const MAX_REFERENCES = 4;

export interface LibraryEntry {
  thumbnailUrl: string;
  width: number;
  height: number;
}

/** A library image as a fixed-size square: the box is sized before the picture loads. */
export function Thumb({ entry, size = 64 }: { entry: LibraryEntry | undefined; size?: number }) {
  return (
    <span
      className="flex shrink-0 items-center justify-center overflow-hidden rounded-md border bg-muted"
      style={{ width: size, height: size }}
    >
      {entry ? (
        <img
          src={entry.thumbnailUrl}
          alt=""
          width={entry.width}
          height={entry.height}
          className="size-full object-cover"
        />
      ) : (
        <ImageOff className="size-5 text-muted-foreground" aria-hidden="true" />
      )}
    </span>
  );
}

export function ReferenceSection({
  form,
  library,
}: {
  form: GenerateFormApi;
  library: Map<string, LibraryEntry>;
}) {
  const refs = useWatch({ control: form.control, name: 'references' }) ?? [];
  const ipAdapter = useWatch({ control: form.control, name: 'ipAdapter' }) ?? 'base';
  const set = (next: typeof refs) =>
    form.setValue('references', next, {
      shouldDirty: true,
      shouldValidate: form.formState.isSubmitted,
    });

  const picker = (
    <LibraryPicker
      title="Choose picture prompts"
      description={`Pick up to ${MAX_REFERENCES - refs.length} more. The result borrows their look.`}
      max={MAX_REFERENCES - refs.length}
      exclude={refs.map((r) => r.referenceId)}
      onPick={(imgs) =>
        set([...refs, ...imgs.map((i) => ({ referenceId: i.id, weight: DEFAULT_WEIGHT }))])
      }
      trigger={
        <Button type="button" variant="outline" size="sm" disabled={refs.length >= MAX_REFERENCES}>
          <Plus aria-hidden="true" />
          Add reference
        </Button>
      }
    />
  );

  return (
    <Section
      title="Picture prompts"
      method="IP-Adapter"
      description="Make it look like these pictures: style, colours, subject. Up to 4, each with its own weight."
      action={refs.length > 0 ? picker : undefined}
    >
      {refs.length === 0 ? (
        <div className="flex flex-col items-center gap-3 rounded-lg border border-dashed p-5 text-center sm:flex-row sm:text-left">
          <Images className="size-8 shrink-0 text-muted-foreground" aria-hidden="true" />
          <p className="flex-1 text-sm text-muted-foreground">
            No picture prompt. Add one to steer by example instead of by words alone.
          </p>
          {picker}
        </div>
      ) : (
        <>
          <ul className="grid gap-3">
            {refs.map((r, i) => {
              const entry = library.get(r.referenceId);
              return (
                <li key={r.referenceId} className="flex items-center gap-3">
                  <Thumb entry={entry} />
                  <div className="min-w-0 flex-1">
                    <SliderField
                      label={
                        entry
                          ? `Weight of reference ${i + 1}`
                          : `Reference ${i + 1} (not in your library)`
                      }
                      value={r.weight ?? 1}
                      min={0}
                      max={2}
                      step={0.05}
                      onChange={(v) => set(refs.map((x, j) => (j === i ? { ...x, weight: v } : x)))}
                    />
                  </div>
                  <Button
                    type="button"
                    variant="ghost"
                    size="icon-sm"
                    onClick={() => set(refs.filter((_, j) => j !== i))}
                  >
                    <X aria-hidden="true" />
                    <span className="sr-only">Remove reference {i + 1}</span>
                  </Button>
                </li>
              );
            })}
          </ul>
          <div className="grid gap-2">
            <Label id="ip-adapter-label" className="font-normal">
              How closely to follow them
            </Label>
            <RadioGroup
              aria-labelledby="ip-adapter-label"
              value={ipAdapter}
              onValueChange={(v) =>
                form.setValue('ipAdapter', v as 'base' | 'plus', { shouldDirty: true })
              }
              className="flex flex-wrap gap-4"
            >
              <Label className="font-normal">
                <RadioGroupItem value="base" /> Overall look
              </Label>
              <Label className="font-normal">
                <RadioGroupItem value="plus" /> Fine detail (Plus)
              </Label>
            </RadioGroup>
          </div>
        </>
      )}
    </Section>
  );
}
