// Checkout and portal against stripe-mock (Stripe's official API mock, which validates every
// request against Stripe's OpenAPI spec), with every request the app sends it recorded on the way
// (a small forwarding proxy), so the tests check what was asked for, not only the canned answers.
// npm test builds stripe-mock with `go install`; where Go is absent these tests are skipped, and
// with CI set that fails the run instead (scripts/lib/tools.mjs).
import { spawn, type ChildProcess } from 'node:child_process';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCheckout, createPortal, ensureCustomer } from '@/server/billing/checkout';
import { db } from '@/server/db';
import { createCaller } from '@/server/trpc/router';
import { requireTool } from '../../scripts/lib/tools.mjs';
import { waitFor } from '../helpers/live';
import { stripeEnv } from '../helpers/stripe-events';
import { makeUser } from '../helpers/users';

const bin = requireTool('stripe-mock', process.env.STRIPE_MOCK_BIN, {
  skips: 'the checkout tests against stripe-mock are skipped',
  install: 'Install Go and run `npm test` (it builds stripe-mock), or set STRIPE_MOCK_BIN.',
});
let mock: ChildProcess | null = null;

/** One request the app sent to Stripe: method, path and the form-encoded parameters. */
interface Sent {
  method: string;
  path: string;
  params: URLSearchParams;
}
const sent: Sent[] = [];
const posted = (path: string) => sent.filter((r) => r.method === 'POST' && r.path === path);
let proxy: http.Server | null = null;

/** Starts stripe-mock on a port the OS picks (read back from its log: nothing to race for). */
async function startMock(path: string): Promise<string> {
  const child = spawn(path, ['-http-addr', '127.0.0.1:0', '-https-addr', '127.0.0.1:0'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  mock = child;
  let out = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  const addr = await waitFor(
    () => Promise.resolve(/Listening for HTTP at address: (\S+)/.exec(out)?.[1]),
    30_000,
    `stripe-mock to listen (${out})`,
  );
  return `http://${addr}`;
}

/** A recording proxy in front of stripe-mock: the app's Stripe client talks to it. */
async function startProxy(upstream: string): Promise<string> {
  proxy = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString();
      const path = (req.url ?? '/').split('?')[0]!;
      sent.push({ method: req.method ?? 'GET', path, params: new URLSearchParams(body) });
      const headers = Object.fromEntries(
        Object.entries(req.headers).filter(
          ([k, v]) =>
            typeof v === 'string' && !['host', 'content-length', 'connection'].includes(k),
        ),
      ) as Record<string, string>;
      fetch(`${upstream}${req.url ?? '/'}`, {
        method: req.method,
        headers,
        body: ['GET', 'HEAD'].includes(req.method ?? 'GET') ? undefined : body,
      })
        .then(async (r) => {
          res.writeHead(r.status, { 'content-type': r.headers.get('content-type') ?? '' });
          res.end(Buffer.from(await r.arrayBuffer()));
        })
        .catch((e: unknown) => res.writeHead(502).end(String(e)));
    });
  });
  await new Promise<void>((r) => proxy!.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
}

beforeAll(async () => {
  if (!bin) return;
  const upstream = await startMock(bin);
  stripeEnv();
  process.env.STRIPE_API_BASE = await startProxy(upstream);
  await waitFor(
    async () =>
      (await fetch(`${upstream}/v1/customers`, { headers: { authorization: 'Bearer sk_test_x' } }))
        .ok,
    20_000,
    'stripe-mock',
  );
}, 60_000);

afterAll(async () => {
  mock?.kill();
  await new Promise((r) => (proxy ? proxy.close(r) : r(undefined)));
});

describe.skipIf(!bin)('checkout against stripe-mock', () => {
  it('creates the customer once, then a Checkout Session for a pack and for a plan', async () => {
    const u = await makeUser();
    const first = await ensureCustomer(u.id);
    expect(first).toMatch(/^cus_/);
    expect(await ensureCustomer(u.id)).toBe(first);
    expect(await db().stripeCustomer.count({ where: { userId: u.id } })).toBe(1);
    // One customer created at Stripe, for this user, whatever ensureCustomer is called again.
    const customers = posted('/v1/customers').filter(
      (r) => r.params.get('metadata[userId]') === u.id,
    );
    expect(customers).toHaveLength(1);
    const pack = await createCheckout(u.id, 'pack-500');
    expect(pack.url).toMatch(/^https:\/\//);
    const plan = await createCheckout(u.id, 'pro');
    expect(plan.id).toMatch(/^cs_/);
    // What was asked of Stripe: a one-off payment for the pack's price, a subscription for the
    // plan's, each for this user's customer, with the user and item in the metadata Stripe hands
    // back in the webhook (on the session and on the payment or subscription it makes).
    const sessions = posted('/v1/checkout/sessions').filter(
      (r) => r.params.get('client_reference_id') === u.id,
    );
    expect(sessions).toHaveLength(2);
    const [packSent, planSent] = sessions.map((r) => Object.fromEntries(r.params));
    expect(packSent).toMatchObject({
      mode: 'payment',
      customer: first,
      'line_items[0][price]': 'price_pack_500',
      'line_items[0][quantity]': '1',
      'metadata[userId]': u.id,
      'metadata[item]': 'pack-500',
      'payment_intent_data[metadata][userId]': u.id,
      'payment_intent_data[metadata][item]': 'pack-500',
    });
    expect(packSent).not.toHaveProperty('subscription_data[metadata][item]');
    expect(planSent).toMatchObject({
      mode: 'subscription',
      customer: first,
      'line_items[0][price]': 'price_plan_pro',
      'line_items[0][quantity]': '1',
      'metadata[userId]': u.id,
      'metadata[item]': 'pro',
      'subscription_data[metadata][userId]': u.id,
      'subscription_data[metadata][item]': 'pro',
    });
    expect(planSent).not.toHaveProperty('payment_intent_data[metadata][item]');
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
