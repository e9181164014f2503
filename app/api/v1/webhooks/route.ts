// Registered webhook endpoints: list, and create (the answer carries the signing secret).
import { jsonBody, restRoute } from '@/server/api-keys/rest';
import { createEndpoint, listEndpoints } from '@/server/webhooks/endpoints';

export const GET = restRoute('webhooks:read', async (_req, caller) =>
  Response.json({ items: await listEndpoints(caller.userId) }),
);

export const POST = restRoute('webhooks:write', async (req, caller) =>
  Response.json(await createEndpoint(caller.userId, await jsonBody(req)), { status: 201 }),
);
