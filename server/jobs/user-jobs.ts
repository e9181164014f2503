// The user's side of jobs: read, list, cancel. Another user's job id reads exactly like a
// missing one (NOT_FOUND), never FORBIDDEN.
import type { Adapter, Job, JobOutput } from '@prisma/client';
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

export async function listOutputs(userId: string, opts: { cursor?: string; limit: number }) {
  const rows = await db().jobOutput.findMany({
    where: { userId },
    orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
    take: opts.limit + 1,
    ...(opts.cursor ? { cursor: { id: opts.cursor }, skip: 1 } : {}),
    include: { job: { select: { id: true, params: true } } },
  });
  const page = rows.slice(0, opts.limit);
  const s = storage();
  return {
    items: await Promise.all(
      page.map(async (o) => ({
        id: o.id,
        jobId: o.jobId,
        url: await s.signedGetUrl(o.storageKey, URL_TTL_S.browser),
        width: o.width,
        height: o.height,
        prompt: promptOf(o.job.params),
        createdAt: o.createdAt,
      })),
    ),
    nextCursor: rows.length > opts.limit ? (page[page.length - 1]?.id ?? null) : null,
  };
}

function promptOf(params: unknown): string {
  const r = (params as { request?: { prompt?: string; targetPrompt?: string } }).request;
  return r?.prompt ?? r?.targetPrompt ?? '';
}
