'use client';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import Link from 'next/link';
import { useTRPC } from '@/lib/trpc';

const LIVE = new Set(['QUEUED', 'RUNNING']);

export function JobView({ id }: { id: string }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const job = useQuery({
    ...trpc.jobs.get.queryOptions({ id }),
    // Live progress: poll once a second while the job can still change.
    refetchInterval: (q) => (q.state.data && !LIVE.has(q.state.data.status) ? false : 1000),
  });
  const cancel = useMutation(
    trpc.jobs.cancel.mutationOptions({
      onSuccess: () => queryClient.invalidateQueries({ queryKey: trpc.jobs.get.queryKey({ id }) }),
    }),
  );

  if (job.isPending) return <p className="muted">Loading…</p>;
  if (job.isError) {
    return (
      <p role="alert" className="error">
        {job.error.message} <Link href="/generate">Start a new generation</Link>
      </p>
    );
  }
  const j = job.data;
  const pct = j.progress.total ? Math.round((100 * j.progress.step) / j.progress.total) : 0;
  const request = j.request as { prompt?: string } | null;
  return (
    <section className="job">
      <h1>{request?.prompt ?? 'Job'}</h1>
      <p data-testid="job-status">
        <strong>{j.status.toLowerCase()}</strong>
        {j.cancelRequested && LIVE.has(j.status) && ' · canceling…'} · {j.price} credits
      </p>
      {LIVE.has(j.status) && (
        <>
          <progress max={100} value={pct} aria-label="Progress" data-testid="progress">
            {pct}%
          </progress>
          <p className="muted">
            {j.status === 'QUEUED'
              ? 'Waiting for a GPU…'
              : `Step ${j.progress.step} of ${j.progress.total}`}
          </p>
          {j.previewUrl && (
            <img
              className="preview"
              src={j.previewUrl}
              alt="Preview of the image being generated"
              width={256}
              height={256}
            />
          )}
          <button
            type="button"
            className="secondary"
            onClick={() => cancel.mutate({ id })}
            disabled={cancel.isPending || j.cancelRequested}
          >
            Cancel
          </button>
        </>
      )}
      {j.error && (
        <p role="alert" className="error">
          Failed: {j.error.message} (your credits were returned)
        </p>
      )}
      {j.status === 'CANCELED' && <p className="muted">Canceled; your credits were returned.</p>}
      {j.adapter && (
        <p>
          Adapter ready: <strong>{j.adapter.name}</strong> —{' '}
          <Link href={`/generate?adapter=${j.adapter.id}`}>use it in Generate</Link>
        </p>
      )}
      {j.adapter?.samples.map((url, i) => (
        <img
          key={url}
          src={url}
          alt={`Sample ${i + 1} from the trained adapter`}
          width={256}
          height={256}
          className="preview"
        />
      ))}
      <div className="outputs">
        {j.outputs.map((o) => (
          <figure key={o.id}>
            <img
              src={o.url}
              alt={`Result ${o.index + 1}`}
              width={o.width}
              height={o.height}
              data-testid="result"
            />
            <figcaption className="muted">
              seed {o.seed} ·{' '}
              <a href={o.url} download>
                download
              </a>
            </figcaption>
          </figure>
        ))}
      </div>
      <p>
        <Link href="/generate">New generation</Link> · <Link href="/gallery">Gallery</Link>
      </p>
    </section>
  );
}
