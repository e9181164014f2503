'use client';
// A job's state as people see it: a badge, a progress bar with what is happening and roughly how
// long is left, and a hook that polls jobs.get while the job can still change.
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef } from 'react';
import { Badge } from '@/components/ui/badge';
import { Progress } from '@/components/ui/progress';
import { describeError } from '@/lib/error-messages';
import { useTRPC } from '@/lib/trpc';
import { cn } from '@/lib/utils';

export type JobStatus = 'QUEUED' | 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'CANCELED';

export const isLive = (status: JobStatus) => status === 'QUEUED' || status === 'RUNNING';

const STATUS: Record<
  JobStatus,
  { label: string; variant: 'secondary' | 'accent' | 'success' | 'destructive' | 'outline' }
> = {
  QUEUED: { label: 'Queued', variant: 'secondary' },
  RUNNING: { label: 'Running', variant: 'accent' },
  SUCCEEDED: { label: 'Done', variant: 'success' },
  FAILED: { label: 'Failed', variant: 'destructive' },
  CANCELED: { label: 'Canceled', variant: 'outline' },
};

export function JobStatusBadge({
  status,
  cancelRequested = false,
  className,
}: {
  status: JobStatus;
  cancelRequested?: boolean;
  className?: string;
}) {
  const s = STATUS[status];
  const canceling = cancelRequested && isLive(status);
  return (
    <Badge variant={canceling ? 'warning' : s.variant} className={className}>
      {status === 'RUNNING' && !canceling && (
        <span aria-hidden="true" className="size-1.5 animate-pulse rounded-full bg-current" />
      )}
      {canceling ? 'Canceling…' : s.label}
    </Badge>
  );
}

function secondsLeft(step: number, total: number, startedAt: Date | null): number | null {
  if (!startedAt || step < 1 || total <= step) return null;
  const elapsed = (Date.now() - startedAt.getTime()) / 1000;
  if (elapsed <= 0) return null;
  return Math.max(1, Math.round((elapsed / step) * (total - step)));
}

function formatLeft(s: number): string {
  if (s < 60) return `about ${s} s left`;
  const m = Math.round(s / 60);
  return m < 60 ? `about ${m} min left` : `about ${Math.round(m / 60)} h left`;
}

/** The bar and one line of words under it; the bar is a labelled progressbar. */
export function JobProgress({
  status,
  progress,
  startedAt,
  cancelRequested = false,
  label = 'Progress',
  className,
}: {
  status: JobStatus;
  progress: { step: number; total: number };
  startedAt: Date | null;
  cancelRequested?: boolean;
  /** The bar's accessible name; say whose progress it is when a page shows several. */
  label?: string;
  className?: string;
}) {
  const pct = progress.total ? Math.round((100 * progress.step) / progress.total) : 0;
  const left = status === 'RUNNING' ? secondsLeft(progress.step, progress.total, startedAt) : null;
  let words: string;
  if (cancelRequested) words = 'Stopping at the next step…';
  else if (status === 'QUEUED') words = 'Waiting for a GPU…';
  else if (progress.total === 0) words = 'Starting…';
  else words = `Step ${progress.step} of ${progress.total}${left ? ` · ${formatLeft(left)}` : ''}`;
  return (
    <div className={cn('grid gap-2', className)}>
      <div className="flex items-baseline justify-between gap-3 text-sm">
        <span className="text-muted-foreground">{words}</span>
        <span className="font-medium tabular-nums">{pct}%</span>
      </div>
      <Progress value={pct} aria-label={label} aria-valuetext={`${pct}%, ${words}`} />
    </div>
  );
}

/**
 * jobs.get, polled every second while the job is queued or running. When it finishes, what it
 * changed elsewhere is refreshed: the credit balance, the gallery, the adapters.
 */
export function useLiveJob(id: string | null) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const job = useQuery({
    ...trpc.jobs.get.queryOptions({ id: id ?? '' }),
    enabled: Boolean(id),
    refetchInterval: (q) => {
      if (q.state.status === 'error' && !q.state.data) return false; // shown with a retry button
      return q.state.data && !isLive(q.state.data.status) ? false : 1000;
    },
    // A missing or foreign job stays missing: say so at once instead of asking again.
    retry: (count, err) =>
      !['NOT_FOUND', 'UNAUTHENTICATED'].includes(describeError(err).code) && count < 2,
  });
  const status = job.data?.status;
  const previous = useRef(status);
  useEffect(() => {
    const was = previous.current;
    previous.current = status;
    if (was && status && isLive(was) && !isLive(status)) {
      void queryClient.invalidateQueries(trpc.account.me.queryFilter());
      void queryClient.invalidateQueries(trpc.jobs.gallery.pathFilter());
      void queryClient.invalidateQueries(trpc.jobs.list.pathFilter());
      void queryClient.invalidateQueries(trpc.adapters.list.queryFilter());
    }
  }, [status, queryClient, trpc]);
  return job;
}
