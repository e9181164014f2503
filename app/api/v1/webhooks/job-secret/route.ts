// The secret that signs deliveries to the `webhook` URLs given with jobs (one per account).
import { restRoute } from '@/server/api-keys/rest';
import { jobWebhookSecret } from '@/server/webhooks/endpoints';

export const GET = restRoute('webhooks:write', (_req, caller) =>
  Promise.resolve(Response.json(jobWebhookSecret(caller.userId))),
);
