import { requireUser } from '@/lib/require-user';
import { Library } from './library';

export const metadata = { title: 'Library · Adapter Studio' };

export default async function LibraryPage() {
  await requireUser();
  return <Library />;
}
