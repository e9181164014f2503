'use client';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Ban, Boxes, Images, Loader2, RefreshCw, Shuffle, Sparkles } from 'lucide-react';
import Link from 'next/link';
import { describeError, toastError } from '@/lib/error-messages';
import { isLive, JobProgress, JobStatusBadge, useLiveJob } from '@/components/job-status';
import {
  DownloadButton,
  downloadName,
  ShareDialogButton,
  UseAsReferenceButton,
} from '@/components/output-actions';
import { ShareControl } from '@/components/share-control';
import { Alert, AlertDescription, AlertTitle } from '@/components/ui/alert';
import { Button } from '@/components/ui/button';
import { Card, CardContent, CardHeader, CardTitle } from '@/components/ui/card';
import { CompareSlider } from '@/components/ui/compare-slider';
import { EmptyState } from '@/components/ui/empty-state';
import { Skeleton } from '@/components/ui/skeleton';
import { useTRPC } from '@/lib/trpc';
import { asRequest, JobParameters, jobTitle, type JobKind } from './job-parameters';

const KIND_LABEL: Record<JobKind, string> = {
  GENERATE: 'Generation',
  EDIT: 'Photo edit',
  TRAIN: 'Adapter training',
};

const NEXT_STEP: Record<JobKind, { href: string; label: string }> = {
  GENERATE: { href: '/generate', label: 'New generation' },
  EDIT: { href: '/edit', label: 'New edit' },
  TRAIN: { href: '/adapters', label: 'Your adapters' },
};

const when = new Intl.DateTimeFormat('en-GB', { dateStyle: 'medium', timeStyle: 'short' });

function duration(from: Date | null, to: Date | null): string | null {
  if (!from || !to) return null;
  const s = Math.max(0, Math.round((to.getTime() - from.getTime()) / 1000));
  return s < 90 ? `${s} s` : `${Math.floor(s / 60)} min ${s % 60} s`;
}

/** Where "Remix" goes: the form that made the job, filled in from it. */
export function remixHref(kind: JobKind, jobId: string): string | null {
  if (kind === 'GENERATE') return `/generate?remix=${jobId}`;
  if (kind === 'EDIT') return `/edit?remix=${jobId}`;
  return null;
}

export function JobView({ id }: { id: string }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const job = useLiveJob(id);
  const getKey = trpc.jobs.get.queryKey({ id });
  const cancel = useMutation(
    trpc.jobs.cancel.mutationOptions({
      // Safe to show at once: the server either cancels now or flags the running job.
      onMutate: async () => {
        await queryClient.cancelQueries({ queryKey: getKey });
        const before = queryClient.getQueryData(getKey);
        queryClient.setQueryData(getKey, (j) => (j ? { ...j, cancelRequested: true } : j));
        return { before };
      },
      onError: (err, _v, ctx) => {
        queryClient.setQueryData(getKey, ctx?.before);
        toastError(err, { title: 'Could not cancel' });
      },
      onSettled: () => queryClient.invalidateQueries({ queryKey: getKey }),
    }),
  );
  const request = asRequest(job.data?.request);
  const editSource = typeof request.imageId === 'string' ? request.imageId : null;
  const library = useQuery({
    ...trpc.references.list.queryOptions(),
    enabled: job.data?.kind === 'EDIT' && job.data.status === 'SUCCEEDED',
  });

  if (job.isPending) return <JobSkeleton />;
  if (job.isError) {
    const err = describeError(job.error);
    return (
      <div className="grid gap-6">
        <h1 className="sr-only">Job</h1>
        <EmptyState
          headingLevel={2}
          icon={<Images />}
          title={err.code === 'NOT_FOUND' ? 'This job does not exist' : err.title}
          description={
            err.code === 'NOT_FOUND'
              ? 'It may belong to another account, or the link is mistyped.'
              : err.message
          }
          action={
            <>
              {err.code !== 'NOT_FOUND' && (
                <Button type="button" onClick={() => void job.refetch()}>
                  <RefreshCw aria-hidden="true" />
                  Try again
                </Button>
              )}
              <Button asChild variant="outline">
                <Link href="/gallery">Open the gallery</Link>
              </Button>
            </>
          }
        />
      </div>
    );
  }

  const j = job.data;
  const live = isLive(j.status);
  const title = jobTitle(j.kind, j.request);
  const remix = remixHref(j.kind, j.id);
  const width = typeof request.width === 'number' ? request.width : 512;
  const height = typeof request.height === 'number' ? request.height : 512;
  const before = editSource ? library.data?.find((img) => img.id === editSource) : undefined;
  const firstOutput = j.outputs[0];

  return (
    <div className="grid gap-8">
      <header className="flex flex-col gap-4 sm:flex-row sm:items-end sm:justify-between">
        <div className="grid min-w-0 gap-2">
          <div className="flex flex-wrap items-center gap-x-3 gap-y-1 text-sm text-muted-foreground">
            <span>{KIND_LABEL[j.kind]}</span>
            <span aria-hidden="true">·</span>
            <time dateTime={j.createdAt.toISOString()}>{when.format(j.createdAt)}</time>
            <JobStatusBadge status={j.status} cancelRequested={j.cancelRequested} />
          </div>
          <h1 className="line-clamp-4 text-2xl font-semibold tracking-tight break-words sm:text-3xl">
            {title}
          </h1>
        </div>
        <div className="flex flex-none flex-wrap gap-2">
          {remix && (
            <Button asChild>
              <Link href={remix}>
                <Shuffle aria-hidden="true" />
                Remix
              </Link>
            </Button>
          )}
          <Button asChild variant="outline">
            <Link href={NEXT_STEP[j.kind].href}>{NEXT_STEP[j.kind].label}</Link>
          </Button>
        </div>
      </header>

      <div className="grid items-start gap-8 lg:grid-cols-[minmax(0,1fr)_20rem]">
        <section aria-label="Result" className="grid min-w-0 gap-6">
          {live && (
            <Card className="gap-4 py-4">
              <CardContent className="grid gap-4 px-4">
                <div
                  className="relative mx-auto flex w-full items-center justify-center overflow-hidden rounded-lg bg-muted"
                  style={{ aspectRatio: `${width} / ${height}`, maxWidth: width }}
                >
                  {j.previewUrl ? (
                    <img
                      src={j.previewUrl}
                      alt="Preview of the image being generated"
                      width={width}
                      height={height}
                      className="size-full object-contain"
                    />
                  ) : (
                    <div className="grid place-items-center gap-2 text-sm text-muted-foreground">
                      <Loader2 className="size-6 animate-spin" aria-hidden="true" />
                      {j.status === 'QUEUED' ? 'In the queue' : 'Warming up'}
                    </div>
                  )}
                </div>
                <JobProgress
                  status={j.status}
                  progress={j.progress}
                  startedAt={j.startedAt}
                  cancelRequested={j.cancelRequested}
                />
                <div className="flex flex-wrap items-center gap-3">
                  <Button
                    type="button"
                    variant="outline"
                    onClick={() => cancel.mutate({ id })}
                    disabled={cancel.isPending || j.cancelRequested}
                  >
                    <Ban aria-hidden="true" />
                    Cancel
                  </Button>
                  <span className="text-sm text-muted-foreground">
                    Canceling returns the {j.price} credits held for it.
                  </span>
                </div>
              </CardContent>
            </Card>
          )}

          {j.status === 'FAILED' && (
            <Alert variant="destructive" role="alert">
              <AlertTitle>This {KIND_LABEL[j.kind].toLowerCase()} failed</AlertTitle>
              <AlertDescription>
                <p>{j.error?.message || 'The worker could not finish it.'}</p>
                <p>Your {j.price} credits were returned. Try again, or change a setting first.</p>
              </AlertDescription>
            </Alert>
          )}
          {j.status === 'CANCELED' && (
            <Alert>
              <AlertTitle>Canceled</AlertTitle>
              <AlertDescription>Your {j.price} credits were returned.</AlertDescription>
            </Alert>
          )}

          {j.kind === 'EDIT' && before && firstOutput && (
            <div className="grid gap-2">
              <h2 className="text-lg font-semibold">Before and after</h2>
              <CompareSlider
                before={{ src: before.url, alt: 'The original photo' }}
                after={{ src: firstOutput.url, alt: 'The edited photo' }}
                width={firstOutput.width}
                height={firstOutput.height}
                className="mx-auto"
              />
              <p className="text-sm text-muted-foreground">
                Drag the handle, or focus it and use the arrow keys.
              </p>
            </div>
          )}

          {j.outputs.length > 0 && (
            <div
              className={
                j.outputs.length > 1 ? 'grid gap-6 sm:grid-cols-2' : 'grid justify-items-center'
              }
            >
              {j.outputs.map((o) => (
                <figure
                  key={o.id}
                  className="grid w-full content-start gap-3"
                  style={{ maxWidth: o.width }}
                >
                  <img
                    src={o.url}
                    alt={`Result ${o.index + 1}: ${title}`}
                    width={o.width}
                    height={o.height}
                    data-testid="result"
                    className="h-auto w-full rounded-xl border bg-muted"
                  />
                  <figcaption className="grid gap-3">
                    <div className="flex flex-wrap items-center gap-2">
                      <DownloadButton url={o.url} filename={downloadName(title, j.id, o.index)} />
                      <UseAsReferenceButton outputId={o.id} />
                      <span className="text-sm text-muted-foreground">
                        {o.width} × {o.height}
                        {o.seed ? ` · seed ${o.seed}` : ''}
                      </span>
                    </div>
                    {j.outputs.length === 1 ? (
                      <ShareControl outputId={o.id} initialSlug={o.shareSlug} />
                    ) : (
                      <div>
                        <ShareDialogButton outputId={o.id} shareSlug={o.shareSlug} prompt={title} />
                      </div>
                    )}
                  </figcaption>
                </figure>
              ))}
            </div>
          )}

          {j.adapter && (
            <Card>
              <CardHeader>
                <CardTitle asChild>
                  <h2>Adapter ready: {j.adapter.name}</h2>
                </CardTitle>
              </CardHeader>
              <CardContent className="grid gap-4">
                {j.adapter.samples.length > 0 && (
                  <ul className="grid grid-cols-2 gap-3 sm:grid-cols-4" aria-label="Samples">
                    {j.adapter.samples.map((url, i) => (
                      <li key={url}>
                        <img
                          src={url}
                          alt={`Sample ${i + 1} from ${j.adapter?.name ?? 'the adapter'}`}
                          width={256}
                          height={256}
                          className="aspect-square w-full rounded-lg border bg-muted object-cover"
                        />
                      </li>
                    ))}
                  </ul>
                )}
                <div className="flex flex-wrap gap-2">
                  <Button asChild>
                    <Link href={`/generate?adapter=${j.adapter.id}`}>
                      <Sparkles aria-hidden="true" />
                      Use in Generate
                    </Link>
                  </Button>
                  <Button asChild variant="outline">
                    <Link href="/adapters">
                      <Boxes aria-hidden="true" />
                      Your adapters
                    </Link>
                  </Button>
                </div>
              </CardContent>
            </Card>
          )}
        </section>

        <aside aria-label="Details" className="grid min-w-0 gap-4">
          <Card className="gap-4">
            <CardHeader>
              <CardTitle asChild>
                <h2>Parameters</h2>
              </CardTitle>
            </CardHeader>
            <CardContent>
              <JobParameters
                kind={j.kind}
                request={j.request}
                seeds={j.outputs.flatMap((o) => (o.seed ? [o.seed] : []))}
              />
            </CardContent>
          </Card>
          <dl className="grid grid-cols-[7.5rem_minmax(0,1fr)] gap-x-3 gap-y-2 px-1 text-sm">
            <dt className="text-muted-foreground">Credits</dt>
            <dd className="tabular-nums">
              {j.price}
              {j.status === 'FAILED' || j.status === 'CANCELED' ? ' (returned)' : ''}
            </dd>
            {duration(j.startedAt, j.finishedAt) && (
              <>
                <dt className="text-muted-foreground">Took</dt>
                <dd className="tabular-nums">{duration(j.startedAt, j.finishedAt)}</dd>
              </>
            )}
            <dt className="text-muted-foreground">Job id</dt>
            <dd className="font-mono text-xs break-all">{j.id}</dd>
          </dl>
        </aside>
      </div>
    </div>
  );
}

function JobSkeleton() {
  return (
    <div className="grid gap-8" aria-busy="true">
      <div className="grid gap-3">
        <Skeleton className="h-4 w-48" />
        <Skeleton className="h-8 w-full max-w-xl" />
        <h1 className="sr-only">Loading the job…</h1>
      </div>
      <div className="grid items-start gap-8 lg:grid-cols-[minmax(0,1fr)_20rem]">
        <Skeleton className="mx-auto aspect-square w-full max-w-[512px] rounded-xl" />
        <div className="grid gap-4">
          <Skeleton className="h-10 w-48" />
          <Skeleton className="h-72 w-full rounded-xl" />
        </div>
      </div>
    </div>
  );
}
