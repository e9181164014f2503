'use client';
import { useQuery } from '@tanstack/react-query';
import type { inferRouterOutputs } from '@trpc/server';
import {
  ArrowRight,
  Boxes,
  CreditCard,
  History,
  ImagePlus,
  KeyRound,
  LogOut,
  Sparkles,
  HardDrive,
  Wand2,
} from 'lucide-react';
import Link from 'next/link';
import { useState } from 'react';
import { LedgerList } from '@/components/account/ledger-list';
import { signOutAndLeave } from '@/components/site/sign-out';
import { NegativeBalanceAlert } from '@/components/account/negative-balance-alert';
import { VerifyEmailAlert } from '@/components/account/verify-email-alert';
import { Alert, AlertDescription, AlertTitle } from '@/components/ui/alert';
import { Badge } from '@/components/ui/badge';
import { Button } from '@/components/ui/button';
import {
  Card,
  CardAction,
  CardContent,
  CardDescription,
  CardFooter,
  CardHeader,
  CardTitle,
} from '@/components/ui/card';
import { EmptyState } from '@/components/ui/empty-state';
import { Progress } from '@/components/ui/progress';
import { Skeleton } from '@/components/ui/skeleton';
import { describeError } from '@/lib/error-messages';
import { formatBytes } from '@/lib/format-bytes';
import { useTRPC } from '@/lib/trpc';
import type { AppRouter } from '@/server/trpc/router';

const ACTIONS = [
  { href: '/generate', label: 'Generate', body: 'Words, pictures, structure', icon: Sparkles },
  { href: '/edit', label: 'Edit a photo', body: 'Change it with a sentence', icon: Wand2 },
  { href: '/library', label: 'Library', body: 'Your reference pictures', icon: ImagePlus },
  { href: '/adapters', label: 'Adapters', body: 'Your subjects and styles', icon: Boxes },
];

type Outputs = inferRouterOutputs<AppRouter>;

/** What the server already read for the first paint (undefined: the client fetches it). */
export interface AccountInitial {
  me?: Outputs['account']['me'];
  catalog?: Outputs['billing']['catalog'];
  ledger?: Outputs['billing']['ledger'];
}

export function AccountSummary({ initial }: { initial: AccountInitial }) {
  const trpc = useTRPC();
  const me = useQuery({ ...trpc.account.me.queryOptions(), initialData: initial.me });
  const catalog = useQuery({
    ...trpc.billing.catalog.queryOptions(),
    initialData: initial.catalog,
  });
  const ledger = useQuery({
    ...trpc.billing.ledger.queryOptions({ limit: 5 }),
    initialData: initial.ledger,
  });
  const [signingOut, setSigningOut] = useState(false);

  if (me.isError) {
    const d = describeError(me.error);
    return (
      <Alert variant="destructive" role="alert">
        <AlertTitle>Could not load your account</AlertTitle>
        <AlertDescription>
          {d.message}
          <Button type="button" variant="outline" size="sm" onClick={() => void me.refetch()}>
            Try again
          </Button>
        </AlertDescription>
      </Alert>
    );
  }

  const plan = catalog.data?.plans.find((p) => p.key === me.data?.plan);
  return (
    <div className="grid gap-8">
      <header className="flex flex-wrap items-end justify-between gap-4">
        <div className="grid gap-1">
          <h1 className="text-3xl font-bold tracking-tight">
            {me.data ? `Hello, ${me.data.name}` : 'Your account'}
          </h1>
          {me.data ? (
            <p className="text-muted-foreground">{me.data.email}</p>
          ) : (
            <Skeleton className="h-5 w-48" />
          )}
        </div>
        <Button
          type="button"
          variant="outline"
          disabled={signingOut}
          onClick={() => {
            setSigningOut(true);
            void signOutAndLeave();
          }}
        >
          <LogOut aria-hidden="true" />
          Sign out
        </Button>
      </header>

      <VerifyEmailAlert email={me.data?.email} verified={me.data?.emailVerified} />
      <NegativeBalanceAlert available={me.data?.credits.available} />

      <div className="grid gap-6 md:grid-cols-2">
        <Card>
          <CardHeader>
            <CardTitle asChild>
              <h2>Credits</h2>
            </CardTitle>
            <CardDescription>Spent only when a job succeeds.</CardDescription>
            <CardAction>
              <CreditCard className="size-5 text-muted-foreground" aria-hidden="true" />
            </CardAction>
          </CardHeader>
          <CardContent className="grid gap-1">
            {me.data ? (
              <>
                <p className="text-5xl font-bold tracking-tight tabular-nums" data-testid="balance">
                  {me.data.credits.available}
                </p>
                <p className="text-sm text-muted-foreground">
                  {me.data.credits.held > 0
                    ? `${me.data.credits.held} more held by running jobs`
                    : 'available'}
                </p>
              </>
            ) : (
              <Skeleton className="h-12 w-28" />
            )}
          </CardContent>
          <CardFooter className="gap-2">
            <Button asChild>
              <Link href="/billing">Buy credits</Link>
            </Button>
            <Button asChild variant="ghost">
              <Link href="/pricing">What things cost</Link>
            </Button>
          </CardFooter>
        </Card>

        <Card>
          <CardHeader>
            <CardTitle asChild>
              <h2>Plan</h2>
            </CardTitle>
            <CardDescription>Monthly credits, queue priority and limits.</CardDescription>
            <CardAction>
              {plan ? (
                <Badge variant="accent">{plan.name}</Badge>
              ) : (
                <Skeleton className="h-5 w-12" />
              )}
            </CardAction>
          </CardHeader>
          <CardContent>
            {plan ? (
              <ul className="grid gap-1.5 text-sm">
                <li>
                  {plan.credits
                    ? `${plan.credits.toLocaleString('en-US')} credits every month`
                    : 'No monthly credits (pay as you go)'}
                </li>
                <li>Up to {plan.maxActiveJobs} jobs at once</li>
                <li>{plan.priority ? 'Priority in the queue' : 'Standard queue'}</li>
              </ul>
            ) : (
              <div className="grid gap-2">
                <Skeleton className="h-4 w-48" />
                <Skeleton className="h-4 w-40" />
                <Skeleton className="h-4 w-32" />
              </div>
            )}
          </CardContent>
          <CardFooter>
            <Button asChild variant="outline">
              <Link href="/billing#plans">
                {me.data?.plan === 'free' ? 'Upgrade' : 'Change plan'}
              </Link>
            </Button>
          </CardFooter>
        </Card>
        <StorageCard storage={me.data?.storage} />
      </div>

      <section aria-labelledby="start-title" className="grid gap-4">
        <h2 id="start-title" className="text-xl font-semibold">
          Make something
        </h2>
        <ul className="grid grid-cols-2 gap-3 lg:grid-cols-4">
          {ACTIONS.map((a) => (
            <li key={a.href}>
              <Link
                href={a.href}
                className="flex h-full flex-col gap-2 rounded-xl border bg-card p-4 transition-colors hover:bg-accent"
              >
                <a.icon className="size-5 text-primary" aria-hidden="true" />
                <span className="font-medium">{a.label}</span>
                <span className="text-sm text-muted-foreground">{a.body}</span>
              </Link>
            </li>
          ))}
        </ul>
      </section>

      <div className="grid gap-6 lg:grid-cols-[1.4fr_1fr]">
        <Card>
          <CardHeader>
            <CardTitle asChild>
              <h2>Recent credit movements</h2>
            </CardTitle>
            <CardAction>
              <Button asChild variant="ghost" size="sm">
                <Link href="/billing#history">
                  All <ArrowRight aria-hidden="true" />
                </Link>
              </Button>
            </CardAction>
          </CardHeader>
          <CardContent>
            {ledger.data?.items.length === 0 ? (
              <EmptyState
                icon={<History />}
                headingLevel={3}
                title="Nothing yet"
                description="Credits you receive and spend will show here."
              />
            ) : (
              <LedgerList
                entries={ledger.data?.items}
                loading={ledger.isPending}
                skeletonRows={3}
              />
            )}
          </CardContent>
        </Card>
        <Card>
          <CardHeader>
            <CardTitle asChild>
              <h2>For developers</h2>
            </CardTitle>
            <CardDescription>The same features over a REST API.</CardDescription>
          </CardHeader>
          <CardContent className="text-sm text-muted-foreground">
            Create an API key, send jobs from your code and receive signed webhooks when they
            finish. Jobs started through the API use the same credits.
          </CardContent>
          <CardFooter>
            <Button asChild variant="outline">
              <Link href="/developers">
                <KeyRound aria-hidden="true" />
                API keys
              </Link>
            </Button>
          </CardFooter>
        </Card>
      </div>
    </div>
  );
}

/** Used / quota with a bar: library, control maps, adapters and results share the plan's quota. */
function StorageCard({ storage }: { storage?: { usedBytes: number; quotaBytes: number } }) {
  const percent = storage
    ? Math.min(100, Math.round((storage.usedBytes / Math.max(1, storage.quotaBytes)) * 100))
    : 0;
  const full = storage ? storage.usedBytes >= storage.quotaBytes : false;
  return (
    <Card className="md:col-span-2">
      <CardHeader>
        <CardTitle asChild>
          <h2>Storage</h2>
        </CardTitle>
        <CardDescription>
          Library images, control maps, adapters and results share your plan&apos;s space.
        </CardDescription>
        <CardAction>
          <HardDrive className="size-5 text-muted-foreground" aria-hidden="true" />
        </CardAction>
      </CardHeader>
      <CardContent className="grid gap-2">
        {storage ? (
          <>
            <p className="text-sm tabular-nums" data-testid="storage-used">
              <span className="font-semibold">{formatBytes(storage.usedBytes)}</span> of{' '}
              {formatBytes(storage.quotaBytes)} used
            </p>
            <Progress value={percent} aria-label={`Storage used: ${percent}%`} />
            {full && (
              <p className="text-sm text-destructive" role="status">
                Your storage is full: new uploads and imports are refused until you delete something
                or upgrade your plan.
              </p>
            )}
          </>
        ) : (
          <Skeleton className="h-6 w-56" />
        )}
      </CardContent>
    </Card>
  );
}
