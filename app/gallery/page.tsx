import { requireUser } from '@/lib/require-user';
import { Gallery } from './gallery';

export const metadata = { title: 'Gallery · Adapter Studio' };

export default async function GalleryPage() {
  await requireUser();
  return <Gallery />;
}
