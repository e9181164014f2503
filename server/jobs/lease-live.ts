import { db } from '../db';
import { isJobId } from './lock';

/**
 * Whether `leaseId` is the job's current lease and has not ended: the job is RUNNING under it and
 * its expiry has not passed. A lease ends when the job completes, fails, is released or
 * re-queued, or when it expires (even before the sweeper notices).
 */
export async function isLeaseLive(jobId: string, leaseId: string): Promise<boolean> {
  if (!isJobId(jobId) || !isJobId(leaseId)) return false;
  const rows = await db().$queryRaw<{ live: boolean }[]>`
    SELECT 1 AS live FROM "Job"
     WHERE "id" = ${jobId}::uuid AND "leaseId" = ${leaseId}::uuid AND "status" = 'RUNNING'
       AND "leaseExpiresAt" > (now() AT TIME ZONE 'UTC')`;
  return rows.length === 1;
}
