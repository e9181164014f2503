// Stripe webhooks: the only place purchases become credits. The signature is checked on the raw
// body; each event id is stored in the same transaction as its effects, so a replay is a no-op.
// Payment events are folded into a StripePayment state (credits bought, refunded, disputed) and
// the ledger is reconciled to that state with deterministic keys: whatever order events come
// in, and however often, the balance ends the same.
//
// One payment goes by several Stripe ids: a pack by its checkout session and payment intent; a
// plan period by its invoice, the invoice's payment intent and the charge. Since API version
// 2025-03-31 an invoice event no longer names its payment intent and a charge no longer names
// its invoice; `invoice_payment.paid` is what links them. Every id an event names is recorded in
// StripePaymentRef against one StripePayment, and two records found to be one payment (a refund
// seen before the link) are merged, so a refund or dispute always finds the grant it undoes.
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

type PaymentRow = Awaited<ReturnType<Tx['stripePayment']['findUniqueOrThrow']>>;

/**
 * Every field only moves one way (amounts are cumulative, a dispute stays, the first owner and
 * grant kind win), so folding events — or merging two records of one payment — in any order
 * gives the same state.
 */
function merged(cur: PaymentRow, patch: PaymentPatch) {
  return {
    userId: cur.userId ?? patch.userId ?? null,
    credits: Math.max(cur.credits, patch.credits ?? 0),
    grantKind: cur.grantKind ?? patch.grantKind ?? null,
    amount: Math.max(cur.amount, patch.amount ?? 0),
    amountRefunded: Math.max(cur.amountRefunded, patch.amountRefunded ?? 0),
    disputed: cur.disputed || Boolean(patch.disputed),
  };
}

const patchOf = (r: PaymentRow): PaymentPatch => ({ ...r, grantKind: r.grantKind ?? undefined });

/**
 * The StripePayment that the Stripe ids `refs` (payment intent, charge, invoice, checkout
 * session: all one payment) belong to, made when none is known yet. Ids learnt here are
 * recorded, and records that turn out to be the same payment are merged into one: the record
 * holding the grant keeps its id (the ledger's keys name it); a record with a grant of its own is
 * never merged. Events sharing an id serialise on advisory locks taken in sorted order.
 */
async function resolvePayment(tx: Tx, refs: string[]): Promise<string> {
  for (const ref of [...refs].sort())
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtextextended(${`stripe-payment:${ref}`}, 0))`;
  const known = await tx.stripePaymentRef.findMany({ where: { ref: { in: refs } } });
  const ids = [...new Set(known.map((k) => k.paymentId))].sort();
  let id = ids[0] ?? refs[0]!;
  if (!ids.length) {
    await tx.stripePayment.create({ data: { id } });
  } else if (ids.length > 1) {
    await tx.$queryRaw`SELECT 1 FROM "StripePayment" WHERE "id" = ANY(${ids}) ORDER BY "id" FOR UPDATE`;
    const rows = await tx.stripePayment.findMany({
      where: { id: { in: ids } },
      orderBy: { id: 'asc' },
    });
    const keeper = rows.find((r) => r.grantKind) ?? rows[0]!;
    id = keeper.id;
    const absorbed = rows.filter((r) => r !== keeper && !r.grantKind);
    const state = absorbed.reduce((acc, r) => ({ ...acc, ...merged(acc, patchOf(r)) }), keeper);
    await tx.stripePayment.update({ where: { id }, data: merged(state, {}) });
    const gone = absorbed.map((r) => r.id);
    await tx.stripePaymentRef.updateMany({
      where: { paymentId: { in: gone } },
      data: { paymentId: id },
    });
    await tx.stripePayment.deleteMany({ where: { id: { in: gone } } });
  }
  await tx.stripePaymentRef.createMany({
    data: refs.map((ref) => ({ ref, paymentId: id })),
    skipDuplicates: true,
  });
  return id;
}

async function foldPayment(tx: Tx, names: (string | null)[], patch: PaymentPatch): Promise<void> {
  const refs = [...new Set(names.filter((n): n is string => Boolean(n)))];
  if (!refs.length) return; // names no payment we could ever match
  const id = await resolvePayment(tx, refs);
  // A record merged away by a concurrent event (through ids this one does not name) is gone
  // here: the transaction fails, Stripe retries the event, and the retry finds the merged one.
  await tx.$queryRaw`SELECT 1 FROM "StripePayment" WHERE "id" = ${id} FOR UPDATE`;
  const cur = await tx.stripePayment.findUniqueOrThrow({ where: { id } });
  const next = await tx.stripePayment.update({ where: { id }, data: merged(cur, patch) });
  await reconcile(tx, next);
}

async function reconcile(tx: Tx, p: PaymentRow) {
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

/** The ids an invoice names for its payment: itself, and its payment intents and charges where given. */
function invoicePaymentRefs(inv: Obj): (string | null)[] {
  const payments =
    (inv.payments as { data?: { payment?: { payment_intent?: unknown; charge?: unknown } }[] })
      ?.data ?? [];
  return [
    str(inv.id),
    str(inv.payment_intent), // API versions before 2025-03-31
    str(inv.charge),
    ...payments.flatMap((p) => [str(p.payment?.payment_intent), str(p.payment?.charge)]),
  ];
}

/**
 * The plan an invoice pays a period of: the plan of its non-proration lines (a cycle invoice
 * also carries the proration lines of a mid-period change, which may name the old plan), the
 * one with the most credits if several.
 */
function invoicePlan(inv: Obj) {
  const lines = (inv.lines as { data?: Obj[] } | undefined)?.data ?? [];
  const plans = lines
    .filter((line) => {
      const parent = line.parent as
        | {
            subscription_item_details?: { proration?: boolean };
            invoice_item_details?: { proration?: boolean };
          }
        | undefined;
      return !(
        line.proration === true ||
        parent?.subscription_item_details?.proration === true ||
        parent?.invoice_item_details?.proration === true
      );
    })
    .map((line) => {
      const pricing = line.pricing as { price_details?: { price?: unknown } } | undefined;
      return itemForPrice(str(line.price) ?? str(pricing?.price_details?.price)).plan;
    })
    .filter((p) => p !== undefined && p !== null);
  return plans.sort((a, b) => b.monthlyCredits - a.monthlyCredits)[0] ?? null;
}

/**
 * Plan credits are granted for a paid subscription period only: an invoice whose billing reason
 * is `subscription_create` (the first period) or `subscription_cycle` (each renewal) with
 * `amount_paid > 0`.
 *
 * Prorations (`subscription_update`: an upgrade or downgrade mid-period) and zero invoices (a
 * trial, a 100 % coupon, a period paid from the customer's Stripe balance) grant NOTHING, rather
 * than a prorated share. Credits are a per-period allowance: an upgrade takes effect at once for
 * the plan's limits and priority, and the next cycle invoice grants the new plan's full
 * allowance. A prorated grant would turn Stripe's proration arithmetic (which credits unused time
 * of the old plan to the customer's balance, not back to the card, so no refund event ever claws
 * it back) into a way to mint credits: upgrade (paid, granted), downgrade (balance credited),
 * upgrade again (paid partly by that balance, granted again), and so on within one period.
 * Any other billing reason (manual invoices, thresholds, quotes) grants nothing either.
 */
export function invoiceGrantsCredits(inv: Obj): boolean {
  return GRANTING_REASONS.has(String(inv.billing_reason)) && num(inv.amount_paid) > 0;
}
const GRANTING_REASONS = new Set(['subscription_create', 'subscription_cycle']);

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
      await foldPayment(tx, [str(o.payment_intent), str(o.id)], {
        userId,
        credits: pack.credits,
        grantKind: 'PURCHASE',
        amount: num(o.amount_total),
      });
      return;
    }
    case 'invoice.paid': {
      const userId = await ownerOf(tx, o.customer);
      if (!userId) return;
      const plan = invoiceGrantsCredits(o) ? invoicePlan(o) : null;
      // An invoice that grants nothing is still recorded with its ids, so a refund of it is
      // known to take nothing back.
      await foldPayment(tx, invoicePaymentRefs(o), {
        userId,
        ...(plan && plan.monthlyCredits > 0
          ? { credits: plan.monthlyCredits, grantKind: 'SUBSCRIPTION_GRANT' as const }
          : {}),
        amount: num(o.amount_paid),
      });
      return;
    }
    case 'invoice_payment.paid': {
      // Links an invoice to the payment intent (or charge) that paid it: the only place that
      // says so since API version 2025-03-31. Moves no credits by itself.
      const payment = o.payment as { payment_intent?: unknown; charge?: unknown } | undefined;
      if (!str(o.invoice) || !(str(payment?.payment_intent) ?? str(payment?.charge))) return;
      await foldPayment(
        tx,
        [str(o.invoice), str(payment?.payment_intent), str(payment?.charge)],
        {},
      );
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
    case 'charge.refunded':
      await foldPayment(tx, [str(o.payment_intent), str(o.id), str(o.invoice)], {
        amount: num(o.amount),
        amountRefunded: num(o.amount_refunded),
      });
      return;
    case 'charge.dispute.created':
      await foldPayment(tx, [str(o.payment_intent), str(o.charge)], {
        disputed: true,
        amount: num(o.amount),
      });
      return;
    default:
      return; // unhandled types are acknowledged
  }
}
