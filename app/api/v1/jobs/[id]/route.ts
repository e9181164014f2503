import { jobResponse } from '@/server/api-keys/prefer-wait';
import { restRoute } from '@/server/api-keys/rest';

type Ctx = { params: Promise<{ id: string }> };

export const GET = restRoute<Ctx>('jobs:read', async (req, caller, ctx) =>
  jobResponse(req, caller.userId, (await ctx.params).id, 200),
);
