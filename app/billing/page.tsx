import { requireUser } from '@/lib/require-user';
import { Billing } from './billing';

export const metadata = { title: 'Credits and billing · Adapter Studio' };

export default async function BillingPage({
  searchParams,
}: {
  searchParams: Promise<{ canceled?: string }>;
}) {
  await requireUser();
  const { canceled } = await searchParams;
  return <Billing canceled={canceled === '1'} />;
}
