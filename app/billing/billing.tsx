'use client';
import { useInfiniteQuery, useMutation, useQuery } from '@tanstack/react-query';
import { useTRPC } from '@/lib/trpc';

const KIND_WORDS: Record<string, string> = {
  GRANT: 'Starter credits',
  HOLD: 'Held for a job',
  CAPTURE: 'Job finished',
  RELEASE: 'Returned (job failed or canceled)',
  PURCHASE: 'Credit pack',
  SUBSCRIPTION_GRANT: 'Monthly plan credits',
  REFUND: 'Refund',
  DISPUTE: 'Disputed payment',
  ADJUSTMENT: 'Adjustment',
};

export function Billing({ canceled }: { canceled: boolean }) {
  const trpc = useTRPC();
  const catalog = useQuery(trpc.billing.catalog.queryOptions());
  const me = useQuery(trpc.account.me.queryOptions());
  const ledger = useInfiniteQuery(
    trpc.billing.ledger.infiniteQueryOptions(
      { limit: 25 },
      { getNextPageParam: (p) => p.nextCursor ?? undefined },
    ),
  );
  const checkout = useMutation(
    trpc.billing.checkout.mutationOptions({ onSuccess: ({ url }) => window.location.assign(url) }),
  );
  const portal = useMutation(
    trpc.billing.portal.mutationOptions({ onSuccess: ({ url }) => window.location.assign(url) }),
  );
  const c = catalog.data;

  return (
    <section>
      <h1>Credits and billing</h1>
      {me.data && (
        <p>
          Balance: <strong data-testid="balance">{me.data.credits.available}</strong> credits · plan{' '}
          {me.data.plan}
          {me.data.credits.available < 0 && (
            <span className="error">
              {' '}
              — negative after a refund or dispute: add credits to start new jobs.
            </span>
          )}
        </p>
      )}
      {canceled && <p className="muted">Checkout canceled: nothing was charged.</p>}
      {c && !c.paymentsConfigured && (
        <p role="status" className="notice" data-testid="payments-not-configured">
          Payments are not configured on this server, so credits cannot be bought here. Everything
          else works.
        </p>
      )}
      {(checkout.error ?? portal.error) && (
        <p role="alert" className="error">
          {(checkout.error ?? portal.error)?.message}
        </p>
      )}
      <h2>Credit packs</h2>
      <ul className="grid">
        {c?.packs.map((p) => (
          <li key={p.key} className="card-tile">
            <strong>{p.name}</strong>
            <span>{p.display}, once</span>
            <button
              type="button"
              disabled={!p.onSale || checkout.isPending}
              onClick={() => checkout.mutate({ item: p.key })}
            >
              Buy
            </button>
          </li>
        ))}
      </ul>
      <h2>Monthly plans</h2>
      <ul className="grid">
        {c?.plans.map((p) => (
          <li key={p.key} className="card-tile">
            <strong>{p.name}</strong>
            <span>{p.display}</span>
            <span className="muted small">
              {p.credits} credits a month · up to {p.maxActiveJobs} jobs at once
              {p.priority ? ' · priority queue' : ''}
            </span>
            {p.key !== 'free' && (
              <button
                type="button"
                disabled={!p.onSale || checkout.isPending || me.data?.plan === p.key}
                onClick={() => checkout.mutate({ item: p.key })}
              >
                {me.data?.plan === p.key ? 'Your plan' : 'Subscribe'}
              </button>
            )}
          </li>
        ))}
      </ul>
      {c?.paymentsConfigured && (
        <p>
          <button
            type="button"
            className="secondary"
            onClick={() => portal.mutate()}
            disabled={portal.isPending}
          >
            Manage plan and invoices
          </button>
        </p>
      )}
      <h2>Every credit movement</h2>
      <table className="ledger">
        <thead>
          <tr>
            <th scope="col">When</th>
            <th scope="col">What</th>
            <th scope="col">Credits</th>
            <th scope="col">Balance</th>
            <th scope="col">Reference</th>
          </tr>
        </thead>
        <tbody>
          {ledger.data?.pages
            .flatMap((p) => p.items)
            .map((e) => (
              <tr key={e.id}>
                <td>{e.createdAt.toLocaleString()}</td>
                <td>{KIND_WORDS[e.kind] ?? e.kind}</td>
                <td>{e.amount > 0 ? `+${e.amount}` : e.amount}</td>
                <td>{e.balanceAfter}</td>
                <td>{e.jobId ? <a href={`/jobs/${e.jobId}`}>job</a> : (e.stripeRef ?? '')}</td>
              </tr>
            ))}
        </tbody>
      </table>
      {ledger.hasNextPage && (
        <button type="button" className="secondary" onClick={() => void ledger.fetchNextPage()}>
          Older movements
        </button>
      )}
    </section>
  );
}
