import { requireUser } from '@/lib/require-user';
import { ApiKeys } from './api-keys';
import { Webhooks } from './webhooks';

export const metadata = { title: 'API keys · Adapter Studio' };

export default async function DevelopersPage() {
  await requireUser();
  return (
    <>
      <ApiKeys />
      <Webhooks />
    </>
  );
}
