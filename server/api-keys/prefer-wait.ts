// `Prefer: wait=N` (RFC 7240), as Replicate offers it: hold the response up to N seconds (at
// most 60) until the job finishes; a job still running by then is answered 202 as it stands.
import { isJobId, isTerminal } from '../jobs/lock';
import { getJob, type JobView } from '../jobs/user-jobs';
import { db } from '../db';

export const MAX_WAIT_S = 60;
const POLL_MS = 200;

/** The seconds asked for, capped at 60; null without a `wait` preference. */
export function preferredWait(req: Request): number | null {
  const prefer = req.headers.get('prefer');
  if (!prefer) return null;
  for (const part of prefer.split(/[,;]/)) {
    const m = /^\s*wait\s*=\s*"?(\d{1,6})"?\s*$/i.exec(part);
    if (m) return Math.min(Number(m[1]), MAX_WAIT_S);
  }
  return null;
}

async function waitForFinish(userId: string, jobId: string, seconds: number): Promise<JobView> {
  // Not a job id: getJob says 404 (the poll below would hand the database a non-UUID: a 500).
  if (!isJobId(jobId)) return getJob(userId, jobId);
  const deadline = Date.now() + seconds * 1000;
  for (;;) {
    const row = await db().job.findFirst({
      where: { id: jobId, userId },
      select: { status: true },
    });
    if (!row || isTerminal(row.status) || Date.now() >= deadline) break;
    await new Promise((r) => setTimeout(r, Math.min(POLL_MS, Math.max(0, deadline - Date.now()))));
  }
  return getJob(userId, jobId);
}

/**
 * The response for a job the caller created (201) or asked about (200), after honouring any
 * wait preference: a finished job as usual, an unfinished one after a wait as 202.
 */
export async function jobResponse(
  req: Request,
  userId: string,
  jobId: string,
  status: 200 | 201,
): Promise<Response> {
  const wait = preferredWait(req);
  if (wait === null) return Response.json(await getJob(userId, jobId), { status });
  const job = await waitForFinish(userId, jobId, wait);
  return Response.json(job, {
    status: isTerminal(job.status) ? status : 202,
    headers: { 'Preference-Applied': `wait=${wait}`, Vary: 'Prefer' },
  });
}
