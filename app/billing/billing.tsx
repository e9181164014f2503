'use client';
import { useInfiniteQuery, useMutation, useQuery } from '@tanstack/react-query';
import { Check, ExternalLink, History, Info, Loader2 } from 'lucide-react';
import { useState, type ComponentProps } from 'react';
import { LedgerList } from '@/components/account/ledger-list';
import { NegativeBalanceAlert } from '@/components/account/negative-balance-alert';
import { Alert, AlertDescription, AlertTitle } from '@/components/ui/alert';
import { Badge } from '@/components/ui/badge';
import { Button } from '@/components/ui/button';
import {
  Card,
  CardContent,
  CardDescription,
  CardFooter,
  CardHeader,
  CardTitle,
} from '@/components/ui/card';
import { EmptyState } from '@/components/ui/empty-state';
import { Skeleton } from '@/components/ui/skeleton';
import { toastError } from '@/lib/error-messages';
import { useTRPC } from '@/lib/trpc';
import type { AccountInitial } from '../dashboard/account-summary';

export const LEDGER_PAGE = 20;

export function Billing({ canceled, initial }: { canceled: boolean; initial: AccountInitial }) {
  const trpc = useTRPC();
  const catalog = useQuery({
    ...trpc.billing.catalog.queryOptions(),
    initialData: initial.catalog,
  });
  const me = useQuery({ ...trpc.account.me.queryOptions(), initialData: initial.me });
  const ledger = useInfiniteQuery(
    trpc.billing.ledger.infiniteQueryOptions(
      { limit: LEDGER_PAGE },
      {
        getNextPageParam: (p) => p.nextCursor ?? undefined,
        initialData: initial.ledger
          ? // The first page's param is the input's cursor, undefined (typed string | null).
            { pages: [initial.ledger], pageParams: [undefined as unknown as null] }
          : undefined,
      },
    ),
  );
  // Which item's checkout is being opened: only that button spins; all wait.
  const [opening, setOpening] = useState<string | null>(null);
  const checkout = useMutation(
    trpc.billing.checkout.mutationOptions({
      onSuccess: ({ url }) => window.location.assign(url),
      onError: (e) => {
        setOpening(null);
        toastError(e, { title: 'Could not open checkout' });
      },
    }),
  );
  const portal = useMutation(
    trpc.billing.portal.mutationOptions({
      onSuccess: ({ url }) => window.location.assign(url),
      onError: (e) => toastError(e, { title: 'Could not open the billing portal' }),
    }),
  );
  const buy = (key: string) => {
    setOpening(key);
    checkout.mutate({ item: key });
  };
  const c = catalog.data;
  const busy = opening !== null;
  const entries = ledger.data?.pages.flatMap((p) => p.items);

  return (
    <div className="grid gap-10">
      <header className="grid gap-2">
        <h1 className="text-3xl font-bold tracking-tight">Credits and billing</h1>
        {me.data ? (
          <p className="text-lg">
            Balance{' '}
            <strong data-testid="balance" className="tabular-nums">
              {me.data.credits.available}
            </strong>{' '}
            credits
            {me.data.credits.held > 0 && (
              <span className="text-muted-foreground"> · {me.data.credits.held} held</span>
            )}
            <span className="text-muted-foreground"> · </span>
            <Badge variant="accent" className="align-middle">
              {c?.plans.find((p) => p.key === me.data.plan)?.name ?? me.data.plan} plan
            </Badge>
          </p>
        ) : (
          <Skeleton className="h-7 w-72" />
        )}
      </header>

      <NegativeBalanceAlert available={me.data?.credits.available} />
      {canceled && (
        <Alert variant="info">
          <Info aria-hidden="true" />
          <AlertTitle>Checkout canceled</AlertTitle>
          <AlertDescription>Nothing was charged.</AlertDescription>
        </Alert>
      )}
      {c && !c.paymentsConfigured && (
        <Alert variant="warning" data-testid="payments-not-configured">
          <Info aria-hidden="true" />
          <AlertTitle>Payments are not configured on this server</AlertTitle>
          <AlertDescription>
            Credits cannot be bought here, so the buttons below are off. Everything else works with
            the credits you have.
          </AlertDescription>
        </Alert>
      )}

      <section aria-labelledby="packs-title" className="grid gap-4">
        <div className="grid gap-1">
          <h2 id="packs-title" className="text-xl font-semibold">
            Credit packs
          </h2>
          <p className="text-sm text-muted-foreground">Pay once, use them whenever you like.</p>
        </div>
        <ul className="grid gap-4 sm:grid-cols-3">
          {c
            ? c.packs.map((p) => (
                <li key={p.key}>
                  <Card className="h-full gap-4">
                    <CardHeader>
                      <CardTitle asChild>
                        <h3>{p.name}</h3>
                      </CardTitle>
                      <CardDescription className="text-2xl font-bold text-foreground">
                        {p.display}
                      </CardDescription>
                    </CardHeader>
                    <CardFooter className="mt-auto">
                      <BuyButton
                        disabled={!p.onSale || busy}
                        opening={opening === p.key}
                        onClick={() => buy(p.key)}
                        aria-label={`Buy ${p.name} for ${p.display}`}
                      >
                        Buy
                      </BuyButton>
                    </CardFooter>
                  </Card>
                </li>
              ))
            : Array.from({ length: 3 }, (_, i) => (
                <li key={i}>
                  <Skeleton className="h-40" />
                </li>
              ))}
        </ul>
      </section>

      <section id="plans" aria-labelledby="plans-title" className="grid scroll-mt-24 gap-4">
        <div className="grid gap-1">
          <h2 id="plans-title" className="text-xl font-semibold">
            Monthly plans
          </h2>
          <p className="text-sm text-muted-foreground">
            Credits every month, more jobs at once, a faster queue. Cancel any time.
          </p>
        </div>
        <ul className="grid gap-4 md:grid-cols-3">
          {c
            ? c.plans.map((p) => {
                const current = me.data?.plan === p.key;
                return (
                  <li key={p.key}>
                    <Card
                      className={current ? 'h-full border-primary ring-1 ring-primary' : 'h-full'}
                    >
                      <CardHeader>
                        <CardTitle asChild>
                          <h3 className="flex items-center gap-2">
                            {p.name}
                            {current && <Badge>Your plan</Badge>}
                          </h3>
                        </CardTitle>
                        <CardDescription className="text-2xl font-bold text-foreground">
                          {p.display}
                        </CardDescription>
                      </CardHeader>
                      <CardContent className="flex-1">
                        <ul className="grid gap-1.5 text-sm">
                          {[
                            p.credits
                              ? `${p.credits.toLocaleString('en-US')} credits a month`
                              : 'Pay as you go',
                            `Up to ${p.maxActiveJobs} jobs at once`,
                            p.priority ? 'Priority queue' : 'Standard queue',
                          ].map((f) => (
                            <li key={f} className="flex gap-2">
                              <Check
                                className="mt-0.5 size-4 shrink-0 text-success"
                                aria-hidden="true"
                              />
                              {f}
                            </li>
                          ))}
                        </ul>
                      </CardContent>
                      {p.key !== 'free' && (
                        <CardFooter>
                          <BuyButton
                            variant={current ? 'outline' : 'default'}
                            disabled={!p.onSale || busy || current}
                            opening={opening === p.key}
                            onClick={() => buy(p.key)}
                            aria-label={current ? `${p.name}: your plan` : `Subscribe to ${p.name}`}
                          >
                            {current ? 'Your plan' : 'Subscribe'}
                          </BuyButton>
                        </CardFooter>
                      )}
                    </Card>
                  </li>
                );
              })
            : Array.from({ length: 3 }, (_, i) => (
                <li key={i}>
                  <Skeleton className="h-56" />
                </li>
              ))}
        </ul>
        {c?.paymentsConfigured && (
          <p>
            <Button
              type="button"
              variant="outline"
              onClick={() => portal.mutate()}
              disabled={portal.isPending}
            >
              {portal.isPending ? (
                <Loader2 className="animate-spin" aria-hidden="true" />
              ) : (
                <ExternalLink aria-hidden="true" />
              )}
              Manage plan and invoices
            </Button>
          </p>
        )}
      </section>

      <section id="history" aria-labelledby="history-title" className="grid scroll-mt-24 gap-4">
        <div className="grid gap-1">
          <h2 id="history-title" className="text-xl font-semibold">
            Every credit movement
          </h2>
          <p className="text-sm text-muted-foreground">
            Held when a job starts, spent when it succeeds, returned when it fails.
          </p>
        </div>
        <div className="rounded-xl border bg-card px-4 sm:px-6">
          {ledger.isError ? (
            <Alert variant="destructive" role="alert" className="my-4">
              <AlertTitle>Could not load your history</AlertTitle>
              <AlertDescription>
                <Button
                  type="button"
                  variant="outline"
                  size="sm"
                  onClick={() => void ledger.refetch()}
                >
                  Try again
                </Button>
              </AlertDescription>
            </Alert>
          ) : entries?.length === 0 ? (
            <EmptyState
              className="my-4 border-0"
              icon={<History />}
              headingLevel={3}
              title="No movements yet"
              description="Credits you receive and spend will be listed here."
            />
          ) : (
            <LedgerList entries={entries} loading={ledger.isPending} />
          )}
        </div>
        {ledger.hasNextPage && (
          <p>
            <Button
              type="button"
              variant="outline"
              disabled={ledger.isFetchingNextPage}
              onClick={() => void ledger.fetchNextPage()}
            >
              {ledger.isFetchingNextPage && <Loader2 className="animate-spin" aria-hidden="true" />}
              Older movements
            </Button>
          </p>
        )}
      </section>
    </div>
  );
}

/** A pack's or plan's checkout button, spinning while its checkout page opens. */
function BuyButton({
  opening,
  children,
  ...props
}: Omit<ComponentProps<typeof Button>, 'type' | 'className'> & { opening: boolean }) {
  return (
    <Button type="button" className="w-full" {...props}>
      {opening && <Loader2 className="animate-spin" aria-hidden="true" />}
      {children}
    </Button>
  );
}
