import { requireUser } from '@/lib/require-user';
import { Adapters } from './adapters';

export const metadata = { title: 'Adapters · Adapter Studio' };

export default async function AdaptersPage() {
  await requireUser();
  return <Adapters />;
}
