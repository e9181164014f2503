// The user's side of jobs: read, list, cancel; and of their outputs: the gallery, delete.
// Another user's job or output id reads exactly like a missing one (NOT_FOUND), never FORBIDDEN.
import type { Adapter, Job, JobOutput, Prisma } from '@prisma/client';
import { db } from '../db';
import { AppError } from '../errors';
import { storage, URL_TTL_S } from '../storage';
import type { GenerateJobParams } from './create';
import { isJobId, isTerminal, lockJob } from './lock';
import { finishUnsuccessfully } from './worker-report';

export interface JobView {
  id: string;
  kind: Job['kind'];
  status: Job['status'];
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

export async function toJobView(
  job: Job & { outputs: JobOutput[]; producedAdapter?: Adapter | null },
): Promise<JobView> {
  const s = storage();
  const showPreview = job.previewKey && (job.status === 'RUNNING' || job.status === 'QUEUED');
  return {
    id: job.id,
    kind: job.kind,
    status: job.status,
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

export async function getJob(userId: string, jobId: string): Promise<JobView> {
  if (!isJobId(jobId)) throw new AppError('NOT_FOUND', 'No such job.');
  const job = await db().job.findFirst({
    where: { id: jobId, userId },
    include: { outputs: true, producedAdapter: true },
  });
  if (!job) throw new AppError('NOT_FOUND', 'No such job.');
  return toJobView(job);
}

export async function listJobs(userId: string, opts: { cursor?: string; limit: number }) {
  const rows = await db().job.findMany({
    where: { userId },
    orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
    take: opts.limit + 1,
    ...(opts.cursor ? { cursor: { id: opts.cursor }, skip: 1 } : {}),
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
}

function outputsWhere(userId: string, f: OutputFilters): Prisma.JobOutputWhereInput {
  const and: Prisma.JobOutputWhereInput[] = [{ userId }];
  if (f.kind) and.push({ job: { kind: f.kind } });
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
    ...(opts.cursor ? { cursor: { id: opts.cursor }, skip: 1 } : {}),
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
    select: { storageKey: true },
  });
  if (!row) throw notFound();
  await storage().delete([row.storageKey]);
  const { count } = await db().jobOutput.deleteMany({ where: { id: outputId, userId } });
  if (count === 0) throw notFound(); // a concurrent delete won
}

function promptOf(params: unknown): string {
  const r = (params as { request?: { prompt?: string; targetPrompt?: string } }).request;
  return r?.prompt ?? r?.targetPrompt ?? '';
}
