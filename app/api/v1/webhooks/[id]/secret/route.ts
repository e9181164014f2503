// An endpoint's signing secret, for its owner. webhooks:write: a secret lets its holder forge
// deliveries, which is more than reading.
import { restRoute } from '@/server/api-keys/rest';
import { endpointSecret } from '@/server/webhooks/endpoints';

type Ctx = { params: Promise<{ id: string }> };

export const GET = restRoute<Ctx>('webhooks:write', async (_req, caller, ctx) =>
  Response.json(await endpointSecret(caller.userId, (await ctx.params).id)),
);
