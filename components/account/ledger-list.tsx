'use client';
import {
  ArrowDownLeft,
  ArrowUpRight,
  Ban,
  Gift,
  Lock,
  type LucideIcon,
  Receipt,
  RotateCcw,
  Sparkles,
  Wrench,
} from 'lucide-react';
import Link from 'next/link';
import { Skeleton } from '@/components/ui/skeleton';
import { cn } from '@/lib/utils';

export interface LedgerEntry {
  id: string;
  kind: string;
  amount: number;
  held: number;
  balanceAfter: number;
  reason: string | null;
  jobId: string | null;
  stripeRef: string | null;
  createdAt: Date;
}

const KINDS: Record<string, { label: string; icon: LucideIcon }> = {
  GRANT: { label: 'Free credits', icon: Gift },
  HOLD: { label: 'Held for a job', icon: Lock },
  CAPTURE: { label: 'Job finished: held credits spent', icon: Sparkles },
  RELEASE: { label: 'Returned: job failed or canceled', icon: RotateCcw },
  PURCHASE: { label: 'Credit pack bought', icon: ArrowDownLeft },
  SUBSCRIPTION_GRANT: { label: 'Monthly plan credits', icon: ArrowDownLeft },
  REFUND: { label: 'Refund', icon: ArrowUpRight },
  DISPUTE: { label: 'Disputed payment', icon: Ban },
  ADJUSTMENT: { label: 'Adjustment', icon: Wrench },
};

const WHEN = new Intl.DateTimeFormat('en-US', { dateStyle: 'medium', timeStyle: 'short' });

/** Credit movements as a list that reads on a phone (no wide table). */
export function LedgerList({
  entries,
  loading,
  skeletonRows = 4,
}: {
  entries: LedgerEntry[] | undefined;
  loading: boolean;
  skeletonRows?: number;
}) {
  if (loading || !entries) {
    return (
      <ul className="grid gap-1" aria-label="Loading credit movements">
        {Array.from({ length: skeletonRows }, (_, i) => (
          <li key={i} className="flex items-center gap-3 py-2">
            <Skeleton className="size-9 rounded-full" />
            <div className="grid flex-1 gap-1.5">
              <Skeleton className="h-4 w-40" />
              <Skeleton className="h-3 w-24" />
            </div>
            <Skeleton className="h-5 w-12" />
          </li>
        ))}
      </ul>
    );
  }
  return (
    <ul className="divide-y">
      {entries.map((e) => {
        const kind = KINDS[e.kind] ?? { label: e.kind, icon: Receipt };
        const Icon = kind.icon;
        return (
          <li key={e.id} className="flex items-center gap-3 py-3">
            <span
              aria-hidden="true"
              className="flex size-9 shrink-0 items-center justify-center rounded-full bg-muted text-muted-foreground"
            >
              <Icon className="size-4" />
            </span>
            <div className="grid min-w-0 flex-1 gap-0.5">
              <span className="truncate text-sm font-medium">
                {e.reason && e.kind !== 'HOLD' && e.kind !== 'CAPTURE' ? e.reason : kind.label}
              </span>
              <span className="flex flex-wrap gap-x-2 text-xs text-muted-foreground">
                <time dateTime={e.createdAt.toISOString()}>{WHEN.format(e.createdAt)}</time>
                {e.jobId && (
                  <Link href={`/jobs/${e.jobId}`} className="underline hover:text-foreground">
                    View job
                  </Link>
                )}
              </span>
            </div>
            <div className="grid shrink-0 justify-items-end gap-0.5 text-right">
              <span
                className={cn(
                  'text-sm font-semibold tabular-nums',
                  e.amount > 0 && 'text-success',
                  e.amount < 0 && 'text-foreground',
                )}
              >
                {e.amount > 0 ? `+${e.amount}` : e.amount === 0 ? '±0' : `−${-e.amount}`}
              </span>
              <span className="text-xs text-muted-foreground tabular-nums">
                balance {e.balanceAfter}
              </span>
            </div>
          </li>
        );
      })}
    </ul>
  );
}
