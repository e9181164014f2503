import { restRoute } from '@/server/api-keys/rest';
import { deleteLibraryImage } from '@/server/references/library';

type Ctx = { params: Promise<{ id: string }> };

export const DELETE = restRoute<Ctx>('references:write', async (_req, caller, ctx) => {
  await deleteLibraryImage(caller.userId, (await ctx.params).id);
  return new Response(null, { status: 204 });
});
