'use client';
import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Loader2, Wand2 } from 'lucide-react';
import { usePathname, useRouter, useSearchParams } from 'next/navigation';
import { useEffect, useId, useRef, useState, type FormEvent } from 'react';
import { UploadDropzone, useLibraryUpload, PendingUploads } from '@/components/library-upload';
import { PageHeader } from '@/components/page-header';
import { PhotoGrid } from '@/components/photo-grid';
import { AdvancedSteps } from '@/components/advanced-steps';
import { Button } from '@/components/ui/button';
import { Card, CardContent } from '@/components/ui/card';
import { EmptyState } from '@/components/ui/empty-state';
import { Input } from '@/components/ui/input';
import { Label } from '@/components/ui/label';
import { Slider } from '@/components/ui/slider';
import { toastError } from '@/lib/error-messages';
import { useTRPC } from '@/lib/trpc';
import { cn } from '@/lib/utils';
import { EditResult } from './edit-result';
import { EDIT_DESCRIPTION, EDIT_TITLE } from './edit-skeleton';
import { fieldErrors, issuesByField } from '@/components/field-errors';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const PLACEHOLDER_ID = '00000000-0000-7000-8000-000000000000';
const param = (p: URLSearchParams, key: string) => {
  const v = p.get(key);
  return v && UUID.test(v) ? v : null;
};

type Field = 'photo' | 'source' | 'target' | 'steps';

function strengthWords(v: number) {
  if (v <= 0.1) return 'subtle: keeps the photo almost as it is';
  if (v <= 0.35) return 'balanced';
  if (v <= 0.7) return 'strong: allows bigger changes';
  return 'very strong: may change the whole picture';
}

/**
 * CoSINE: a photo, the sentence it shows, the edited sentence. `?image=` picks a library photo,
 * `?remix=` fills everything from an earlier edit, `?job=` shows an edit's progress and result.
 */
export function EditForm() {
  const trpc = useTRPC();
  const router = useRouter();
  const pathname = usePathname();
  const queryClient = useQueryClient();
  const params = useSearchParams();
  const jobId = param(params, 'job');
  const remixId = param(params, 'remix') ?? jobId;
  const id = useId();

  const library = useQuery(trpc.references.list.queryOptions());
  const [imageId, setImageId] = useState<string | null>(() => param(params, 'image'));
  const [sourcePrompt, setSource] = useState('');
  const [targetPrompt, setTarget] = useState('');
  const [strength, setStrength] = useState(0.2);
  const [steps, setSteps] = useState(500);
  const [errors, setErrors] = useState<Partial<Record<Field, string>>>({});
  const resultRef = useRef<HTMLDivElement>(null);

  // Fill the form once from the edit being remixed (or shown).
  const earlier = useQuery({
    ...trpc.jobs.get.queryOptions({ id: remixId ?? '' }),
    enabled: Boolean(remixId),
  });
  const filledFrom = useRef<string | null>(null);
  useEffect(() => {
    const j = earlier.data;
    if (!j || j.kind !== 'EDIT' || filledFrom.current === j.id) return;
    filledFrom.current = j.id;
    const r = (j.request ?? {}) as Record<string, unknown>;
    if (typeof r.imageId === 'string') setImageId(r.imageId);
    if (typeof r.sourcePrompt === 'string') setSource(r.sourcePrompt);
    if (typeof r.targetPrompt === 'string') setTarget(r.targetPrompt);
    if (typeof r.strength === 'number') setStrength(r.strength);
    if (typeof r.steps === 'number') setSteps(r.steps);
  }, [earlier.data]);

  const { pending, upload, retry, dismiss } = useLibraryUpload({
    onUploaded: (img) => {
      setImageId(img.id);
      setErrors((e) => ({ ...e, photo: undefined }));
    },
  });

  // The price depends on the steps only; the other fields are placeholders for the schema.
  const quote = useQuery({
    ...trpc.jobs.quoteEdit.queryOptions({
      imageId: PLACEHOLDER_ID,
      sourcePrompt: 'x',
      targetPrompt: 'x',
      strength,
      steps: Math.min(1000, Math.max(10, Math.round(steps) || 10)),
    }),
    placeholderData: keepPreviousData,
  });

  const edit = useMutation(
    trpc.jobs.edit.mutationOptions({
      onSuccess: (job) => {
        void queryClient.invalidateQueries(trpc.account.me.queryFilter());
        router.replace(`${pathname}?job=${job.id}`, { scroll: false });
        requestAnimationFrame(() =>
          resultRef.current?.scrollIntoView({ behavior: 'smooth', block: 'start' }),
        );
      },
      onError: (err) => {
        const d = toastError(err, { title: 'Could not start the edit' });
        const f = d.fieldErrors ?? {};
        setErrors({
          photo: f.imageId?.[0],
          source: f.sourcePrompt?.[0],
          target: f.targetPrompt?.[0],
          steps: f.steps?.[0],
        });
      },
    }),
  );

  const photo = library.data?.find((img) => img.id === imageId) ?? null;

  async function submit(e: FormEvent) {
    e.preventDefault();
    if (edit.isPending) return;
    const request = {
      imageId: imageId ?? '',
      sourcePrompt: sourcePrompt.trim(),
      targetPrompt: targetPrompt.trim(),
      strength,
      steps,
    };
    // The server's own rules, loaded on the first submit (zod stays out of the first load).
    const { editInput } = await import('@/server/jobs/schemas');
    const next = issuesByField(editInput.safeParse(request), {
      imageId: 'photo',
      sourcePrompt: 'source',
      targetPrompt: 'target',
      steps: 'steps',
    } as const);
    if (!imageId) next.photo = 'Choose or upload the photo to edit.';
    if (!next.target && request.targetPrompt === request.sourcePrompt)
      next.target = 'Change at least one word, e.g. “sitting” → “lying down”.';
    setErrors(next);
    if (Object.keys(next).length) {
      const first = Object.keys(next)[0] as Field;
      document.getElementById(`${id}-${first}`)?.focus();
      return;
    }
    edit.mutate(request);
  }

  const { error: fieldError, describedBy } = fieldErrors<Field>(id, errors);

  return (
    <div>
      <PageHeader title={EDIT_TITLE} description={EDIT_DESCRIPTION} />
      <div className="grid items-start gap-8 lg:grid-cols-[minmax(0,1fr)_minmax(0,26rem)]">
        <form
          onSubmit={(e) => void submit(e)}
          noValidate
          className="grid gap-6"
          aria-label="Edit a photo"
        >
          <Card className="gap-4">
            <CardContent className="grid gap-4">
              <fieldset
                className="grid gap-3"
                aria-describedby={describedBy('photo')}
                aria-invalid={Boolean(errors.photo) || undefined}
              >
                <legend className="mb-1 text-sm font-medium">1. The photo</legend>
                <UploadDropzone
                  compact
                  multiple={false}
                  label="Upload a photo"
                  hint="PNG, JPEG or WebP, up to 20 MB"
                  onFiles={(files) => void upload(files.slice(0, 1))}
                />
                <PendingUploads pending={pending} onRetry={retry} onDismiss={dismiss} />
                {library.data?.length !== 0 && (
                  <>
                    <p className="text-sm text-muted-foreground">Or pick one from your library:</p>
                    <div id={`${id}-photo`} tabIndex={-1} className="outline-none">
                      <PhotoGrid
                        items={library.data ?? []}
                        loading={library.isPending}
                        selected={imageId ? [imageId] : []}
                        label="Choose the photo to edit"
                        onToggle={(picked) => {
                          setImageId((cur) => (cur === picked ? null : picked));
                          setErrors((e) => ({ ...e, photo: undefined }));
                        }}
                        className="max-h-64 overflow-y-auto p-0.5"
                      />
                    </div>
                  </>
                )}
                {fieldError('photo')}
              </fieldset>
            </CardContent>
          </Card>

          <Card className="gap-4">
            <CardContent className="grid gap-5">
              <p className="text-sm font-medium">2. The words</p>
              <div className="grid gap-2">
                <Label htmlFor={`${id}-source`}>What the photo shows</Label>
                <Input
                  id={`${id}-source`}
                  value={sourcePrompt}
                  onChange={(e) => setSource(e.target.value)}
                  placeholder="a photo of a dog sitting on grass"
                  maxLength={1000}
                  aria-invalid={Boolean(errors.source) || undefined}
                  aria-describedby={describedBy('source')}
                />
                {fieldError('source')}
              </div>
              <div className="grid gap-2">
                <Label htmlFor={`${id}-target`}>What it should show</Label>
                <Input
                  id={`${id}-target`}
                  value={targetPrompt}
                  onChange={(e) => setTarget(e.target.value)}
                  placeholder="a photo of a dog lying on grass"
                  maxLength={1000}
                  aria-invalid={Boolean(errors.target) || undefined}
                  aria-describedby={describedBy('target', `${id}-target-hint`)}
                />
                <p id={`${id}-target-hint`} className="text-sm text-muted-foreground">
                  Keep the sentence and change only the words that should change.
                </p>
                {fieldError('target')}
              </div>
              <div className="grid gap-3">
                <div className="flex items-baseline justify-between gap-3">
                  <Label id={`${id}-strength`}>Strength</Label>
                  <span className="text-sm text-muted-foreground tabular-nums">
                    {strength.toFixed(2)} · {strengthWords(strength)}
                  </span>
                </div>
                <Slider
                  min={0}
                  max={1}
                  step={0.05}
                  value={[strength]}
                  onValueChange={([v]) => setStrength(v ?? 0)}
                  aria-labelledby={`${id}-strength`}
                  aria-valuetext={`${strength.toFixed(2)}, ${strengthWords(strength)}`}
                />
              </div>
              <AdvancedSteps
                id={`${id}-steps`}
                label="Tuning steps"
                max={1000}
                value={steps}
                onChange={setSteps}
                invalid={Boolean(errors.steps)}
                describedBy={describedBy('steps', `${id}-steps-hint`)}
              >
                <p id={`${id}-steps-hint`} className="text-sm text-muted-foreground">
                  More steps learn the photo more closely, and cost more.
                </p>
                {fieldError('steps')}
              </AdvancedSteps>
            </CardContent>
          </Card>

          <div className="flex flex-wrap items-center gap-4">
            <Button type="submit" size="lg" disabled={edit.isPending}>
              {edit.isPending ? (
                <Loader2 className="animate-spin" aria-hidden="true" />
              ) : (
                <Wand2 aria-hidden="true" />
              )}
              {edit.isPending ? 'Starting…' : 'Edit photo'}
            </Button>
            <p className="text-sm text-muted-foreground" aria-live="polite">
              {quote.data ? (
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

        <div
          ref={resultRef}
          className={cn(
            'grid scroll-mt-24 gap-4 lg:sticky lg:top-24',
            // On phones an edit's result comes before the form it can be changed with.
            jobId && 'order-first lg:order-none',
          )}
        >
          <Card className="gap-4">
            <CardContent className="grid gap-4">
              {jobId ? (
                <EditResult
                  key={jobId}
                  jobId={jobId}
                  source={(() => {
                    const r = (earlier.data?.request ?? {}) as { imageId?: string };
                    const src = library.data?.find((img) => img.id === r.imageId);
                    return src ? { url: src.url, width: src.width, height: src.height } : null;
                  })()}
                />
              ) : photo ? (
                <div className="grid gap-2">
                  <h2 className="text-lg font-semibold">Your photo</h2>
                  <img
                    src={photo.url}
                    alt="The photo to edit"
                    width={photo.width}
                    height={photo.height}
                    className="h-auto w-full rounded-lg border bg-muted"
                  />
                  <p className="text-sm text-muted-foreground">
                    {photo.width} × {photo.height}. The result appears here, with a slider to
                    compare it with the original.
                  </p>
                </div>
              ) : (
                <EmptyState
                  icon={<Wand2 />}
                  title="Choose a photo to start"
                  description="Upload one or pick it from your library. The result appears here, with a slider to compare before and after."
                  className="border-0 bg-transparent py-6"
                />
              )}
            </CardContent>
          </Card>
        </div>
      </div>
    </div>
  );
}
