import { handleStripeWebhook } from '@/server/billing/webhook';
import { readBody } from '@/server/body';
import { handle } from '@/server/http';

/** Stripe's events are a few KB; anything near this is not Stripe. */
const MAX_BODY_BYTES = 2 ** 20;

export function POST(req: Request) {
  // The signature covers the raw bytes: read them (bounded, before anything else: the caller is
  // anonymous until the signature is checked), never re-serialise them, then verify.
  return handle(async () => {
    const raw = await readBody(req, MAX_BODY_BYTES, 'Stripe webhook bodies');
    return Response.json(
      await handleStripeWebhook(raw.toString('utf8'), req.headers.get('stripe-signature')),
    );
  });
}
