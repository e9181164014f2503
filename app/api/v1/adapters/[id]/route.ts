import { jsonBody, restRoute } from '@/server/api-keys/rest';
import { renameAdapterBody } from '@/server/api-keys/schemas';
import { deleteAdapter, renameAdapter } from '@/server/adapters/adapters';
import { parseInput } from '@/server/validation';

type Ctx = { params: Promise<{ id: string }> };

export const PATCH = restRoute<Ctx>('adapters:write', async (req, caller, ctx) => {
  const { name } = parseInput(renameAdapterBody, await jsonBody(req));
  const a = await renameAdapter(caller.userId, (await ctx.params).id, name);
  return Response.json({ id: a.id, name: a.name });
});

export const DELETE = restRoute<Ctx>('adapters:write', async (_req, caller, ctx) => {
  await deleteAdapter(caller.userId, (await ctx.params).id);
  return new Response(null, { status: 204 });
});
