// Checkout and portal against stripe-mock (Stripe's official API mock, which validates every
// request against Stripe's OpenAPI spec). npm test builds it with `go install`; where Go is
// absent it says so and these tests are skipped.
import { spawn, type ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCheckout, createPortal, ensureCustomer } from '@/server/billing/checkout';
import { db } from '@/server/db';
import { createCaller } from '@/server/trpc/router';
import { freePort, waitFor } from '../helpers/live';
import { stripeEnv } from '../helpers/stripe-events';
import { makeUser } from '../helpers/users';

const bin = process.env.STRIPE_MOCK_BIN;
if (!bin)
  console.warn(
    '[billing-checkout] STRIPE_MOCK_BIN is not set (no Go here): skipping the stripe-mock tests',
  );
let mock: ChildProcess | null = null;

beforeAll(async () => {
  if (!bin) return;
  const port = await freePort();
  mock = spawn(bin, ['-http-addr', `127.0.0.1:${port}`], { stdio: 'ignore' });
  stripeEnv();
  process.env.STRIPE_API_BASE = `http://127.0.0.1:${port}`;
  await waitFor(
    async () =>
      (
        await fetch(`http://127.0.0.1:${port}/v1/customers`, {
          headers: { authorization: 'Bearer sk_test_x' },
        })
      ).ok,
    20_000,
    'stripe-mock',
  );
});

afterAll(() => {
  mock?.kill();
});

describe.skipIf(!bin)('checkout against stripe-mock', () => {
  it('creates the customer once, then a Checkout Session for a pack and for a plan', async () => {
    const u = await makeUser();
    const first = await ensureCustomer(u.id);
    expect(first).toMatch(/^cus_/);
    expect(await ensureCustomer(u.id)).toBe(first);
    expect(await db().stripeCustomer.count({ where: { userId: u.id } })).toBe(1);
    const pack = await createCheckout(u.id, 'pack-500');
    expect(pack.url).toMatch(/^https:\/\//);
    const plan = await createCheckout(u.id, 'pro');
    expect(plan.id).toMatch(/^cs_/);
    expect((await createPortal(u.id)).url).toMatch(/^https:\/\//);
    // Nothing is granted by creating a session: credits only come from the webhook.
    expect((await db().user.findUniqueOrThrow({ where: { id: u.id } })).creditBalance).toBe(50);
  });

  it('refuses unknown items and buying for anyone but oneself', async () => {
    const u = await makeUser();
    await expect(createCheckout(u.id, 'pack-9999')).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(createCheckout(u.id, 'free')).rejects.toMatchObject({ code: 'NOT_FOUND' });
    const caller = createCaller({
      user: { id: u.id },
      headers: new Headers(),
    });
    const other = await makeUser();
    await expect(
      caller.billing.checkout({ item: 'pack-100', userId: other.id } as never),
    ).rejects.toMatchObject({ code: 'BAD_REQUEST' });
    expect(await db().stripeCustomer.count({ where: { userId: other.id } })).toBe(0);
  });
});

describe('without Stripe keys', () => {
  it('says payments are not configured, and nothing breaks', async () => {
    const { resetEnv } = await import('@/server/env');
    const saved = process.env.STRIPE_SECRET_KEY;
    delete process.env.STRIPE_SECRET_KEY;
    resetEnv();
    delete (globalThis as Record<string, unknown>).__stripe;
    const u = await makeUser();
    const caller = createCaller({
      user: { id: u.id },
      headers: new Headers(),
    });
    expect(await caller.billing.catalog()).toMatchObject({ paymentsConfigured: false });
    await expect(caller.billing.checkout({ item: 'pack-100' })).rejects.toThrow(/not configured/);
    if (saved) process.env.STRIPE_SECRET_KEY = saved;
    resetEnv();
    delete (globalThis as Record<string, unknown>).__stripe;
  });
});
