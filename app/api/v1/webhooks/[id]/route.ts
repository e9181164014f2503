import { restRoute } from '@/server/api-keys/rest';
import { deleteEndpoint } from '@/server/webhooks/endpoints';

type Ctx = { params: Promise<{ id: string }> };

export const DELETE = restRoute<Ctx>('webhooks:write', async (_req, caller, ctx) => {
  await deleteEndpoint(caller.userId, (await ctx.params).id);
  return new Response(null, { status: 204 });
});
