import { restRoute } from '@/server/api-keys/rest';
import { cancelJob } from '@/server/jobs/user-jobs';

type Ctx = { params: Promise<{ id: string }> };

export const POST = restRoute<Ctx>('jobs:write', async (_req, caller, ctx) =>
  Response.json(await cancelJob(caller.userId, (await ctx.params).id)),
);
