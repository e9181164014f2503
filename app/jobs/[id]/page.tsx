import { requireUser } from '@/lib/require-user';
import { JobView } from './job-view';

export const metadata = { title: 'Job · Adapter Studio' };

export default async function JobPage({ params }: { params: Promise<{ id: string }> }) {
  await requireUser();
  const { id } = await params;
  return <JobView id={id} />;
}
