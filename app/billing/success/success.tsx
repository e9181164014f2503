'use client';
import { useQuery } from '@tanstack/react-query';
import Link from 'next/link';
import { useState } from 'react';
import { useTRPC } from '@/lib/trpc';

// This page never grants anything: it shows the balance while the payment webhook arrives.
export function PurchaseSuccess() {
  const trpc = useTRPC();
  const [start] = useState(() => Date.now());
  const me = useQuery({
    ...trpc.account.me.queryOptions(),
    refetchInterval: () => (Date.now() - start < 60_000 ? 2000 : false),
  });
  return (
    <section className="card">
      <h1>Thank you</h1>
      <p>Your credits appear as soon as Stripe confirms the payment (usually within seconds).</p>
      {me.data && (
        <p>
          Balance now: <strong>{me.data.credits.available}</strong> credits · plan {me.data.plan}
        </p>
      )}
      <p>
        <Link href="/generate">Start generating</Link> ·{' '}
        <Link href="/billing">Billing and history</Link>
      </p>
    </section>
  );
}
