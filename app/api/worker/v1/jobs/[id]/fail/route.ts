import { failJob } from '@/server/jobs/worker-report';
import { workerRoute } from '@/server/workers/http';
import { failRequest } from '@/server/workers/protocol';

type Ctx = { params: Promise<{ id: string }> };

export function POST(req: Request, ctx: Ctx) {
  return workerRoute(failRequest, async (body, worker) =>
    Response.json(await failJob((await ctx.params).id, body, worker)),
  )(req);
}
