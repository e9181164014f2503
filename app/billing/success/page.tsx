import { requireUser } from '@/lib/require-user';
import { PurchaseSuccess } from './success';

export const metadata = { title: 'Thank you · Adapter Studio' };

export default async function SuccessPage() {
  await requireUser();
  return <PurchaseSuccess />;
}
