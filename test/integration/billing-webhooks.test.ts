// Stripe webhooks on the credit ledger: each handled event grants or claws back exactly once,
// replays and reordering change nothing, bad signatures change nothing, metadata cannot redirect
// a purchase, and a refund after spending leaves a negative balance that blocks new jobs.
import { describe, expect, it } from 'vitest';
import { db } from '@/server/db';
import { createGenerateJob } from '@/server/jobs/create';
import { event, objects, send, stripeEnv, type StripeTestEvent } from '../helpers/stripe-events';
import { balanceOf, makeUser } from '../helpers/users';

stripeEnv();

let customers = 0;
async function customer(opts: { credits?: number } = {}) {
  const u = await makeUser(opts);
  customers += 1;
  const cus = `cus_test_${customers}_${Date.now()}`;
  await db().stripeCustomer.create({ data: { userId: u.id, stripeCustomerId: cus } });
  return { ...u, cus };
}

async function ok(e: StripeTestEvent) {
  const res = await send(e);
  expect(res.status, await res.clone().text()).toBe(200);
  return (await res.json()) as { received: boolean; duplicate: boolean };
}

describe('credit packs', () => {
  it('grant exactly once, however often the event is delivered', async () => {
    const u = await customer();
    const e = event(
      'checkout.session.completed',
      objects.packCheckout(u.cus, `pi_${u.cus}`, 'pack-500', 3900),
    );
    expect(await ok(e)).toEqual({ received: true, duplicate: false });
    expect(await ok(e)).toEqual({ received: true, duplicate: true });
    expect(await ok(e)).toEqual({ received: true, duplicate: true });
    expect((await balanceOf(u.id)).available).toBe(550);
    expect(await db().creditLedgerEntry.count({ where: { userId: u.id, kind: 'PURCHASE' } })).toBe(
      1,
    );
  });

  it('wait for delayed payment methods: unpaid completes grant nothing, async success grants, failure nothing', async () => {
    const u = await customer();
    const pi = `pi_async_${u.cus}`;
    await ok(
      event(
        'checkout.session.completed',
        objects.packCheckout(u.cus, pi, 'pack-100', 900, { payment_status: 'unpaid' }),
      ),
    );
    expect((await balanceOf(u.id)).available).toBe(50);
    await ok(
      event(
        'checkout.session.async_payment_failed',
        objects.packCheckout(u.cus, `${pi}_x`, 'pack-100', 900, { payment_status: 'unpaid' }),
      ),
    );
    expect((await balanceOf(u.id)).available).toBe(50);
    await ok(
      event(
        'checkout.session.async_payment_succeeded',
        objects.packCheckout(u.cus, pi, 'pack-100', 900),
      ),
    );
    expect((await balanceOf(u.id)).available).toBe(150);
  });

  it('a bad signature is a 400 and changes nothing', async () => {
    const u = await customer();
    const e = event(
      'checkout.session.completed',
      objects.packCheckout(u.cus, `pi_sig_${u.cus}`, 'pack-2000', 12900),
    );
    const res = await send(e, 'whsec_someone_else');
    expect(res.status).toBe(400);
    expect(((await res.json()) as { detail: string }).detail).toMatch(/signature/i);
    expect(await db().stripeEvent.count({ where: { id: e.id } })).toBe(0);
    expect((await balanceOf(u.id)).available).toBe(50);
    // The genuine delivery afterwards still works.
    await ok(e);
    expect((await balanceOf(u.id)).available).toBe(2050);
  });

  it('metadata naming another user does not move credits to them', async () => {
    const buyer = await customer();
    const victim = await customer();
    await ok(
      event(
        'checkout.session.completed',
        objects.packCheckout(buyer.cus, `pi_tamper_${buyer.cus}`, 'pack-100', 900, {
          metadata: { item: 'pack-100', userId: victim.id },
          client_reference_id: victim.id,
        }),
      ),
    );
    expect((await balanceOf(buyer.id)).available).toBe(150);
    expect((await balanceOf(victim.id)).available).toBe(50);
    // A customer we never created (someone else's Stripe data) grants nothing to anyone.
    await ok(
      event(
        'checkout.session.completed',
        objects.packCheckout('cus_unknown', 'pi_unknown', 'pack-100', 900, {
          metadata: { item: 'pack-100', userId: victim.id },
        }),
      ),
    );
    expect((await balanceOf(victim.id)).available).toBe(50);
  });

  it('unhandled event types are acknowledged', async () => {
    expect(await ok(event('customer.created', { id: 'cus_x', object: 'customer' }))).toMatchObject({
      received: true,
    });
  });
});

describe('refunds and disputes claw back', () => {
  it('partially, then fully, then for a dispute — each once', async () => {
    const u = await customer();
    const pi = `pi_refund_${u.cus}`;
    await ok(
      event('checkout.session.completed', objects.packCheckout(u.cus, pi, 'pack-500', 4000)),
    );
    expect((await balanceOf(u.id)).available).toBe(550);
    const partial = event('charge.refunded', objects.charge(pi, 4000, 1000));
    await ok(partial);
    await ok(partial);
    expect((await balanceOf(u.id)).available).toBe(425); // 25 % of 500 back
    await ok(event('charge.refunded', objects.charge(pi, 4000, 4000)));
    expect((await balanceOf(u.id)).available).toBe(50);
    await ok(event('charge.dispute.created', objects.dispute(pi, 4000)));
    expect((await balanceOf(u.id)).available).toBe(50); // nothing left to take
  });

  it('the result does not depend on the order events arrive in', async () => {
    const a = await customer();
    const b = await customer();
    const mk = (cus: string) => {
      const pi = `pi_order_${cus}`;
      return [
        event('checkout.session.completed', objects.packCheckout(cus, pi, 'pack-2000', 10000)),
        event('charge.refunded', objects.charge(pi, 10000, 2500)),
        event('charge.refunded', objects.charge(pi, 10000, 5000)),
      ];
    };
    for (const e of mk(a.cus)) await ok(e);
    for (const e of mk(b.cus).reverse()) await ok(e);
    expect((await balanceOf(a.id)).available).toBe(50 + 1000);
    expect((await balanceOf(b.id)).available).toBe(50 + 1000);
  });

  it('a refund after the credits were spent leaves a negative balance that blocks new jobs', async () => {
    const u = await customer({ credits: 0 });
    const pi = `pi_spent_${u.cus}`;
    await ok(event('checkout.session.completed', objects.packCheckout(u.cus, pi, 'pack-100', 900)));
    await db().user.update({ where: { id: u.id }, data: { plan: 'studio' } });
    for (let i = 0; i < 10; i += 1)
      await createGenerateJob(u.id, { prompt: `spend ${i}`, width: 512, height: 1024 }); // 4 each → 40 held
    const spent = await balanceOf(u.id);
    await ok(event('charge.refunded', objects.charge(pi, 900, 900)));
    const after = await balanceOf(u.id);
    expect(after.available).toBe(spent.available - 100);
    expect(after.available).toBeLessThan(0);
    await expect(createGenerateJob(u.id, { prompt: 'one more' })).rejects.toMatchObject({
      code: 'INSUFFICIENT_CREDITS',
      message: expect.stringMatching(/after a refund or dispute/) as string,
    });
  });
});

describe('monthly plans', () => {
  it('grant each paid period once and follow the subscription state, whatever the order', async () => {
    const u = await customer();
    await ok(
      event(
        'customer.subscription.created',
        objects.subscription(u.cus, 'price_plan_pro', 'active'),
      ),
    );
    expect((await db().user.findUniqueOrThrow({ where: { id: u.id } })).plan).toBe('pro');
    const period1 = event(
      'invoice.paid',
      objects.invoice(u.cus, `in_1_${u.cus}`, `pi_in_1_${u.cus}`, 'price_plan_pro', 2900),
    );
    await ok(period1);
    await ok(period1);
    await ok(
      event(
        'invoice.paid',
        objects.invoice(u.cus, `in_2_${u.cus}`, `pi_in_2_${u.cus}`, 'price_plan_pro', 2900),
      ),
    );
    expect((await balanceOf(u.id)).available).toBe(50 + 2000);
    expect(
      await db().creditLedgerEntry.count({ where: { userId: u.id, kind: 'SUBSCRIPTION_GRANT' } }),
    ).toBe(2);

    await ok(
      event('invoice.payment_failed', {
        id: `in_3_${u.cus}`,
        object: 'invoice',
        customer: u.cus,
        subscription: `sub_${u.cus}`,
      }),
    );
    expect(
      (await db().subscription.findUniqueOrThrow({ where: { id: `sub_${u.cus}` } })).status,
    ).toBe('past_due');

    // Deleted (newer) arrives before an older "active" update: the older one must not revive it.
    const older = event(
      'customer.subscription.updated',
      objects.subscription(u.cus, 'price_plan_pro', 'active'),
    );
    const newer = event(
      'customer.subscription.deleted',
      objects.subscription(u.cus, 'price_plan_pro', 'canceled'),
    );
    await ok(newer);
    await ok(older);
    const sub = await db().subscription.findUniqueOrThrow({ where: { id: `sub_${u.cus}` } });
    expect(sub.status).toBe('canceled');
    expect((await db().user.findUniqueOrThrow({ where: { id: u.id } })).plan).toBe('free');
    expect((await balanceOf(u.id)).available).toBe(50 + 2000); // credits already granted stay
  });
});

// Invoices, charges and disputes as Stripe sends them since API version 2025-03-31 (the SDK's
// 2026 version included): the invoice names no payment intent and the charge no invoice; the
// `invoice_payment.paid` event links the two.
const current = {
  invoice: (
    customer: string,
    id: string,
    opts: {
      price?: string;
      amountPaid: number;
      reason: string;
      lines?: Record<string, unknown>[];
    },
  ) => ({
    id,
    object: 'invoice',
    customer,
    status: 'paid',
    billing_reason: opts.reason,
    amount_paid: opts.amountPaid,
    parent: {
      type: 'subscription_details',
      subscription_details: { subscription: `sub_${customer}` },
    },
    lines: {
      object: 'list',
      data: opts.lines ?? [
        {
          id: `il_${id}`,
          object: 'line_item',
          amount: opts.amountPaid,
          pricing: { type: 'price_details', price_details: { price: opts.price } },
          parent: {
            type: 'subscription_item_details',
            subscription_item_details: { proration: false, subscription: `sub_${customer}` },
          },
        },
      ],
    },
  }),
  invoicePayment: (invoice: string, pi: string, amount: number) => ({
    id: `inpay_${invoice}`,
    object: 'invoice_payment',
    invoice,
    amount_paid: amount,
    amount_requested: amount,
    is_default: true,
    status: 'paid',
    payment: { type: 'payment_intent', payment_intent: pi },
  }),
};

async function subscribed(price = 'price_plan_pro') {
  const u = await customer();
  await ok(event('customer.subscription.created', objects.subscription(u.cus, price, 'active')));
  return u;
}

const grants = (userId: string) =>
  db().creditLedgerEntry.count({ where: { userId, kind: 'SUBSCRIPTION_GRANT' } });

describe('subscription invoices: what grants, and what a refund or dispute takes back', () => {
  it('prorations and zero invoices grant nothing; a paid first or cycle period grants once', async () => {
    const u = await subscribed();
    const start = (await balanceOf(u.id)).available;
    // Upgrade mid-period, invoiced at once: the prorated difference is paid, nothing granted.
    await ok(
      event(
        'invoice.paid',
        current.invoice(u.cus, `in_prorate_${u.cus}`, {
          reason: 'subscription_update',
          amountPaid: 4650,
          lines: [
            {
              id: 'il_unused_pro',
              amount: -1450,
              pricing: { price_details: { price: 'price_plan_pro' } },
              parent: { subscription_item_details: { proration: true } },
            },
            {
              id: 'il_remaining_studio',
              amount: 6100,
              pricing: { price_details: { price: 'price_plan_studio' } },
              parent: { subscription_item_details: { proration: true } },
            },
          ],
        }),
      ),
    );
    // Invoices for the plan's price that grant nothing: a trial's first invoice and a 100 %
    // coupon (nothing paid), and a manual invoice (not a subscription period).
    for (const [name, reason, amountPaid] of [
      ['trial', 'subscription_create', 0],
      ['coupon', 'subscription_cycle', 0],
      ['manual', 'manual', 2900],
    ] as const) {
      await ok(
        event(
          'invoice.paid',
          current.invoice(u.cus, `in_${name}_${u.cus}`, {
            reason,
            amountPaid,
            price: 'price_plan_pro',
          }),
        ),
      );
    }
    expect((await balanceOf(u.id)).available).toBe(start);
    expect(await grants(u.id)).toBe(0);

    // The next cycle invoice carries the proration lines of the old plan first, then the new
    // plan's period: it grants the new plan's allowance, once.
    const cycle = event(
      'invoice.paid',
      current.invoice(u.cus, `in_cycle_${u.cus}`, {
        reason: 'subscription_cycle',
        amountPaid: 9900,
        lines: [
          {
            id: 'il_old',
            amount: 0,
            pricing: { price_details: { price: 'price_plan_pro' } },
            parent: { subscription_item_details: { proration: true } },
          },
          {
            id: 'il_new',
            amount: 9900,
            pricing: { price_details: { price: 'price_plan_studio' } },
            parent: { subscription_item_details: { proration: false } },
          },
        ],
      }),
    );
    await ok(cycle);
    await ok(cycle);
    expect((await balanceOf(u.id)).available).toBe(start + 5000);
    expect(await grants(u.id)).toBe(1);
  });

  it("a refund and a dispute of a subscription payment claw back that period's grant, once", async () => {
    const u = await subscribed();
    const start = (await balanceOf(u.id)).available;
    const paid = (n: number) =>
      event(
        'invoice.paid',
        current.invoice(u.cus, `in_${n}_${u.cus}`, {
          reason: n === 1 ? 'subscription_create' : 'subscription_cycle',
          amountPaid: 2900,
          price: 'price_plan_pro',
        }),
      );
    const link = (n: number) =>
      event(
        'invoice_payment.paid',
        current.invoicePayment(`in_${n}_${u.cus}`, `pi_${n}_${u.cus}`, 2900),
      );
    const pi = (n: number) => `pi_${n}_${u.cus}`;
    const charge = (n: number, refunded: number) => {
      const c: Record<string, unknown> = objects.charge(pi(n), 2900, refunded);
      delete c.invoice; // a charge names no invoice in current API versions
      return c;
    };

    // Period 1: paid, linked, then refunded in full (replayed three times).
    const refund1 = event('charge.refunded', charge(1, 2900));
    for (const e of [paid(1), link(1), refund1, refund1, paid(1), link(1), refund1]) await ok(e);
    expect((await balanceOf(u.id)).available).toBe(start);

    // Period 2: the refund (half) and the link arrive BEFORE the invoice; then a replay.
    const refund2 = event('charge.refunded', charge(2, 1450));
    const link2 = link(2);
    const paid2 = paid(2);
    for (const e of [refund2, link2, paid2, refund2, link2, paid2]) await ok(e);
    expect((await balanceOf(u.id)).available).toBe(start + 500);

    // Period 3: paid, then disputed (replayed); the dispute takes the whole period back.
    const dispute3 = event('charge.dispute.created', objects.dispute(pi(3), 2900));
    for (const e of [paid(3), link(3), dispute3, dispute3]) await ok(e);
    expect((await balanceOf(u.id)).available).toBe(start + 500);

    // Period 4 stays: nothing undone touches it.
    await ok(paid(4));
    await ok(link(4));
    expect((await balanceOf(u.id)).available).toBe(start + 500 + 1000);

    const entries = await db().creditLedgerEntry.findMany({
      where: { userId: u.id, kind: { in: ['SUBSCRIPTION_GRANT', 'REFUND', 'DISPUTE'] } },
      orderBy: { createdAt: 'asc' },
    });
    const sum = (kind: string) =>
      entries.filter((e) => e.kind === kind).reduce((a, e) => a + e.amount, 0);
    expect(entries.filter((e) => e.kind === 'SUBSCRIPTION_GRANT')).toHaveLength(4);
    expect(sum('REFUND')).toBe(-1000 - 500);
    expect(sum('DISPUTE')).toBe(-1000);
    // Each period is one payment record, whatever ids its events used.
    for (const n of [1, 2, 3, 4]) {
      const refs = await db().stripePaymentRef.findMany({
        where: { ref: { in: [`in_${n}_${u.cus}`, pi(n)] } },
      });
      expect(new Set(refs.map((r) => r.paymentId)).size, `period ${n}`).toBe(1);
    }
  });

  it('an invoice that names its payment (expanded payments) needs no separate link', async () => {
    const u = await subscribed();
    const start = (await balanceOf(u.id)).available;
    const inv = {
      ...current.invoice(u.cus, `in_exp_${u.cus}`, {
        reason: 'subscription_cycle',
        amountPaid: 2900,
        price: 'price_plan_pro',
      }),
      payments: {
        object: 'list',
        data: [current.invoicePayment(`in_exp_${u.cus}`, `pi_exp_${u.cus}`, 2900)],
      },
    };
    await ok(event('invoice.paid', inv));
    await ok(event('charge.dispute.created', objects.dispute(`pi_exp_${u.cus}`, 2900)));
    expect((await balanceOf(u.id)).available).toBe(start);
  });
});

describe('replays at scale', () => {
  it('1 000 events replayed three times in shuffled order leave every balance exact', async () => {
    // One after another: twenty sign-ups at once can wait past Prisma's transaction start
    // timeout (P2028) on a loaded machine; the replays below are what this test is about.
    const users: Awaited<ReturnType<typeof customer>>[] = [];
    for (let i = 0; i < 20; i += 1) users.push(await customer());
    const packs = [
      ['pack-100', 100, 900],
      ['pack-500', 500, 3900],
      ['pack-2000', 2000, 12900],
    ] as const;
    const events: StripeTestEvent[] = [];
    const expected = new Map<string, number>();
    for (const [i, u] of users.entries()) {
      let balance = 50;
      for (let j = 0; j < 16; j += 1) {
        const [item, credits, amount] = packs[(i + j) % 3]!;
        const pi = `pi_scale_${u.cus}_${j}`;
        events.push(
          event('checkout.session.completed', objects.packCheckout(u.cus, pi, item, amount)),
        );
        let kept: number = credits;
        if (j % 4 === 0) {
          events.push(event('charge.refunded', objects.charge(pi, amount, Math.round(amount / 2))));
          kept = credits - Math.round((credits * Math.round(amount / 2)) / amount);
        }
        if (j % 8 === 0) {
          events.push(event('charge.refunded', objects.charge(pi, amount, amount)));
          kept = 0;
        }
        if (j === 5 && i % 2 === 0) {
          events.push(event('charge.dispute.created', objects.dispute(pi, amount)));
          kept = 0;
        }
        balance += kept;
      }
      for (let k = 0; k < 20; k += 1) {
        events.push(
          event(
            'invoice.paid',
            objects.invoice(
              u.cus,
              `in_scale_${u.cus}_${k}`,
              `pi_in_scale_${u.cus}_${k}`,
              'price_plan_pro',
              2900,
            ),
          ),
        );
        balance += 1000;
      }
      events.push(
        event(
          'customer.subscription.updated',
          objects.subscription(u.cus, 'price_plan_pro', 'active'),
        ),
      );
      expected.set(u.id, balance);
    }
    while (events.length < 1000)
      events.push(
        event('customer.created', { id: `cus_noise_${events.length}`, object: 'customer' }),
      );
    expect(events.length).toBe(1000);

    // Seeded shuffles (mulberry32): a failing order is replayed with TEST_SEED=<the printed seed>.
    const seed = Number(process.env.TEST_SEED ?? Math.floor(Math.random() * 2 ** 32));
    console.info(`[billing-webhooks] shuffle seed ${seed} (rerun with TEST_SEED=${seed})`);
    let state = seed >>> 0;
    const random = () => {
      state = (state + 0x6d2b79f5) >>> 0;
      let t = state;
      t = Math.imul(t ^ (t >>> 15), t | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
    };
    const shuffled = (xs: StripeTestEvent[]) =>
      xs
        .map((x) => [random(), x] as const)
        .sort((a, b) => a[0] - b[0])
        .map(([, x]) => x);
    for (let round = 0; round < 3; round += 1) {
      const queue = shuffled(events);
      // Four deliveries at a time, as Stripe retries overlap.
      await Promise.all(
        Array.from({ length: 4 }, async () => {
          for (let e = queue.pop(); e; e = queue.pop()) await ok(e);
        }),
      );
    }
    for (const u of users)
      expect((await balanceOf(u.id)).available, `${u.id} (seed ${seed})`).toBe(expected.get(u.id));
    expect(await db().stripeEvent.count({ where: { id: { in: events.map((e) => e.id) } } })).toBe(
      1000,
    );
  }, 300_000);
});
