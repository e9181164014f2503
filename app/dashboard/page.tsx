import { headers } from 'next/headers';
import { redirect } from 'next/navigation';
import { getSessionUser } from '@/server/auth/session';
import { AccountSummary } from './account-summary';

export const metadata = { title: 'Dashboard · Adapter Studio' };

export default async function DashboardPage() {
  const user = await getSessionUser(await headers());
  if (!user) redirect('/sign-in');
  return <AccountSummary />;
}
