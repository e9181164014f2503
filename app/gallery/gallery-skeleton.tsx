import { PageHeader } from '@/components/page-header';
import { Skeleton } from '@/components/ui/skeleton';

export const GALLERY_TITLE = 'Gallery';
export const GALLERY_DESCRIPTION =
  'Everything you have made. Open one for its settings, or remix, download, share and reuse it from here.';
export const GALLERY_GRID =
  'grid grid-cols-1 gap-4 min-[480px]:grid-cols-2 md:grid-cols-3 xl:grid-cols-4';

/** One tile's shape while it loads (same box as a real tile, so nothing jumps). */
export function GalleryTileSkeleton() {
  return (
    <li aria-hidden="true" className="flex flex-col overflow-hidden rounded-xl border bg-card">
      <div className="aspect-square animate-pulse bg-muted" />
      <div className="grid gap-2 p-3">
        <div className="h-4 w-4/5 animate-pulse rounded bg-muted" />
        <div className="h-3 w-1/3 animate-pulse rounded bg-muted" />
        <div className="h-8 w-full animate-pulse rounded bg-muted" />
      </div>
    </li>
  );
}

export function GalleryGridSkeleton({ count = 8 }: { count?: number }) {
  return (
    <ul className={GALLERY_GRID} aria-busy="true" aria-label="Loading images">
      {Array.from({ length: count }, (_, i) => (
        <GalleryTileSkeleton key={i} />
      ))}
    </ul>
  );
}

/** The whole page's shape before the gallery's client code has read the address. */
export function GalleryPageSkeleton() {
  return (
    <div>
      <PageHeader title={GALLERY_TITLE} description={GALLERY_DESCRIPTION} />
      <Skeleton className="h-[13.75rem] w-full rounded-xl sm:h-[6rem]" />
      <div className="mt-6">
        <GalleryGridSkeleton />
      </div>
    </div>
  );
}
