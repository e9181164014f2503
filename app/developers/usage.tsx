'use client';
import { useQuery } from '@tanstack/react-query';
import { BarChart3 } from 'lucide-react';
import { EmptyState } from '@/components/ui/empty-state';
import { Skeleton } from '@/components/ui/skeleton';
import {
  Table,
  TableBody,
  TableCell,
  TableHead,
  TableHeader,
  TableRow,
} from '@/components/ui/table';
import { useTRPC } from '@/lib/trpc';

const DAYS = 30;

/** Requests and credits per key and day (apiKeys.usage), with a daily bar for the totals. */
export function ApiUsage() {
  const trpc = useTRPC();
  const usage = useQuery(trpc.apiKeys.usage.queryOptions({ days: DAYS }));
  const rows = usage.data ?? [];
  const totals = { requests: 0, credits: 0 };
  const byDay = new Map<string, number>();
  for (const r of rows) {
    totals.requests += r.requests;
    totals.credits += r.creditsSpent;
    byDay.set(r.day, (byDay.get(r.day) ?? 0) + r.requests);
  }
  const days = Array.from({ length: DAYS }, (_, i) =>
    new Date(Date.now() - (DAYS - 1 - i) * 86_400_000).toISOString().slice(0, 10),
  );
  const peak = Math.max(1, ...byDay.values());

  return (
    <section aria-labelledby="usage-heading" className="grid gap-5">
      <div className="grid gap-1">
        <h2 id="usage-heading" className="flex items-center gap-2 text-xl font-semibold">
          <BarChart3 className="size-5 text-primary" aria-hidden="true" />
          Usage, last {DAYS} days
        </h2>
        <p className="text-sm text-muted-foreground">
          Requests made with your keys and the credits their jobs spent.
        </p>
      </div>
      {usage.isPending ? (
        <Skeleton className="h-40" />
      ) : usage.isError ? (
        <p role="alert" className="text-sm text-destructive">
          Could not load usage. Reload the page to try again.
        </p>
      ) : rows.length === 0 ? (
        <EmptyState
          icon={<BarChart3 />}
          headingLevel={3}
          title="No API calls yet"
          description="Once your code calls the API with a key, its requests show here by day."
        />
      ) : (
        <div className="grid gap-4 rounded-xl border bg-card p-4 sm:p-6">
          <dl className="grid grid-cols-2 gap-4 sm:max-w-sm">
            <div>
              <dt className="text-sm text-muted-foreground">Requests</dt>
              <dd className="text-2xl font-bold tabular-nums">
                {totals.requests.toLocaleString('en-US')}
              </dd>
            </div>
            <div>
              <dt className="text-sm text-muted-foreground">Credits spent</dt>
              <dd className="text-2xl font-bold tabular-nums">
                {totals.credits.toLocaleString('en-US')}
              </dd>
            </div>
          </dl>
          <div aria-hidden="true" className="flex h-24 items-end gap-[3px]">
            {days.map((d) => (
              <div
                key={d}
                title={`${d}: ${byDay.get(d) ?? 0} requests`}
                className="flex-1 rounded-t-sm bg-primary/80"
                style={{ height: `${Math.max(2, ((byDay.get(d) ?? 0) / peak) * 100)}%` }}
              />
            ))}
          </div>
          <Table>
            <TableHeader>
              <TableRow>
                <TableHead scope="col">Day</TableHead>
                <TableHead scope="col">Key</TableHead>
                <TableHead scope="col" className="text-right">
                  Requests
                </TableHead>
                <TableHead scope="col" className="text-right">
                  Credits
                </TableHead>
              </TableRow>
            </TableHeader>
            <TableBody>
              {rows.map((r) => (
                <TableRow key={`${r.apiKeyId}-${r.day}`}>
                  <TableCell>{r.day}</TableCell>
                  <TableCell>
                    {r.keyName} <code className="text-xs text-muted-foreground">{r.keyStart}</code>
                  </TableCell>
                  <TableCell className="text-right tabular-nums">{r.requests}</TableCell>
                  <TableCell className="text-right tabular-nums">{r.creditsSpent}</TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
        </div>
      )}
    </section>
  );
}
