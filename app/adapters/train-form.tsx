'use client';
import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { GraduationCap, Loader2 } from 'lucide-react';
import Link from 'next/link';
import { useRouter } from 'next/navigation';
import { useId, useState, type FormEvent } from 'react';
import { PendingUploads, UploadDropzone, useLibraryUpload } from '@/components/library-upload';
import { PhotoGrid } from '@/components/photo-grid';
import { AdvancedSteps } from '@/components/advanced-steps';
import { Button } from '@/components/ui/button';
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from '@/components/ui/card';
import { Input } from '@/components/ui/input';
import { Label } from '@/components/ui/label';
import { RadioGroup, RadioGroupItem } from '@/components/ui/radio-group';
import { toastError } from '@/lib/error-messages';
import { useTRPC } from '@/lib/trpc';
import { fieldErrors, issuesByField } from '@/components/field-errors';

const PLACEHOLDER_ID = '00000000-0000-7000-8000-000000000000';
const MAX_PHOTOS = 20;
type Method = 'svdiff' | 'lora';
type Field = 'photos' | 'name' | 'prompt' | 'steps';

/** Train a personal adapter (SVDiff by default, or LoRA) from 1–20 photos in the library. */
export function TrainForm() {
  const trpc = useTRPC();
  const router = useRouter();
  const queryClient = useQueryClient();
  const id = useId();
  const library = useQuery(trpc.references.list.queryOptions());
  const [picked, setPicked] = useState<string[]>([]);
  const [name, setName] = useState('');
  const [instancePrompt, setPrompt] = useState('a photo of sks dog');
  const [method, setMethod] = useState<Method>('svdiff');
  const [steps, setSteps] = useState(500);
  const [errors, setErrors] = useState<Partial<Record<Field, string>>>({});
  const { pending, upload, retry, dismiss } = useLibraryUpload({
    onUploaded: (img) =>
      setPicked((p) => (p.includes(img.id) ? p : [...p, img.id].slice(0, MAX_PHOTOS))),
  });

  // The price depends on the photo count, method and steps; the words are placeholders.
  const quote = useQuery({
    ...trpc.jobs.quoteTrain.queryOptions({
      name: 'x',
      imageIds: picked.length ? picked : [PLACEHOLDER_ID],
      instancePrompt: 'x',
      method,
      steps: Math.min(2000, Math.max(10, Math.round(steps) || 10)),
    }),
    placeholderData: keepPreviousData,
  });
  const train = useMutation(
    trpc.jobs.train.mutationOptions({
      onSuccess: (job) => {
        void queryClient.invalidateQueries(trpc.account.me.queryFilter());
        void queryClient.invalidateQueries(trpc.jobs.list.pathFilter());
        router.push(`/jobs/${job.id}`);
      },
      onError: (err) => {
        const d = toastError(err, { title: 'Could not start the training' });
        const f = d.fieldErrors ?? {};
        setErrors({
          photos: f.imageIds?.[0],
          name: f.name?.[0],
          prompt: f.instancePrompt?.[0],
          steps: f.steps?.[0],
        });
      },
    }),
  );

  async function submit(e: FormEvent) {
    e.preventDefault();
    if (train.isPending) return;
    const request = {
      name: name.trim(),
      imageIds: picked,
      instancePrompt: instancePrompt.trim(),
      method,
      steps,
    };
    // The server's own rules, loaded on the first submit (zod stays out of the first load).
    const { trainInput } = await import('@/server/jobs/schemas');
    const next = issuesByField(trainInput.safeParse(request), {
      imageIds: 'photos',
      name: 'name',
      instancePrompt: 'prompt',
      steps: 'steps',
    } as const);
    setErrors(next);
    const first = Object.keys(next)[0];
    if (first) {
      document.getElementById(`${id}-${first}`)?.focus();
      return;
    }
    train.mutate(request);
  }

  const { error: error, describedBy } = fieldErrors<Field>(id, errors);

  return (
    <Card>
      <CardHeader>
        <CardTitle asChild>
          <h2 className="text-lg">Train from your photos</h2>
        </CardTitle>
        <CardDescription>
          A few photos of one subject (your face, your dog, a style) become an adapter you can mix
          into any generation.
        </CardDescription>
      </CardHeader>
      <CardContent>
        <form
          onSubmit={(e) => void submit(e)}
          noValidate
          className="grid gap-5"
          aria-label="Train an adapter"
        >
          <fieldset className="grid gap-3" aria-describedby={describedBy('photos', `${id}-count`)}>
            <legend className="mb-1 text-sm font-medium">Photos of the subject</legend>
            {library.data?.length === 0 ? (
              <p className="text-sm text-muted-foreground">
                Your library is empty: upload photos here or in the{' '}
                <Link href="/library" className="text-primary underline">
                  library
                </Link>
                .
              </p>
            ) : (
              <div id={`${id}-photos`} tabIndex={-1} className="outline-none">
                <PhotoGrid
                  items={library.data ?? []}
                  loading={library.isPending}
                  selected={picked}
                  label="Choose 1 to 20 photos of the subject"
                  onToggle={(photo) => {
                    setErrors((e) => ({ ...e, photos: undefined }));
                    setPicked((p) =>
                      p.includes(photo)
                        ? p.filter((x) => x !== photo)
                        : [...p, photo].slice(0, MAX_PHOTOS),
                    );
                  }}
                  className="max-h-56 overflow-y-auto p-0.5"
                />
              </div>
            )}
            <p id={`${id}-count`} className="text-sm text-muted-foreground" aria-live="polite">
              {picked.length} of 1–{MAX_PHOTOS} photos chosen
            </p>
            {error('photos')}
            <UploadDropzone
              compact
              label="Upload photos"
              hint="New photos are added to your library and chosen"
              onFiles={(files) => void upload(files)}
            />
            <PendingUploads pending={pending} onRetry={retry} onDismiss={dismiss} />
          </fieldset>

          <div className="grid gap-2">
            <Label htmlFor={`${id}-name`}>Name</Label>
            <Input
              id={`${id}-name`}
              value={name}
              onChange={(e) => setName(e.target.value)}
              maxLength={80}
              placeholder="My dog Rex"
              aria-invalid={Boolean(errors.name) || undefined}
              aria-describedby={describedBy('name')}
            />
            {error('name')}
          </div>
          <div className="grid gap-2">
            <Label htmlFor={`${id}-prompt`}>Prompt naming the subject</Label>
            <Input
              id={`${id}-prompt`}
              value={instancePrompt}
              onChange={(e) => setPrompt(e.target.value)}
              maxLength={1000}
              aria-invalid={Boolean(errors.prompt) || undefined}
              aria-describedby={describedBy('prompt', `${id}-prompt-hint`)}
            />
            <p id={`${id}-prompt-hint`} className="text-sm text-muted-foreground">
              Use a rare word like “sks” for the subject, then use the same words when you generate.
            </p>
            {error('prompt')}
          </div>
          <div className="grid gap-3">
            <Label id={`${id}-method`}>Method</Label>
            <RadioGroup
              value={method}
              onValueChange={(v) => setMethod(v as Method)}
              aria-labelledby={`${id}-method`}
            >
              {(
                [
                  ['svdiff', 'SVDiff spectral shifts', 'A tiny file that resists over-fitting'],
                  ['lora', 'LoRA', 'The classic: larger, works with other tools'],
                ] as const
              ).map(([value, label, hint]) => (
                <div key={value} className="flex items-start gap-3">
                  <RadioGroupItem
                    value={value}
                    id={`${id}-m-${value}`}
                    aria-describedby={`${id}-m-${value}-hint`}
                    className="mt-0.5"
                  />
                  <div className="grid gap-1">
                    <Label htmlFor={`${id}-m-${value}`}>{label}</Label>
                    <span id={`${id}-m-${value}-hint`} className="text-sm text-muted-foreground">
                      {hint}
                    </span>
                  </div>
                </div>
              ))}
            </RadioGroup>
          </div>
          <AdvancedSteps
            id={`${id}-steps`}
            label="Training steps"
            max={2000}
            value={steps}
            onChange={setSteps}
            invalid={Boolean(errors.steps)}
            describedBy={describedBy('steps')}
          >
            {error('steps')}
          </AdvancedSteps>
          <div className="flex flex-wrap items-center gap-4">
            <Button type="submit" disabled={train.isPending}>
              {train.isPending ? (
                <Loader2 className="animate-spin" aria-hidden="true" />
              ) : (
                <GraduationCap aria-hidden="true" />
              )}
              {train.isPending ? 'Starting…' : 'Train adapter'}
            </Button>
            <p className="text-sm text-muted-foreground" aria-live="polite">
              {!picked.length ? (
                'Choose photos to see the price'
              ) : quote.data ? (
                <>
                  Costs <span className="font-semibold text-foreground">{quote.data.total}</span>{' '}
                  credits
                </>
              ) : (
                'Working out the price…'
              )}
            </p>
          </div>
        </form>
      </CardContent>
    </Card>
  );
}
