// The delivery log, newest first: ?limit, ?cursor, ?status, ?endpointId, ?jobId.
import { restRoute } from '@/server/api-keys/rest';
import { listDeliveries } from '@/server/webhooks/deliveries';

export const GET = restRoute('webhooks:read', async (req, caller) =>
  Response.json(
    await listDeliveries(caller.userId, Object.fromEntries(new URL(req.url).searchParams)),
  ),
);
