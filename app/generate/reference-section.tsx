'use client';
import { Images, Plus } from 'lucide-react';
import dynamic from 'next/dynamic';
import { useWatch } from 'react-hook-form';
import { LibraryPicker } from '@/components/library-picker';
import { Button } from '@/components/ui/button';
import { Skeleton } from '@/components/ui/skeleton';
import { Section, type GenerateFormApi } from './fields';
import { DEFAULT_WEIGHT } from './presets';
import type { LibraryEntry } from './thumb';

// The picked references (weights, IP-Adapter choice) arrive once there are any: sliders and radios
// stay out of the first load. The placeholder has the list's height, so nothing moves.
const ReferenceList = dynamic(() => import('./reference-list').then((m) => m.ReferenceList), {
  ssr: false,
  loading: () => <Skeleton className="h-40" />,
});

const MAX_REFERENCES = 4;

export type { LibraryEntry } from './thumb';

export function ReferenceSection({
  form,
  library,
}: {
  form: GenerateFormApi;
  library: Map<string, LibraryEntry>;
}) {
  const refs = useWatch({ control: form.control, name: 'references' }) ?? [];
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
        <ReferenceList form={form} refs={refs} library={library} set={set} />
      )}
    </Section>
  );
}
