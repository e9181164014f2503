// The user's side of jobs: read, list, cancel; and of their outputs: the gallery, delete.
// Another user's job or output id reads exactly like a missing one (NOT_FOUND), never FORBIDDEN.
import type { Adapter, Job, JobOutput, Prisma } from '@prisma/client';
import { db } from '../db';
import { pgPool } from '../db-pool';
import { AppError } from '../errors';
import { cursorArgs } from '../pagination';
import { storage, URL_TTL_S } from '../storage';
import { releaseStorage } from '../storage/quota';
import type { GenerateJobParams } from './create';
import { isJobId, isTerminal, lockJob } from './lock';
import { finishUnsuccessfully } from './worker-report';

export interface JobView {
  id: string;
  kind: Job['kind'];
  status: Job['status'];
  /** False for a test-mode job (as_test_ key): nothing spent, placeholder outputs. */
  livemode: boolean;
  price: number;
  progress: { step: number; total: number };
  previewUrl: string | null;
  cancelRequested: boolean;
  error: { code: string; message: string } | null;
  request: unknown;
  outputs: {
    id: string;
    index: number;
    url: string;
    width: number;
    height: number;
    seed: string | null;
    /** The public share's slug, null while private. */
    shareSlug: string | null;
  }[];
  /** The adapter a train or edit job made. */
  adapter: { id: string; name: string; samples: string[] } | null;
  createdAt: Date;
  startedAt: Date | null;
  finishedAt: Date | null;
}

/** What a job view is made from: a Prisma job with its relations, or the hot path's one row. */
export type JobViewSource = Pick<
  Job,
  | 'id'
  | 'kind'
  | 'status'
  | 'livemode'
  | 'price'
  | 'progressStep'
  | 'progressTotal'
  | 'previewKey'
  | 'cancelRequested'
  | 'errorCode'
  | 'errorMessage'
  | 'params'
  | 'createdAt'
  | 'startedAt'
  | 'finishedAt'
> & {
  outputs: Pick<
    JobOutput,
    'id' | 'index' | 'storageKey' | 'width' | 'height' | 'seed' | 'shareSlug'
  >[];
  producedAdapter?: Pick<Adapter, 'id' | 'name' | 'sampleKeys'> | null;
};

export async function toJobView(job: JobViewSource): Promise<JobView> {
  const s = storage();
  const showPreview = job.previewKey && (job.status === 'RUNNING' || job.status === 'QUEUED');
  return {
    id: job.id,
    kind: job.kind,
    status: job.status,
    livemode: job.livemode,
    price: job.price,
    progress: { step: job.progressStep, total: job.progressTotal },
    previewUrl: showPreview ? await s.signedGetUrl(job.previewKey!, URL_TTL_S.browser) : null,
    cancelRequested: job.cancelRequested,
    // A retried failure is history, not the job's state: show errors of finished jobs only.
    error:
      job.status === 'FAILED' && job.errorCode
        ? { code: job.errorCode, message: job.errorMessage ?? '' }
        : null,
    request: (job.params as unknown as GenerateJobParams).request,
    outputs: await Promise.all(
      job.outputs
        .sort((a, b) => a.index - b.index)
        .map(async (o) => ({
          id: o.id,
          index: o.index,
          url: await s.signedGetUrl(o.storageKey, URL_TTL_S.browser),
          width: o.width,
          height: o.height,
          seed: o.seed?.toString() ?? null,
          shareSlug: o.shareSlug,
        })),
    ),
    adapter: job.producedAdapter
      ? {
          id: job.producedAdapter.id,
          name: job.producedAdapter.name,
          samples: await Promise.all(
            job.producedAdapter.sampleKeys.map((k) => s.signedGetUrl(k, URL_TTL_S.browser)),
          ),
        }
      : null,
    createdAt: job.createdAt,
    startedAt: job.startedAt,
    finishedAt: job.finishedAt,
  };
}

// The API's most frequent read, in one statement on the plain pool: Prisma's per-query cost
// (~1.5 ms here, three queries with the includes) was most of the request.
const JOB_VIEW_SQL = `
SELECT j.id, j.kind, j.status, j.livemode, j.price, j."progressStep", j."progressTotal", j."previewKey",
       j."cancelRequested", j."errorCode", j."errorMessage", j.params,
       -- Prisma keeps UTC in timestamp columns; as timestamptz, pg parses them as UTC.
       j."createdAt" AT TIME ZONE 'UTC' AS "createdAt",
       j."startedAt" AT TIME ZONE 'UTC' AS "startedAt",
       j."finishedAt" AT TIME ZONE 'UTC' AS "finishedAt",
       COALESCE((SELECT json_agg(json_build_object(
                  'id', o.id, 'index', o.index, 'storageKey', o."storageKey", 'width', o.width,
                  'height', o.height, 'seed', o.seed::text, 'shareSlug', o."shareSlug"))
                 FROM "JobOutput" o WHERE o."jobId" = j.id), '[]'::json) AS outputs,
       (SELECT json_build_object('id', a.id, 'name', a.name, 'sampleKeys', a."sampleKeys")
          FROM "Adapter" a WHERE a."sourceJobId" = j.id) AS "producedAdapter"
FROM "Job" j WHERE j.id = $1::uuid AND j."userId" = $2`;

type JobViewRow = Omit<JobViewSource, 'outputs'> & {
  outputs: (Omit<JobViewSource['outputs'][number], 'seed'> & { seed: string | null })[];
};

export async function getJob(userId: string, jobId: string): Promise<JobView> {
  if (!isJobId(jobId)) throw new AppError('NOT_FOUND', 'No such job.');
  const { rows } = await pgPool().query<JobViewRow>(JOB_VIEW_SQL, [jobId, userId]);
  const row = rows[0];
  if (!row) throw new AppError('NOT_FOUND', 'No such job.');
  return toJobView({
    ...row,
    outputs: row.outputs.map((o) => ({ ...o, seed: o.seed === null ? null : BigInt(o.seed) })),
  });
}

export async function listJobs(
  userId: string,
  opts: { cursor?: string; limit: number; baseModel?: string },
) {
  const rows = await db().job.findMany({
    where: { userId, baseModel: opts.baseModel },
    orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
    take: opts.limit + 1,
    ...(await cursorArgs(opts.cursor, (id) =>
      db().job.findFirst({ where: { id, userId }, select: { id: true } }),
    )),
    include: { outputs: true, producedAdapter: true },
  });
  const page = rows.slice(0, opts.limit);
  return {
    items: await Promise.all(page.map(toJobView)),
    nextCursor: rows.length > opts.limit ? (page[page.length - 1]?.id ?? null) : null,
  };
}

/** Queued jobs cancel at once (credits back); running ones get the flag on their next heartbeat. */
export async function cancelJob(userId: string, jobId: string) {
  if (!isJobId(jobId)) throw new AppError('NOT_FOUND', 'No such job.');
  return db().$transaction(async (tx) => {
    const job = await lockJob(tx, jobId);
    if (!job || job.userId !== userId) throw new AppError('NOT_FOUND', 'No such job.');
    if (isTerminal(job.status))
      throw new AppError('CONFLICT', `The job already ${job.status.toLowerCase()}.`);
    if (job.status === 'QUEUED') {
      const done = await finishUnsuccessfully(tx, job, 'CANCELED', null, null);
      return { status: done.status, cancelRequested: true };
    }
    await tx.job.update({ where: { id: jobId }, data: { cancelRequested: true } });
    return { status: job.status, cancelRequested: true };
  });
}

/** Optional gallery filters; every one narrows the list (AND). */
export interface OutputFilters {
  /** Which kind of job made the output (trainings make none). */
  kind?: 'GENERATE' | 'EDIT';
  /** Made at or after this instant. */
  createdFrom?: Date;
  /** Made before this instant (exclusive, so a day's range is [midnight, next midnight)). */
  createdBefore?: Date;
  /** Made with this adapter (mixed in as a LoRA) or by it (the edit job that learned it). */
  adapterId?: string;
  /** Made on this base model (the job's own, SD 1.5 or SDXL; X-Adapter jobs count as SDXL). */
  baseModel?: string;
}

function outputsWhere(userId: string, f: OutputFilters): Prisma.JobOutputWhereInput {
  const and: Prisma.JobOutputWhereInput[] = [{ userId }];
  if (f.kind) and.push({ job: { kind: f.kind } });
  if (f.baseModel) and.push({ job: { baseModel: f.baseModel } });
  if (f.createdFrom || f.createdBefore) {
    and.push({ createdAt: { gte: f.createdFrom, lt: f.createdBefore } });
  }
  if (f.adapterId) {
    and.push({
      OR: [
        // jsonb containment: some element of request.loras has this adapterId.
        {
          job: {
            params: { path: ['request', 'loras'], array_contains: [{ adapterId: f.adapterId }] },
          },
        },
        { job: { producedAdapter: { is: { id: f.adapterId, userId } } } },
      ],
    });
  }
  return { AND: and };
}

export async function listOutputs(
  userId: string,
  opts: { cursor?: string; limit: number } & OutputFilters,
) {
  const rows = await db().jobOutput.findMany({
    where: outputsWhere(userId, opts),
    orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
    take: opts.limit + 1,
    ...(await cursorArgs(opts.cursor, (id) =>
      db().jobOutput.findFirst({ where: { id, userId }, select: { id: true } }),
    )),
    include: { job: { select: { id: true, kind: true, params: true } } },
  });
  const page = rows.slice(0, opts.limit);
  const s = storage();
  return {
    items: await Promise.all(
      page.map(async (o) => ({
        id: o.id,
        jobId: o.jobId,
        kind: o.job.kind,
        url: await s.signedGetUrl(o.storageKey, URL_TTL_S.browser),
        width: o.width,
        height: o.height,
        prompt: promptOf(o.job.params),
        seed: o.seed?.toString() ?? null,
        shareSlug: o.shareSlug,
        createdAt: o.createdAt,
      })),
    ),
    nextCursor: rows.length > opts.limit ? (page[page.length - 1]?.id ?? null) : null,
  };
}

/**
 * Deletes one of the user's outputs: the stored image first, then the row, so a failure half way
 * leaves a row that a retry can still delete (never an object no row points to). A shared
 * output's public page goes with it.
 */
export async function deleteOutput(userId: string, outputId: string): Promise<void> {
  const notFound = () => new AppError('NOT_FOUND', 'No such image.');
  if (!isJobId(outputId)) throw notFound();
  const row = await db().jobOutput.findFirst({
    where: { id: outputId, userId },
    select: { storageKey: true, bytes: true },
  });
  if (!row) throw notFound();
  await storage().delete([row.storageKey]);
  await db().$transaction(async (tx) => {
    const { count } = await tx.jobOutput.deleteMany({ where: { id: outputId, userId } });
    if (count === 0) throw notFound(); // a concurrent delete won
    await releaseStorage(userId, row.bytes, tx); // server/storage/quota.ts
  });
}

function promptOf(params: unknown): string {
  const r = (params as { request?: { prompt?: string; targetPrompt?: string } }).request;
  return r?.prompt ?? r?.targetPrompt ?? '';
}
