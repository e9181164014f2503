// Handing queued jobs to workers. The Job table is the queue: a worker's lease is one
// transaction that picks the best matching QUEUED row with FOR UPDATE SKIP LOCKED (so two
// workers never take the same job and never wait on each other) and marks it RUNNING with a
// fresh lease id and expiry.
import { randomUUID } from 'node:crypto';
import { db } from '../db';
import { env } from '../env';
import { MAX_OUTPUT_BYTES, storage, URL_TTL_S } from '../storage';
import type { LeaseRequest } from '../workers/protocol';
import type { GenerateJobParams } from './create';
import { waitForQueuedJob } from './queue-signal';
import { expireLeases } from './sweep';

export const HEARTBEAT_INTERVAL_S = 5;

/** Keys a lease may upload to: scoped by lease id, so a stale worker cannot overwrite another's. */
export function outputKey(userId: string, jobId: string, leaseId: string, index: number): string {
  return `users/${userId}/jobs/${jobId}/${leaseId}/output-${index}.png`;
}

function capabilityList(req: LeaseRequest): string[] {
  const c = req.capabilities;
  return [
    ...c.controlnets.map((n) => `controlnets:${n}`),
    ...c.t2i_adapters.map((n) => `t2i_adapters:${n}`),
    ...c.ip_adapters.map((n) => `ip_adapters:${n}`),
  ];
}

/** Leases the next job this worker can run, or returns null when none is waiting. */
export async function leaseNextJob(req: LeaseRequest) {
  const kinds = req.capabilities.kinds.map((k) => k.toUpperCase());
  const caps = capabilityList(req);
  const ttlS = env().WORKER_LEASE_TTL_S;
  const job = await db().$transaction(async (tx) => {
    const rows = await tx.$queryRaw<{ id: string }[]>`
      SELECT "id" FROM "Job"
       WHERE "status" = 'QUEUED'
         AND "kind"::text = ANY(${kinds}::text[])
         AND "baseModel" = ANY(${req.capabilities.base_models}::text[])
         AND "requiredModels" <@ ${caps}::text[]
       ORDER BY "priority" DESC, "createdAt" ASC
       LIMIT 1
       FOR UPDATE SKIP LOCKED`;
    const id = rows[0]?.id;
    if (!id) return null;
    const now = new Date();
    return tx.job.update({
      where: { id },
      data: {
        status: 'RUNNING',
        leaseId: randomUUID(),
        leaseOwner: req.worker_id,
        leaseExpiresAt: new Date(now.getTime() + ttlS * 1000),
        attempts: { increment: 1 },
        startedAt: now,
        progressStep: 0,
      },
    });
  });
  if (!job) return null;

  const params = job.params as unknown as GenerateJobParams;
  const s = storage();
  const inputs = Object.fromEntries(
    await Promise.all(
      Object.entries(params.inputs).map(async ([name, inp]) => [
        name,
        {
          url: await s.signedGetUrl(inp.key, URL_TTL_S.worker),
          sha256: inp.sha256 ?? null,
          bytes: inp.bytes ?? null,
        },
      ]),
    ),
  ) as Record<string, { url: string; sha256: string | null; bytes: number | null }>;
  const count = Number(params.worker.num_images ?? 1);
  const outputs = await Promise.all(
    Array.from({ length: count }, async (_, i) => {
      const key = outputKey(job.userId, job.id, job.leaseId!, i);
      const put = await s.signedPutUrl(key, {
        contentType: 'image/png',
        maxBytes: MAX_OUTPUT_BYTES,
        ttlS: URL_TTL_S.worker,
      });
      return { key, upload_url: put.url, content_type: 'image/png', headers: put.headers };
    }),
  );
  return {
    id: job.id,
    lease_id: job.leaseId!,
    kind: job.kind.toLowerCase(),
    attempt: job.attempts,
    params: params.worker,
    inputs,
    outputs,
    lease_expires_at: job.leaseExpiresAt!.toISOString(),
    heartbeat_interval_s: HEARTBEAT_INTERVAL_S,
  };
}

const sweepState = globalThis as unknown as { __lastSweep?: number };

/** Expired leases go back to the queue; checked at most every few seconds per process. */
async function sweepIfDue(): Promise<void> {
  const now = Date.now();
  if (now - (sweepState.__lastSweep ?? 0) < 2_000) return;
  sweepState.__lastSweep = now;
  await expireLeases();
}

/** Long poll: answers as soon as a job can be leased, or with null after `wait_s`. */
export async function leaseWithWait(req: LeaseRequest) {
  const deadline = Date.now() + req.wait_s * 1000;
  for (;;) {
    await sweepIfDue();
    const job = await leaseNextJob(req);
    const remaining = deadline - Date.now();
    if (job || remaining <= 0) return job;
    await waitForQueuedJob(Math.min(remaining, 1_000));
  }
}
