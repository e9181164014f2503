// The Stripe client, or null when payments are not configured (the product runs without them).
import Stripe from 'stripe';
import { env } from '../env';

const g = globalThis as unknown as { __stripe?: Stripe | null };

export function stripe(): Stripe | null {
  if (g.__stripe !== undefined) return g.__stripe;
  const e = env();
  if (!e.STRIPE_SECRET_KEY) return (g.__stripe = null);
  const base = e.STRIPE_API_BASE ? new URL(e.STRIPE_API_BASE) : null;
  g.__stripe = new Stripe(e.STRIPE_SECRET_KEY, {
    maxNetworkRetries: 2,
    ...(base
      ? {
          host: base.hostname,
          port: Number(base.port || (base.protocol === 'https:' ? 443 : 80)),
          protocol: base.protocol.replace(':', '') as 'http' | 'https',
        }
      : {}),
  });
  return g.__stripe;
}

export function paymentsConfigured(): boolean {
  return stripe() !== null;
}
