'use client';
import { Boxes, ExternalLink, Loader2 } from 'lucide-react';
import Link from 'next/link';
import { isLive, JobProgress, JobStatusBadge, useLiveJob } from '@/components/job-status';
import {
  DownloadButton,
  downloadName,
  ShareDialogButton,
  UseAsReferenceButton,
} from '@/components/output-actions';
import { Alert, AlertDescription, AlertTitle } from '@/components/ui/alert';
import { Button } from '@/components/ui/button';
import { CompareSlider } from '@/components/ui/compare-slider';
import { Skeleton } from '@/components/ui/skeleton';
import { describeError } from '@/lib/error-messages';

const STATUS_WORDS = {
  QUEUED: 'The edit is queued.',
  RUNNING: 'The edit is running.',
  SUCCEEDED: 'The edit is done.',
  FAILED: 'The edit failed.',
  CANCELED: 'The edit was canceled.',
} as const;

export interface SourcePhoto {
  url: string;
  width: number;
  height: number;
}

/** The edit job behind `?job=`: live progress, then the before/after comparison. */
export function EditResult({ jobId, source }: { jobId: string; source: SourcePhoto | null }) {
  const job = useLiveJob(jobId);
  if (job.isPending) {
    // The result keeps the photo's shape: reserve it while the job loads.
    return (
      <Skeleton
        className="w-full rounded-lg"
        style={{ aspectRatio: source ? `${source.width} / ${source.height}` : '1 / 1' }}
      />
    );
  }
  if (job.isError) {
    const err = describeError(job.error);
    return (
      <Alert variant="destructive" role="alert">
        <AlertTitle>{err.code === 'NOT_FOUND' ? 'This edit does not exist' : err.title}</AlertTitle>
        <AlertDescription>{err.message}</AlertDescription>
      </Alert>
    );
  }
  const j = job.data;
  const output = j.outputs[0];
  const request = (j.request ?? {}) as { targetPrompt?: string };
  const title = request.targetPrompt ?? 'Edited photo';

  return (
    <div className="grid gap-4">
      <p role="status" className="sr-only">
        {STATUS_WORDS[j.status]}
      </p>
      <div className="flex flex-wrap items-center justify-between gap-2">
        <h2 className="text-lg font-semibold">
          {j.status === 'SUCCEEDED' ? 'Before and after' : 'Your edit'}
        </h2>
        <JobStatusBadge status={j.status} cancelRequested={j.cancelRequested} />
      </div>

      {isLive(j.status) && (
        <>
          <div className="relative flex aspect-square w-full items-center justify-center overflow-hidden rounded-lg bg-muted">
            {j.previewUrl ? (
              <img
                src={j.previewUrl}
                alt="Preview of the edit in progress"
                width={512}
                height={512}
                className="size-full object-contain"
              />
            ) : (
              <div className="grid place-items-center gap-2 px-6 text-center text-sm text-muted-foreground">
                <Loader2 className="size-6 animate-spin" aria-hidden="true" />
                {j.status === 'QUEUED'
                  ? 'In the queue for a GPU'
                  : 'Learning your photo, then redrawing it'}
              </div>
            )}
          </div>
          <JobProgress
            status={j.status}
            progress={j.progress}
            startedAt={j.startedAt}
            cancelRequested={j.cancelRequested}
          />
          <p className="text-sm text-muted-foreground">
            You can leave this page: the edit keeps going and lands in your{' '}
            <Link href="/gallery" className="text-primary underline">
              gallery
            </Link>
            .
          </p>
        </>
      )}

      {j.status === 'FAILED' && (
        <Alert variant="destructive" role="alert">
          <AlertTitle>The edit failed</AlertTitle>
          <AlertDescription>
            <p>{j.error?.message || 'The worker could not finish it.'}</p>
            <p>Your {j.price} credits were returned. Try a smaller strength or fewer steps.</p>
          </AlertDescription>
        </Alert>
      )}
      {j.status === 'CANCELED' && (
        <Alert>
          <AlertTitle>Canceled</AlertTitle>
          <AlertDescription>Your {j.price} credits were returned.</AlertDescription>
        </Alert>
      )}

      {output &&
        (source ? (
          <CompareSlider
            before={{ src: source.url, alt: 'The original photo' }}
            after={{ src: output.url, alt: `Result: ${title}` }}
            width={output.width}
            height={output.height}
          />
        ) : (
          <img
            src={output.url}
            alt={`Result: ${title}`}
            width={output.width}
            height={output.height}
            className="h-auto w-full rounded-lg border bg-muted"
          />
        ))}
      {output && (
        <>
          {source && (
            <p className="text-sm text-muted-foreground">
              Drag the handle, or focus it and use the arrow keys, to compare.
            </p>
          )}
          <div className="flex flex-wrap gap-2">
            <DownloadButton url={output.url} filename={downloadName(title, j.id)} />
            <UseAsReferenceButton outputId={output.id} />
            <ShareDialogButton outputId={output.id} shareSlug={output.shareSlug} prompt={title} />
            <Button asChild variant="ghost" size="sm">
              <Link href={`/jobs/${j.id}`}>
                <ExternalLink aria-hidden="true" />
                Job details
              </Link>
            </Button>
          </div>
        </>
      )}
      {j.adapter && (
        <p className="flex flex-wrap items-center gap-2 text-sm text-muted-foreground">
          <Boxes className="size-4" aria-hidden="true" />
          What was learned from your photo is kept as the adapter “{j.adapter.name}”.
          <Link href="/adapters" className="text-primary underline">
            Your adapters
          </Link>
        </p>
      )}
    </div>
  );
}
