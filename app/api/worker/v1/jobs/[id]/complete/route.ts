import { completeJob } from '@/server/jobs/worker-report';
import { workerRoute } from '@/server/workers/http';
import { completeRequest } from '@/server/workers/protocol';

type Ctx = { params: Promise<{ id: string }> };

export function POST(req: Request, ctx: Ctx) {
  return workerRoute(completeRequest, async (body, worker) =>
    Response.json(await completeJob((await ctx.params).id, body, worker)),
  )(req);
}
