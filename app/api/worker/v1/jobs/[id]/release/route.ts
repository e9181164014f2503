import { releaseJob } from '@/server/jobs/worker-report';
import { workerRoute } from '@/server/workers/http';
import { releaseRequest } from '@/server/workers/protocol';

type Ctx = { params: Promise<{ id: string }> };

export function POST(req: Request, ctx: Ctx) {
  return workerRoute(releaseRequest, async (body, worker) =>
    Response.json(await releaseJob((await ctx.params).id, body, worker)),
  )(req);
}
