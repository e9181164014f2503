import type { Tx } from '../db';

/** Locks a job row for the rest of the transaction and returns it (null when absent). */
export async function lockJob(tx: Tx, jobId: string) {
  const rows = await tx.$queryRaw<
    { id: string }[]
  >`SELECT "id" FROM "Job" WHERE "id" = ${jobId}::uuid FOR UPDATE`;
  if (!rows.length) return null;
  return tx.job.findUniqueOrThrow({ where: { id: jobId } });
}

export const TERMINAL = ['SUCCEEDED', 'FAILED', 'CANCELED'] as const;
export function isTerminal(status: string): boolean {
  return (TERMINAL as readonly string[]).includes(status);
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Job ids come from URLs: a malformed one is simply not found (and never reaches SQL). */
export function isJobId(id: string): boolean {
  return UUID.test(id);
}
