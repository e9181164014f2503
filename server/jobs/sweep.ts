// Leases that were not renewed in time (the worker died or lost the network) return their
// jobs to the queue, until the job has used its attempts; then it fails and its credits return.
import { db } from '../db';
import { lockJob } from './lock';
import { finishUnsuccessfully, requeue } from './worker-report';

export async function expireLeases(limit = 100): Promise<number> {
  const expired = await db().$queryRaw<{ id: string }[]>`
    SELECT "id" FROM "Job" WHERE "status" = 'RUNNING' AND "leaseExpiresAt" < (now() AT TIME ZONE 'UTC') LIMIT ${limit}`;
  let handled = 0;
  for (const { id } of expired) {
    await db().$transaction(async (tx) => {
      const job = await lockJob(tx, id);
      // Re-check under the lock: a heartbeat may have renewed it meanwhile.
      if (
        !job ||
        job.status !== 'RUNNING' ||
        !job.leaseExpiresAt ||
        job.leaseExpiresAt > new Date()
      )
        return;
      handled += 1;
      if (job.cancelRequested) await finishUnsuccessfully(tx, job, 'CANCELED', null, null);
      else if (job.attempts >= job.maxAttempts) {
        await finishUnsuccessfully(
          tx,
          job,
          'FAILED',
          'lease_expired',
          'The worker stopped responding too many times.',
        );
      } else
        await requeue(tx, job, true, {
          code: 'lease_expired',
          message: 'The worker stopped responding; retrying.',
        });
    });
  }
  return handled;
}
