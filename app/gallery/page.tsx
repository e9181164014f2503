import { Suspense } from 'react';
import { requireUser } from '@/lib/require-user';
import { Gallery } from './gallery';

export const metadata = { title: 'Gallery · Adapter Studio' };

export default async function GalleryPage() {
  await requireUser();
  // The gallery reads its filters from the address; Suspense lets the shell render first.
  return (
    <Suspense
      fallback={<h1 className="text-2xl font-semibold tracking-tight sm:text-3xl">Gallery</h1>}
    >
      <Gallery />
    </Suspense>
  );
}
