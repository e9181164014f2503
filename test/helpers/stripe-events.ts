// Signed Stripe events, made with the SDK's own test-header helper, sent to the real route.
import { randomBytes } from 'node:crypto';
import Stripe from 'stripe';
import { POST as webhookRoute } from '@/app/api/stripe/webhook/route';

export const WEBHOOK_SECRET = 'whsec_test_adapter_studio_0123456789';
const sdk = new Stripe('sk_test_unused');

export function stripeEnv() {
  Object.assign(process.env, {
    STRIPE_SECRET_KEY: 'sk_test_123adapterstudio',
    STRIPE_WEBHOOK_SECRET: WEBHOOK_SECRET,
    STRIPE_PRICE_PACK_100: 'price_pack_100',
    STRIPE_PRICE_PACK_500: 'price_pack_500',
    STRIPE_PRICE_PACK_2000: 'price_pack_2000',
    STRIPE_PRICE_PLAN_PRO: 'price_plan_pro',
    STRIPE_PRICE_PLAN_STUDIO: 'price_plan_studio',
  });
}

export interface StripeTestEvent {
  id: string;
  type: string;
  created: number;
  object: Record<string, unknown>;
}

let clock = 1_790_000_000;
export function event(
  type: string,
  object: Record<string, unknown>,
  created?: number,
): StripeTestEvent {
  clock += 1;
  return { id: `evt_${randomBytes(8).toString('hex')}`, type, created: created ?? clock, object };
}

export function payload(e: StripeTestEvent): string {
  return JSON.stringify({
    id: e.id,
    object: 'event',
    api_version: '2025-09-30.clover',
    created: e.created,
    livemode: false,
    pending_webhooks: 0,
    request: { id: null, idempotency_key: null },
    type: e.type,
    data: { object: e.object },
  });
}

/** The Stripe-Signature header Stripe would send with this raw body. */
export function signatureOf(body: string, secret = WEBHOOK_SECRET): string {
  return sdk.webhooks.generateTestHeaderString({ payload: body, secret });
}

export function send(e: StripeTestEvent, secret = WEBHOOK_SECRET): Promise<Response> {
  const body = payload(e);
  const signature = signatureOf(body, secret);
  return webhookRoute(
    new Request('http://localhost:3000/api/stripe/webhook', {
      method: 'POST',
      headers: { 'stripe-signature': signature, 'content-type': 'application/json' },
      body,
    }),
  );
}

export const objects = {
  packCheckout: (
    customer: string,
    pi: string,
    item: string,
    amount: number,
    extra: Record<string, unknown> = {},
  ) => ({
    id: `cs_${pi}`,
    object: 'checkout.session',
    mode: 'payment',
    payment_status: 'paid',
    status: 'complete',
    customer,
    payment_intent: pi,
    amount_total: amount,
    metadata: { item },
    ...extra,
  }),
  invoice: (customer: string, id: string, pi: string, price: string, amount: number) => ({
    id,
    object: 'invoice',
    customer,
    status: 'paid',
    billing_reason: 'subscription_cycle',
    amount_paid: amount,
    payment_intent: pi,
    subscription: `sub_${customer}`,
    lines: { object: 'list', data: [{ id: `il_${id}`, price: { id: price } }] },
  }),
  subscription: (customer: string, price: string, status: string) => ({
    id: `sub_${customer}`,
    object: 'subscription',
    customer,
    status,
    cancel_at_period_end: false,
    items: {
      object: 'list',
      data: [
        {
          id: `si_${customer}`,
          price: { id: price },
          current_period_start: 1_790_000_000,
          current_period_end: 1_792_592_000,
        },
      ],
    },
  }),
  charge: (pi: string, amount: number, refunded: number) => ({
    id: `ch_${pi}`,
    object: 'charge',
    payment_intent: pi,
    amount,
    amount_refunded: refunded,
    refunded: refunded >= amount,
  }),
  dispute: (pi: string, amount: number) => ({
    id: `dp_${pi}`,
    object: 'dispute',
    payment_intent: pi,
    charge: `ch_${pi}`,
    amount,
    status: 'needs_response',
  }),
};
