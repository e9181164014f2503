// Handing queued jobs to workers. The Job table is the queue: a worker's lease is one
// transaction that picks the best matching QUEUED row with FOR UPDATE SKIP LOCKED (so two
// workers never take the same job and never wait on each other) and marks it RUNNING with a
// fresh lease id and expiry.
import { pgPool } from '../db-pool';
import { env } from '../env';
import { MAX_OUTPUT_BYTES, storage, URL_TTL_S } from '../storage';
import type { LeaseRequest } from '../workers/protocol';
import type { WorkerIdentity } from '../workers/tokens';
import { MAX_ADAPTER_BYTES } from '../adapters/inspect';
import type { GenerateJobParams } from './create';
import { waitForQueuedJob } from './queue-signal';
import { expireLeases } from './sweep';

/** Keys a lease may upload to: scoped by lease id, so a stale worker cannot overwrite another's. */
export function outputKey(userId: string, jobId: string, leaseId: string, index: number): string {
  return `users/${userId}/jobs/${jobId}/${leaseId}/output-${index}.png`;
}

export interface OutputSlotSpec {
  key: string;
  contentType: 'image/png' | 'application/octet-stream';
}

/**
 * The upload slots of a lease (docs/worker-protocol.md): `generate` one PNG per image; `train`
 * and `edit` the adapter file in slot 0, then the sample or edited images.
 */
export function outputSlots(
  kind: string,
  userId: string,
  jobId: string,
  leaseId: string,
  worker: Record<string, unknown>,
): OutputSlotSpec[] {
  const png = (i: number): OutputSlotSpec => ({
    key: outputKey(userId, jobId, leaseId, i),
    contentType: 'image/png',
  });
  const k = kind.toUpperCase();
  if (k === 'GENERATE')
    return Array.from({ length: Number(worker.num_images ?? 1) }, (_, i) => png(i));
  const images = Number(k === 'TRAIN' ? (worker.num_samples ?? 0) : (worker.num_images ?? 1));
  return [
    {
      key: `users/${userId}/jobs/${jobId}/${leaseId}/adapter.safetensors`,
      contentType: 'application/octet-stream',
    },
    ...Array.from({ length: images }, (_, i) => png(i)),
  ];
}

/**
 * What a worker offers, in the form of a job's requiredModels (`<section>:<name>`): plugins as
 * `<family>/<name>`, X-Adapter entries, and base models (an X-Adapter job needs its SD 1.5 base
 * besides its own SDXL base, which the lease matches on "baseModel").
 */
export function capabilityList(req: LeaseRequest): string[] {
  const c = req.capabilities;
  return [
    ...c.base_models.map((n) => `base_models:${n}`),
    ...c.controlnets.map((n) => `controlnets:${n}`),
    ...c.t2i_adapters.map((n) => `t2i_adapters:${n}`),
    ...c.ip_adapters.map((n) => `ip_adapters:${n}`),
    ...(c.x_adapters ?? []).map((n) => `x_adapters:${n}`),
  ];
}

interface LeasedRow {
  id: string;
  userId: string;
  kind: string;
  params: unknown;
  leaseId: string;
  attempts: number;
  /** Stored as a UTC timestamp without time zone; epoch ms avoids any local-time parsing. */
  leaseExpiresMs: string;
}

/**
 * Signed PUT URLs for a lease's output slots. Each dies with the lease (see LeaseBinding): the
 * local driver checks the lease at upload time; S3 URLs expire within the lease TTL, so a worker
 * gets fresh ones on a heartbeat in the `uploading` stage.
 */
export async function signUploadSlots(job: {
  id: string;
  kind: string;
  userId: string;
  leaseId: string;
  worker: Record<string, unknown>;
}) {
  const s = storage();
  const ttlS = env().WORKER_LEASE_TTL_S;
  return Promise.all(
    outputSlots(job.kind, job.userId, job.id, job.leaseId, job.worker).map(async (slot) => {
      const put = await s.signedPutUrl(slot.key, {
        contentType: slot.contentType,
        maxBytes: slot.contentType === 'image/png' ? MAX_OUTPUT_BYTES : MAX_ADAPTER_BYTES,
        ttlS: URL_TTL_S.worker,
        lease: { jobId: job.id, leaseId: job.leaseId, ttlS },
      });
      return {
        key: slot.key,
        upload_url: put.url,
        content_type: slot.contentType,
        headers: put.headers,
      };
    }),
  );
}

/**
 * Leases the next job this worker can run, or returns null when none is waiting. Only jobs whose
 * pools include the token's pool (or that name no pool) are offered; the lease records the token,
 * and every later report must come with it.
 */
export async function leaseNextJob(req: LeaseRequest, worker: WorkerIdentity) {
  const kinds = req.capabilities.kinds.map((k) => k.toUpperCase());
  const caps = capabilityList(req);
  const ttlS = env().WORKER_LEASE_TTL_S;
  // One statement, one round trip: pick and claim atomically. SKIP LOCKED makes concurrent
  // workers take different rows instead of queueing behind each other's locks. Plain pg, not
  // Prisma: this is the hottest statement of the queue.
  const client = await pgPool().connect();
  let rows: LeasedRow[];
  try {
    // A lease may skip waiting for the WAL flush: if the database crashed and lost it, the job
    // is simply QUEUED again and the worker's next heartbeat gets CONFLICT. Credit movements
    // never do this. (fsync per lease was the throughput ceiling here.)
    await client.query('BEGIN');
    await client.query('SET LOCAL synchronous_commit = off');
    ({ rows } = await client.query<LeasedRow>(
      `UPDATE "Job" AS j
        SET "status" = 'RUNNING',
            "leaseId" = gen_random_uuid(),
            "leaseOwner" = $1,
            "leaseTokenId" = $7::uuid,
            "leaseExpiresAt" = (now() AT TIME ZONE 'UTC') + make_interval(secs => $2),
            "attempts" = j."attempts" + 1,
            "startedAt" = (now() AT TIME ZONE 'UTC'),
            "progressStep" = 0,
            "updatedAt" = (now() AT TIME ZONE 'UTC')
      WHERE j."id" = (
        SELECT "id" FROM "Job"
         WHERE "status" = 'QUEUED'
           AND "kind"::text = ANY($3::text[])
           AND "baseModel" = ANY($4::text[])
           -- COALESCE hides the array operator from the planner, whose estimate for it
           -- (~1 row) would otherwise pick a sequential scan + sort over the whole queue.
           AND COALESCE("requiredModels" <@ $5::text[], false)
           AND (cardinality("pools") = 0 OR $6::text = ANY("pools"))
         ORDER BY "priority" DESC, "createdAt" ASC
         LIMIT 1
         FOR UPDATE SKIP LOCKED)
  RETURNING j."id"::text AS "id", j."userId", j."kind"::text AS "kind", j."params",
            j."leaseId"::text AS "leaseId", j."attempts",
            extract(epoch FROM j."leaseExpiresAt") * 1000 AS "leaseExpiresMs"`,
      [req.worker_id, ttlS, kinds, req.capabilities.base_models, caps, worker.pool, worker.tokenId],
    ));
    await client.query('COMMIT');
  } catch (e) {
    await client.query('ROLLBACK').catch(() => {});
    throw e;
  } finally {
    client.release();
  }
  const job = rows[0];
  if (!job) return null;

  const params = job.params as GenerateJobParams;
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
  const outputs = await signUploadSlots({ ...job, worker: params.worker });
  return {
    id: job.id,
    lease_id: job.leaseId,
    kind: job.kind.toLowerCase(),
    attempt: job.attempts,
    params: params.worker,
    inputs,
    outputs,
    // A timestamp without time zone holding UTC: say so on the wire.
    lease_expires_at: new Date(Number(job.leaseExpiresMs)).toISOString(),
    heartbeat_interval_s: env().WORKER_HEARTBEAT_S,
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
export async function leaseWithWait(req: LeaseRequest, worker: WorkerIdentity) {
  const deadline = Date.now() + req.wait_s * 1000;
  for (;;) {
    await sweepIfDue();
    const job = await leaseNextJob(req, worker);
    const remaining = deadline - Date.now();
    if (job || remaining <= 0) return job;
    await waitForQueuedJob(Math.min(remaining, 1_000));
  }
}
