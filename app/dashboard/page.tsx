import { requireUser } from '@/lib/require-user';
import { AccountSummary } from './account-summary';

export const metadata = { title: 'Your account · Adapter Studio' };

export default async function DashboardPage() {
  await requireUser();
  return <AccountSummary />;
}
