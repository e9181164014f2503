'use client';
import { useQuery } from '@tanstack/react-query';
import { Coins } from 'lucide-react';
import Link from 'next/link';
import { Skeleton } from '@/components/ui/skeleton';
import { useTRPC } from '@/lib/trpc';
import { cn } from '@/lib/utils';

/** The balance, always in sight; pages that spend or add credits invalidate account.me. */
export function HeaderCredits({ className }: { className?: string }) {
  const trpc = useTRPC();
  const me = useQuery(trpc.account.me.queryOptions());
  if (me.isPending) return <Skeleton className={cn('h-8 w-24', className)} />;
  if (me.isError) return null;
  const available = me.data.credits.available;
  return (
    <Link
      href="/billing"
      className={cn(
        'inline-flex h-8 items-center gap-1.5 rounded-full border bg-card px-3 text-sm font-medium tabular-nums transition-colors hover:bg-accent hover:text-accent-foreground',
        available <= 0 && 'border-destructive/50 text-destructive',
        className,
      )}
    >
      <Coins className="size-4" aria-hidden="true" />
      {available.toLocaleString('en-US')}
      <span className="sr-only sm:not-sr-only">credits</span>
    </Link>
  );
}
