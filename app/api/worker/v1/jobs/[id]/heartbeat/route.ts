import { recordHeartbeat } from '@/server/jobs/worker-report';
import { HEARTBEAT_BODY_MAX_BYTES, workerRoute } from '@/server/workers/http';
import { heartbeatRequest } from '@/server/workers/protocol';

type Ctx = { params: Promise<{ id: string }> };

export function POST(req: Request, ctx: Ctx) {
  return workerRoute(
    heartbeatRequest,
    async (body, worker) =>
      Response.json(await recordHeartbeat((await ctx.params).id, body, worker)),
    { maxBodyBytes: HEARTBEAT_BODY_MAX_BYTES },
  )(req);
}
