// Buying: a Stripe Checkout Session for the signed-in user's own Stripe customer (created once).
// Every POST to Stripe carries an idempotency key. Nothing is granted here: credits arrive only
// through the signed webhook (server/billing/webhook.ts), never from the redirect page.
import { randomUUID } from 'node:crypto';
import { db } from '../db';
import { env } from '../env';
import { AppError } from '../errors';
import { cursorArgs } from '../pagination';
import { PACKS, PLANS, priceIdOf } from './plans';
import { stripe } from './stripe';

function client() {
  const s = stripe();
  if (!s) throw new AppError('SERVICE_UNAVAILABLE', 'Payments are not configured on this server.');
  return s;
}

export async function ensureCustomer(userId: string): Promise<string> {
  const known = await db().stripeCustomer.findUnique({ where: { userId } });
  if (known) return known.stripeCustomerId;
  const user = await db().user.findUniqueOrThrow({ where: { id: userId } });
  const customer = await client().customers.create(
    { email: user.email, name: user.name, metadata: { userId } },
    { idempotencyKey: `customer:${userId}` },
  );
  const row = await db().stripeCustomer.upsert({
    where: { userId },
    create: { userId, stripeCustomerId: customer.id },
    update: {},
  });
  return row.stripeCustomerId;
}

export async function createCheckout(
  userId: string,
  itemKey: string,
): Promise<{ url: string; id: string }> {
  const s = client();
  const pack = PACKS[itemKey];
  const plan = itemKey === 'free' ? undefined : PLANS[itemKey];
  const item = pack ?? plan;
  if (!item) throw new AppError('NOT_FOUND', `No such item: ${itemKey}.`);
  const price = priceIdOf(item);
  if (!price) throw new AppError('SERVICE_UNAVAILABLE', `${item.name} is not on sale here yet.`);
  const customer = await ensureCustomer(userId);
  const appUrl = env().APP_URL.replace(/\/$/, '');
  const metadata = { userId, item: item.key };
  const session = await s.checkout.sessions.create(
    {
      mode: pack ? 'payment' : 'subscription',
      customer,
      client_reference_id: userId,
      line_items: [{ price, quantity: 1 }],
      metadata,
      ...(pack ? { payment_intent_data: { metadata } } : { subscription_data: { metadata } }),
      success_url: `${appUrl}/billing/success?session_id={CHECKOUT_SESSION_ID}`,
      cancel_url: `${appUrl}/billing?canceled=1`,
    },
    { idempotencyKey: `checkout:${userId}:${item.key}:${randomUUID()}` },
  );
  if (!session.url) throw new AppError('INTERNAL', 'Stripe returned no checkout URL.');
  return { url: session.url, id: session.id };
}

export async function createPortal(userId: string): Promise<{ url: string }> {
  const s = client();
  const known = await db().stripeCustomer.findUnique({ where: { userId } });
  if (!known) throw new AppError('NOT_FOUND', 'You have no purchases yet.');
  const portal = await s.billingPortal.sessions.create(
    { customer: known.stripeCustomerId, return_url: `${env().APP_URL.replace(/\/$/, '')}/billing` },
    { idempotencyKey: `portal:${userId}:${randomUUID()}` },
  );
  return { url: portal.url };
}

export async function listLedger(userId: string, opts: { cursor?: string; limit: number }) {
  const rows = await db().creditLedgerEntry.findMany({
    where: { userId },
    orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
    take: opts.limit + 1,
    ...(await cursorArgs(opts.cursor, (id) =>
      db().creditLedgerEntry.findFirst({ where: { id, userId }, select: { id: true } }),
    )),
  });
  const page = rows.slice(0, opts.limit);
  return {
    items: page.map((r) => ({
      id: r.id,
      kind: r.kind,
      amount: r.amount,
      held: r.heldDelta,
      balanceAfter: r.balanceAfter,
      reason: r.reason,
      jobId: r.jobId,
      stripeRef: r.stripeRef,
      createdAt: r.createdAt,
    })),
    nextCursor: rows.length > opts.limit ? (page[page.length - 1]?.id ?? null) : null,
  };
}
