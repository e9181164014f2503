'use client';
import { useInfiniteQuery } from '@tanstack/react-query';
import Link from 'next/link';
import { useTRPC } from '@/lib/trpc';

export function Gallery() {
  const trpc = useTRPC();
  const pages = useInfiniteQuery(
    trpc.jobs.gallery.infiniteQueryOptions(
      { limit: 24 },
      { getNextPageParam: (p) => p.nextCursor ?? undefined },
    ),
  );
  if (pages.isPending) return <p className="muted">Loading…</p>;
  if (pages.isError)
    return (
      <p role="alert" className="error">
        {pages.error.message}
      </p>
    );
  const items = pages.data.pages.flatMap((p) => p.items);
  return (
    <section>
      <h1>Gallery</h1>
      {items.length === 0 && (
        <p className="muted">
          Nothing here yet. <Link href="/generate">Generate your first image</Link>.
        </p>
      )}
      <div className="grid">
        {items.map((o) => (
          <Link key={o.id} href={`/jobs/${o.jobId}`} className="tile">
            <img src={o.url} alt={o.prompt} width={o.width} height={o.height} loading="lazy" />
          </Link>
        ))}
      </div>
      {pages.hasNextPage && (
        <button
          type="button"
          className="secondary"
          onClick={() => void pages.fetchNextPage()}
          disabled={pages.isFetchingNextPage}
        >
          Load more
        </button>
      )}
    </section>
  );
}
