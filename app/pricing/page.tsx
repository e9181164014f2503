import { Check, Info } from 'lucide-react';
import type { Metadata } from 'next';
import Link from 'next/link';
import { connection } from 'next/server';
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
import { PACKS, PLANS } from '@/server/billing/plans';
import { paymentsConfigured } from '@/server/billing/stripe';
import { env } from '@/server/env';
import { priceExamples, type PriceExample } from './price-examples';

export const metadata: Metadata = {
  title: 'Pricing · Adapter Studio',
  description: 'Credit packs, monthly plans, and what each kind of image costs.',
};

function PriceTable({ caption, rows }: { caption: string; rows: PriceExample[] }) {
  return (
    <div className="overflow-hidden rounded-xl border bg-card">
      <table className="w-full text-sm">
        <caption className="border-b bg-muted/60 px-4 py-3 text-left font-semibold">
          {caption}
        </caption>
        <thead className="sr-only">
          <tr>
            <th scope="col">Job</th>
            <th scope="col">Credits</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr key={r.what} className="border-b last:border-0">
              <th scope="row" className="px-4 py-3 text-left font-normal">
                <span className="block font-medium">{r.what}</span>
                <span className="block text-muted-foreground">{r.detail}</span>
              </th>
              <td className="px-4 py-3 text-right align-middle text-base font-semibold whitespace-nowrap tabular-nums">
                {r.credits} {r.credits === 1 ? 'credit' : 'credits'}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

export default async function PricingPage() {
  // Settings (starter credits, whether Stripe is configured) are read per request, not at build.
  await connection();
  const starter = env().STARTER_CREDITS;
  const canPay = paymentsConfigured();
  const examples = priceExamples();
  const plans = Object.values(PLANS);
  const packs = Object.values(PACKS);

  return (
    <div className="grid gap-14">
      <header className="grid max-w-2xl gap-3">
        <h1 className="text-4xl font-bold tracking-tight sm:text-5xl">Pricing</h1>
        <p className="text-lg text-muted-foreground">
          Everything is paid in credits. New accounts get {starter} free. Buy a pack when you need
          more, or take a monthly plan for credits every month and a faster queue.
        </p>
      </header>

      {!canPay && (
        <Alert variant="warning">
          <Info aria-hidden="true" />
          <AlertTitle>Payments are not configured on this server</AlertTitle>
          <AlertDescription>
            Credits cannot be bought here yet. Everything else works with the free credits.
          </AlertDescription>
        </Alert>
      )}

      <section aria-labelledby="plans-title" className="grid gap-6">
        <h2 id="plans-title" className="text-2xl font-bold tracking-tight">
          Monthly plans
        </h2>
        <div className="grid gap-6 md:grid-cols-3">
          {plans.map((p) => {
            const popular = p.key === 'pro';
            const [amount, period] = p.display.split(' / ');
            return (
              <Card
                key={p.key}
                className={popular ? 'border-primary ring-1 ring-primary' : undefined}
              >
                <CardHeader>
                  <CardTitle asChild>
                    <h3 className="flex items-center gap-2 text-lg">
                      {p.name}
                      {popular && <Badge>Most popular</Badge>}
                    </h3>
                  </CardTitle>
                  <CardDescription>
                    <span className="text-3xl font-bold text-foreground">{amount}</span>
                    {period && <span> / {period}</span>}
                  </CardDescription>
                </CardHeader>
                <CardContent className="flex-1">
                  <ul className="grid gap-2 text-sm">
                    {[
                      p.monthlyCredits
                        ? `${p.monthlyCredits.toLocaleString('en-US')} credits every month`
                        : `${starter} credits to start`,
                      `Up to ${p.maxActiveJobs} jobs at once`,
                      p.priority ? 'Priority in the queue' : 'Standard queue',
                      `API: ${p.apiRequestsPerMinute.toLocaleString('en-US')} requests a minute`,
                    ].map((f) => (
                      <li key={f} className="flex gap-2">
                        <Check className="mt-0.5 size-4 shrink-0 text-success" aria-hidden="true" />
                        {f}
                      </li>
                    ))}
                  </ul>
                </CardContent>
                <CardFooter>
                  <Button asChild className="w-full" variant={popular ? 'default' : 'outline'}>
                    <Link href={p.monthlyCredits ? '/billing' : '/sign-up'}>
                      {p.monthlyCredits ? `Choose ${p.name}` : 'Start free'}
                    </Link>
                  </Button>
                </CardFooter>
              </Card>
            );
          })}
        </div>
      </section>

      <section aria-labelledby="packs-title" className="grid gap-6">
        <div className="grid gap-2">
          <h2 id="packs-title" className="text-2xl font-bold tracking-tight">
            Credit packs
          </h2>
          <p className="text-muted-foreground">Pay once, use them whenever you like.</p>
        </div>
        <ul className="grid gap-4 sm:grid-cols-3">
          {packs.map((p) => (
            <li
              key={p.key}
              className="flex items-center justify-between gap-4 rounded-xl border bg-card p-5"
            >
              <div className="grid">
                <span className="font-semibold">{p.name}</span>
                <span className="text-sm text-muted-foreground">
                  {((Number(p.display.replace(/[^0-9.]/g, '')) / p.credits) * 100).toFixed(1)}¢ a
                  credit
                </span>
              </div>
              <span className="text-2xl font-bold">{p.display}</span>
            </li>
          ))}
        </ul>
        <p>
          <Button asChild variant="outline">
            <Link href="/billing">Buy credits</Link>
          </Button>
        </p>
      </section>

      <section aria-labelledby="costs-title" className="grid gap-6">
        <div className="grid max-w-2xl gap-2">
          <h2 id="costs-title" className="text-2xl font-bold tracking-tight">
            What things cost
          </h2>
          <p className="text-muted-foreground">
            The price depends on size, steps, the number of images and what steers them. The studio
            shows the exact price before you start; these are common cases.
          </p>
        </div>
        <div className="grid gap-6 md:grid-cols-2">
          <PriceTable caption="Images" rows={examples.images} />
          <div className="grid content-start gap-6">
            <PriceTable caption="Photo edits and personal adapters" rows={examples.personal} />
            <div className="grid gap-2 rounded-xl border bg-card p-5 text-sm">
              <h3 className="font-semibold">Only pay for what works</h3>
              <p className="text-muted-foreground">
                Credits are held when a job starts, taken when it succeeds, and returned in full if
                it fails or you cancel it.
              </p>
            </div>
          </div>
        </div>
      </section>
    </div>
  );
}
