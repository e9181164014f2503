import { orUndefined, serverCaller } from '@/components/account/server-caller';
import { requireUser } from '@/lib/require-user';
import { Billing, LEDGER_PAGE } from './billing';

export const metadata = { title: 'Credits and billing · Adapter Studio' };

export default async function BillingPage({
  searchParams,
}: {
  searchParams: Promise<{ canceled?: string }>;
}) {
  const user = await requireUser();
  const caller = await serverCaller(user);
  const [{ canceled }, me, catalog, ledger] = await Promise.all([
    searchParams,
    orUndefined(caller.account.me()),
    orUndefined(caller.billing.catalog()),
    orUndefined(caller.billing.ledger({ limit: LEDGER_PAGE })),
  ]);
  return <Billing canceled={canceled === '1'} initial={{ me, catalog, ledger }} />;
}
