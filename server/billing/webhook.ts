// Stripe webhooks: the only place purchases become credits. The signature is checked on the raw
// body; each event id is stored in the same transaction as its effects, so a replay is a no-op.
// Payment events are folded into a StripePayment state (credits bought, refunded, disputed) and
// the ledger is reconciled to that state with deterministic keys: whatever order events come
// in, and however often, the balance ends the same.
import type Stripe from 'stripe';
import type { LedgerKind } from '@prisma/client';
import { moveCredits } from '../credits/ledger';
import type { Tx } from '../db';
import { db } from '../db';
import { env } from '../env';
import { AppError } from '../errors';
import { itemForPrice, PACKS, planFor } from './plans';
import { stripe } from './stripe';

type Obj = Record<string, unknown>;
const str = (v: unknown): string | null =>
  typeof v === 'string'
    ? v
    : v && typeof v === 'object' && typeof (v as Obj).id === 'string'
      ? ((v as Obj).id as string)
      : null;
const num = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) ? v : 0);

export function verifyStripeEvent(raw: string, signature: string | null): Stripe.Event {
  const s = stripe();
  const secret = env().STRIPE_WEBHOOK_SECRET;
  if (!s || !secret)
    throw new AppError('SERVICE_UNAVAILABLE', 'Payments are not configured on this server.');
  try {
    return s.webhooks.constructEvent(raw, signature ?? '', secret);
  } catch {
    throw new AppError('BAD_REQUEST', 'Invalid Stripe signature.');
  }
}

export async function handleStripeWebhook(raw: string, signature: string | null) {
  const event = verifyStripeEvent(raw, signature);
  return db().$transaction(async (tx) => {
    const recorded = await tx.stripeEvent.createMany({
      data: [{ id: event.id, type: event.type }],
      skipDuplicates: true,
    });
    if (recorded.count === 0) return { received: true, duplicate: true };
    await applyEvent(tx, event);
    return { received: true, duplicate: false };
  });
}

async function ownerOf(tx: Tx, customer: unknown): Promise<string | null> {
  const id = str(customer);
  if (!id) return null;
  return (await tx.stripeCustomer.findUnique({ where: { stripeCustomerId: id } }))?.userId ?? null;
}

interface PaymentPatch {
  userId?: string | null;
  credits?: number;
  grantKind?: LedgerKind;
  amount?: number;
  amountRefunded?: number;
  disputed?: boolean;
}

async function foldPayment(tx: Tx, id: string, patch: PaymentPatch): Promise<void> {
  await tx.$executeRaw`INSERT INTO "StripePayment" ("id", "updatedAt") VALUES (${id}, now()) ON CONFLICT DO NOTHING`;
  await tx.$queryRaw`SELECT 1 FROM "StripePayment" WHERE "id" = ${id} FOR UPDATE`;
  const cur = await tx.stripePayment.findUniqueOrThrow({ where: { id } });
  // Every field only moves one way (amounts are cumulative, a dispute stays), so folding
  // events in any order gives the same state.
  const next = await tx.stripePayment.update({
    where: { id },
    data: {
      userId: cur.userId ?? patch.userId ?? null,
      credits: Math.max(cur.credits, patch.credits ?? 0),
      grantKind: cur.grantKind ?? patch.grantKind ?? null,
      amount: Math.max(cur.amount, patch.amount ?? 0),
      amountRefunded: Math.max(cur.amountRefunded, patch.amountRefunded ?? 0),
      disputed: cur.disputed || Boolean(patch.disputed),
    },
  });
  await reconcile(tx, next);
}

async function reconcile(tx: Tx, p: Awaited<ReturnType<Tx['stripePayment']['findUniqueOrThrow']>>) {
  if (!p.userId || p.credits <= 0 || !p.grantKind) return; // the purchase itself not seen yet
  await moveCredits(tx, {
    userId: p.userId,
    kind: p.grantKind,
    amount: p.credits,
    idempotencyKey: `stripe:${p.id}:grant`,
    stripeRef: p.id,
    reason: p.grantKind === 'PURCHASE' ? 'Credit pack' : 'Monthly plan credits',
  });
  const target = p.disputed
    ? p.credits
    : p.amount > 0
      ? Math.round((p.credits * Math.min(p.amountRefunded, p.amount)) / p.amount)
      : 0;
  const taken = await tx.creditLedgerEntry.aggregate({
    where: { stripeRef: p.id, kind: { in: ['REFUND', 'DISPUTE'] } },
    _sum: { amount: true },
  });
  const delta = target + (taken._sum.amount ?? 0); // clawbacks are negative amounts
  if (delta <= 0) return;
  await moveCredits(tx, {
    userId: p.userId,
    kind: p.disputed ? 'DISPUTE' : 'REFUND',
    amount: -delta,
    idempotencyKey: `stripe:${p.id}:clawback:${target}`,
    stripeRef: p.id,
    reason: p.disputed ? 'Payment disputed' : 'Payment refunded',
    allowNegative: true, // credits already spent: the balance goes negative and blocks new jobs
  });
}

function invoicePaymentRef(inv: Obj): string {
  const payments = (
    inv.payments as { data?: { payment?: { payment_intent?: unknown } }[] } | undefined
  )?.data;
  return (
    str(inv.payment_intent) ?? str(payments?.[0]?.payment?.payment_intent) ?? (inv.id as string)
  );
}

function invoicePriceId(inv: Obj): string | null {
  const line = (inv.lines as { data?: Obj[] } | undefined)?.data?.[0];
  if (!line) return null;
  const pricing = line.pricing as { price_details?: { price?: unknown } } | undefined;
  return str(line.price) ?? str(pricing?.price_details?.price);
}

const STATUS_RANK: Record<string, number> = {
  incomplete: 0,
  trialing: 1,
  active: 2,
  past_due: 3,
  unpaid: 4,
  incomplete_expired: 5,
  canceled: 6,
};
const ACTIVE = new Set(['active', 'trialing', 'past_due']);

async function refreshUserPlan(tx: Tx, userId: string) {
  const subs = await tx.subscription.findMany({ where: { userId } });
  const best = subs
    .filter((s) => ACTIVE.has(s.status))
    .map((s) => planFor(s.plan))
    .sort((a, b) => b.priority - a.priority)[0];
  await tx.user.update({ where: { id: userId }, data: { plan: best?.key ?? 'free' } });
}

async function applySubscription(tx: Tx, sub: Obj, createdS: number, deleted: boolean) {
  const userId = await ownerOf(tx, sub.customer);
  if (!userId) return;
  const item = (sub.items as { data?: Obj[] } | undefined)?.data?.[0];
  const priceId = str(item?.price);
  const plan = itemForPrice(priceId).plan;
  const status = deleted ? 'canceled' : typeof sub.status === 'string' ? sub.status : 'incomplete';
  const at = new Date(createdS * 1000);
  const existing = await tx.subscription.findUnique({ where: { id: sub.id as string } });
  // An older event never overwrites a newer state; within one second the more final status wins.
  if (existing) {
    const older = existing.lastEventAt > at;
    const sameSecondLessFinal =
      existing.lastEventAt.getTime() === at.getTime() &&
      (STATUS_RANK[status] ?? 0) < (STATUS_RANK[existing.status] ?? 0);
    if (older || sameSecondLessFinal) return;
  }
  const periodEnd = num(sub.current_period_end) || num(item?.current_period_end);
  const periodStart = num(sub.current_period_start) || num(item?.current_period_start);
  const data = {
    userId,
    plan: plan?.key ?? existing?.plan ?? 'free',
    status,
    stripePriceId: priceId ?? existing?.stripePriceId ?? '',
    currentPeriodStart: periodStart ? new Date(periodStart * 1000) : null,
    currentPeriodEnd: periodEnd ? new Date(periodEnd * 1000) : null,
    cancelAtPeriodEnd: Boolean(sub.cancel_at_period_end),
    lastEventAt: at,
  };
  await tx.subscription.upsert({
    where: { id: sub.id as string },
    create: { id: sub.id as string, ...data },
    update: data,
  });
  await refreshUserPlan(tx, userId);
}

async function applyEvent(tx: Tx, event: Stripe.Event): Promise<void> {
  const o = event.data.object as unknown as Obj;
  switch (event.type) {
    case 'checkout.session.completed':
    case 'checkout.session.async_payment_succeeded': {
      if (o.mode !== 'payment' || o.payment_status !== 'paid') return; // plans are granted per invoice
      const userId = await ownerOf(tx, o.customer);
      const pack = PACKS[str((o.metadata as Obj | undefined)?.item) ?? ''];
      // The buyer is the owner of the Stripe customer we created, never whoever metadata names.
      if (!userId || !pack) return;
      await foldPayment(tx, str(o.payment_intent) ?? (o.id as string), {
        userId,
        credits: pack.credits,
        grantKind: 'PURCHASE',
        amount: num(o.amount_total),
      });
      return;
    }
    case 'invoice.paid': {
      const userId = await ownerOf(tx, o.customer);
      const plan = itemForPrice(invoicePriceId(o)).plan;
      if (!userId || !plan || plan.monthlyCredits <= 0) return;
      await foldPayment(tx, invoicePaymentRef(o), {
        userId,
        credits: plan.monthlyCredits,
        grantKind: 'SUBSCRIPTION_GRANT',
        amount: num(o.amount_paid),
      });
      return;
    }
    case 'invoice.payment_failed': {
      const subId =
        str(o.subscription) ??
        str(
          (o.parent as { subscription_details?: { subscription?: unknown } } | undefined)
            ?.subscription_details?.subscription,
        );
      if (!subId) return;
      const existing = await tx.subscription.findUnique({ where: { id: subId } });
      if (
        existing &&
        existing.lastEventAt <= new Date(event.created * 1000) &&
        existing.status !== 'canceled'
      ) {
        await tx.subscription.update({
          where: { id: subId },
          data: { status: 'past_due', lastEventAt: new Date(event.created * 1000) },
        });
        await refreshUserPlan(tx, existing.userId);
      }
      return;
    }
    case 'customer.subscription.created':
    case 'customer.subscription.updated':
    case 'customer.subscription.deleted':
      await applySubscription(tx, o, event.created, event.type === 'customer.subscription.deleted');
      return;
    case 'charge.refunded': {
      const ref = str(o.payment_intent) ?? str(o.invoice);
      if (!ref) return;
      await foldPayment(tx, ref, { amount: num(o.amount), amountRefunded: num(o.amount_refunded) });
      return;
    }
    case 'charge.dispute.created': {
      const ref = str(o.payment_intent);
      if (!ref) return;
      await foldPayment(tx, ref, { disputed: true, amount: num(o.amount) });
      return;
    }
    default:
      return; // unhandled types are acknowledged
  }
}
