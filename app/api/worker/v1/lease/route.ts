import { leaseWithWait } from '@/server/jobs/lease';
import { workerRoute } from '@/server/workers/http';
import { leaseRequest } from '@/server/workers/protocol';

export const dynamic = 'force-dynamic';
export const maxDuration = 60;

export const POST = workerRoute(leaseRequest, async (body, worker) => {
  const job = await leaseWithWait(body, worker);
  return job ? Response.json({ job }) : new Response(null, { status: 204 });
});
