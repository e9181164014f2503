import { orUndefined, serverCaller } from '@/components/account/server-caller';
import { requireUser } from '@/lib/require-user';
import { AccountSummary } from './account-summary';

export const metadata = { title: 'Your account · Adapter Studio' };

export default async function DashboardPage() {
  const user = await requireUser();
  const caller = await serverCaller(user);
  const [me, catalog, ledger] = await Promise.all([
    orUndefined(caller.account.me()),
    orUndefined(caller.billing.catalog()),
    orUndefined(caller.billing.ledger({ limit: 5 })),
  ]);
  return <AccountSummary initial={{ me, catalog, ledger }} />;
}
