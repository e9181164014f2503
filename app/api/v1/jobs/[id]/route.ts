import { restRoute } from '@/server/api-keys/rest';
import { getJob } from '@/server/jobs/user-jobs';

type Ctx = { params: Promise<{ id: string }> };

export const GET = restRoute<Ctx>('jobs:read', async (_req, caller, ctx) =>
  Response.json(await getJob(caller.userId, (await ctx.params).id)),
);
