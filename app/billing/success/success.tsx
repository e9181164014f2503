'use client';
import { useQuery } from '@tanstack/react-query';
import { CheckCircle2 } from 'lucide-react';
import Link from 'next/link';
import { useState } from 'react';
import { Button } from '@/components/ui/button';
import { Skeleton } from '@/components/ui/skeleton';
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
    <section className="mx-auto grid max-w-md justify-items-center gap-5 rounded-2xl border bg-card p-8 text-center shadow-xs">
      <CheckCircle2 className="size-12 text-success" aria-hidden="true" />
      <h1 className="text-2xl font-bold tracking-tight">Thank you</h1>
      <p className="text-muted-foreground">
        Your credits appear as soon as Stripe confirms the payment, usually within seconds.
      </p>
      <div role="status" aria-live="polite" className="text-lg">
        {me.data ? (
          <>
            Balance now: <strong className="tabular-nums">{me.data.credits.available}</strong>{' '}
            credits
          </>
        ) : (
          <Skeleton className="h-7 w-48" />
        )}
      </div>
      <div className="flex flex-wrap justify-center gap-3">
        <Button asChild>
          <Link href="/generate">Start generating</Link>
        </Button>
        <Button asChild variant="outline">
          <Link href="/billing">Billing and history</Link>
        </Button>
      </div>
    </section>
  );
}
