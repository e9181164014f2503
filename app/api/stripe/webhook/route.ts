import { handleStripeWebhook } from '@/server/billing/webhook';
import { handle } from '@/server/http';

export function POST(req: Request) {
  // The signature covers the raw bytes: read the body as text, never re-serialise it.
  return handle(async () =>
    Response.json(await handleStripeWebhook(await req.text(), req.headers.get('stripe-signature'))),
  );
}
