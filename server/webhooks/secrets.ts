// Standard Webhooks signing secrets ("whsec_" + base64 key) and the signed headers. Registered
// endpoints each get a random secret stored on their row. Per-job webhook URLs have no row, so
// their secret is derived per account: HMAC(BETTER_AUTH_SECRET, label + user id) — stable
// without storing anything, different for every account, and a leak of one reveals no other.
import { createHmac, randomBytes } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { env } from '../env';

const JOB_URL_SECRET_LABEL = 'adapter-studio/webhooks/per-job-url-secret/v1:';

export function newEndpointSecret(): string {
  return `whsec_${randomBytes(32).toString('base64')}`;
}

/** The secret that signs deliveries to the per-job `webhook` URLs of this account. */
export function jobUrlSecret(userId: string): string {
  const key = createHmac('sha256', env().BETTER_AUTH_SECRET)
    .update(JOB_URL_SECRET_LABEL + userId)
    .digest('base64');
  return `whsec_${key}`;
}

/** webhook-id / webhook-timestamp / webhook-signature for one attempt, via the maintained library. */
export function signedHeaders(
  secret: string,
  messageId: string,
  body: string,
  at: Date = new Date(),
): Record<string, string> {
  return {
    'webhook-id': messageId,
    'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
    'webhook-signature': new Webhook(secret).sign(messageId, at, body),
  };
}
