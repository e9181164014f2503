import { Suspense } from 'react';
import { requireUser } from '@/lib/require-user';
import { Gallery } from './gallery';
import { GalleryPageSkeleton } from './gallery-skeleton';

export const metadata = { title: 'Gallery · Adapter Studio' };

export default async function GalleryPage() {
  await requireUser();
  // The gallery reads its filters from the address; the fallback has the page's shape.
  return (
    <Suspense fallback={<GalleryPageSkeleton />}>
      <Gallery />
    </Suspense>
  );
}
