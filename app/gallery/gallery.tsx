'use client';
import { skipToken, useInfiniteQuery } from '@tanstack/react-query';
import { Images, Loader2, RefreshCw, Sparkles, Wand2 } from 'lucide-react';
import Link from 'next/link';
import { usePathname, useRouter, useSearchParams } from 'next/navigation';
import { useEffect, useRef } from 'react';
import { PageHeader } from '@/components/page-header';
import { Alert, AlertDescription, AlertTitle } from '@/components/ui/alert';
import { Button } from '@/components/ui/button';
import { EmptyState } from '@/components/ui/empty-state';
import { describeError } from '@/lib/error-messages';
import { useTRPC } from '@/lib/trpc';
import {
  hasFilters,
  readFilters,
  toQueryInput,
  writeFilters,
  type GalleryFilters,
} from './filters';
import { GalleryFilterBar } from './gallery-filters';
import {
  GALLERY_DESCRIPTION,
  GALLERY_GRID as GRID,
  GALLERY_TITLE,
  GalleryGridSkeleton,
  GalleryTileSkeleton,
} from './gallery-skeleton';
import { GalleryTile } from './gallery-tile';

export function Gallery() {
  const trpc = useTRPC();
  const router = useRouter();
  const pathname = usePathname();
  const params = useSearchParams();
  const filters = readFilters(new URLSearchParams(params.toString()));
  const input = toQueryInput(filters);
  const pages = useInfiniteQuery(
    trpc.jobs.gallery.infiniteQueryOptions(input ?? skipToken, {
      getNextPageParam: (p) => p.nextCursor ?? undefined,
    }),
  );
  const { hasNextPage, isFetchingNextPage, fetchNextPage } = pages;
  const sentinel = useRef<HTMLDivElement>(null);

  // Load the next page before the person reaches the end; the button below does it by hand.
  useEffect(() => {
    const el = sentinel.current;
    if (!el || !hasNextPage) return;
    const io = new IntersectionObserver(
      (entries) => {
        if (entries.some((e) => e.isIntersecting) && !isFetchingNextPage) void fetchNextPage();
      },
      { rootMargin: '800px 0px' },
    );
    io.observe(el);
    return () => io.disconnect();
  }, [hasNextPage, isFetchingNextPage, fetchNextPage]);

  const setFilters = (next: GalleryFilters) =>
    router.replace(`${pathname}${writeFilters(next)}`, { scroll: false });
  const items = pages.data?.pages.flatMap((p) => p.items) ?? [];
  const filtered = hasFilters(filters);

  let body;
  if (!input) {
    body = null; // the filter bar explains the backwards range
  } else if (pages.isPending) {
    body = <GalleryGridSkeleton />;
  } else if (pages.isError) {
    const err = describeError(pages.error);
    body = (
      <Alert variant="destructive" role="alert">
        <AlertTitle>{err.title}</AlertTitle>
        <AlertDescription>
          <p>{err.message}</p>
          <Button type="button" variant="outline" size="sm" onClick={() => void pages.refetch()}>
            <RefreshCw aria-hidden="true" />
            Try again
          </Button>
        </AlertDescription>
      </Alert>
    );
  } else if (items.length === 0) {
    body = filtered ? (
      <EmptyState
        icon={<Images />}
        title="No images match these filters"
        description="Try a wider date range, another kind or adapter."
        action={
          <Button type="button" variant="outline" onClick={() => setFilters({})}>
            Clear filters
          </Button>
        }
      />
    ) : (
      <EmptyState
        icon={<Images />}
        title="Nothing here yet"
        description="Everything you generate or edit lands here, ready to download, remix or share."
        action={
          <>
            <Button asChild>
              <Link href="/generate">
                <Sparkles aria-hidden="true" />
                Generate an image
              </Link>
            </Button>
            <Button asChild variant="outline">
              <Link href="/edit">
                <Wand2 aria-hidden="true" />
                Edit a photo
              </Link>
            </Button>
          </>
        }
      />
    );
  } else {
    body = (
      <>
        <ul className={GRID} aria-label="Your images">
          {items.map((item, i) => (
            <GalleryTile key={item.id} item={item} priority={i < 4} />
          ))}
          {isFetchingNextPage &&
            Array.from({ length: 4 }, (_, i) => <GalleryTileSkeleton key={`more-${i}`} />)}
        </ul>
        <div ref={sentinel} aria-hidden="true" />
        <div className="mt-8 flex flex-col items-center gap-2">
          {hasNextPage ? (
            <Button
              type="button"
              variant="outline"
              onClick={() => void fetchNextPage()}
              disabled={isFetchingNextPage}
              aria-busy={isFetchingNextPage || undefined}
            >
              {isFetchingNextPage && <Loader2 className="animate-spin" aria-hidden="true" />}
              {isFetchingNextPage ? 'Loading…' : 'Load more'}
            </Button>
          ) : (
            items.length > 8 && <p className="text-sm text-muted-foreground">That is everything.</p>
          )}
          <p role="status" className="sr-only">
            {items.length} {items.length === 1 ? 'image' : 'images'} shown
            {hasNextPage ? ', more to load' : ''}
          </p>
        </div>
      </>
    );
  }

  return (
    <div>
      <PageHeader
        title={GALLERY_TITLE}
        description={GALLERY_DESCRIPTION}
        actions={
          <Button asChild>
            <Link href="/generate">
              <Sparkles aria-hidden="true" />
              New generation
            </Link>
          </Button>
        }
      />
      <GalleryFilterBar
        filters={filters}
        onChange={setFilters}
        rangeError={input ? null : 'The “To” date is before the “From” date.'}
      />
      <div className="mt-6">{body}</div>
    </div>
  );
}
