// What a worker reports about its leased job: heartbeats, completion, failure, release.
// Every transition locks the job row and checks the lease id, so a worker whose lease expired
// (and whose job another worker now holds) gets CONFLICT and changes nothing; repeats of a
// call that already took effect are answered with the current state and change nothing.
import { createHash } from 'node:crypto';
import type { Job, Prisma } from '@prisma/client';
import { settleJob } from '../credits/ledger';
import { db, type Tx } from '../db';
import { env } from '../env';
import { AppError } from '../errors';
import { MAX_OUTPUT_BYTES, storage, storageKeys } from '../storage';
import { addStorageUsed } from '../storage/quota';
import type {
  CompleteRequest,
  FailRequest,
  HeartbeatRequest,
  ReleaseRequest,
} from '../workers/protocol';
import { isJobId, isTerminal, lockJob } from './lock';
import { outputSlots } from './lease';
import { MAX_ADAPTER_BYTES } from '../adapters/inspect';
import { signalJobQueued } from './queue-signal';
import { recordJobEvent } from '../webhooks/events';

const PNG_MAGIC = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const MAX_PREVIEW_BYTES = 2 * 1024 * 1024;

function leaseLost(): AppError {
  return new AppError(
    'CONFLICT',
    'This lease is no longer valid: the job was re-leased, canceled or finished.',
  );
}

function notFound(): AppError {
  return new AppError('NOT_FOUND', 'No such job.');
}

export type AckStatus = 'succeeded' | 'failed' | 'queued' | 'canceled';
const ack = (job: Pick<Job, 'status'>) => ({ status: job.status.toLowerCase() as AckStatus });

export async function recordHeartbeat(jobId: string, body: HeartbeatRequest) {
  if (!isJobId(jobId)) throw notFound();
  const job = await db().job.findUnique({ where: { id: jobId } });
  if (!job) throw notFound();
  if (job.leaseId !== body.lease_id || job.status !== 'RUNNING') throw leaseLost();
  let previewKey: string | undefined;
  if (body.preview_png_base64) {
    const png = Buffer.from(body.preview_png_base64, 'base64');
    if (png.length > MAX_PREVIEW_BYTES || !png.subarray(0, 8).equals(PNG_MAGIC)) {
      throw new AppError('VALIDATION_FAILED', 'preview_png_base64 must be a PNG of at most 2 MB.');
    }
    previewKey = storageKeys.jobPreview(job.userId, job.id);
    await storage().put(previewKey, png, 'image/png');
  }
  const leaseExpiresAt = new Date(Date.now() + env().WORKER_LEASE_TTL_S * 1000);
  const updated = await db().job.updateMany({
    where: { id: jobId, leaseId: body.lease_id, status: 'RUNNING' },
    data: {
      progressStep: Math.min(body.progress.step, body.progress.total),
      progressTotal: body.progress.total,
      leaseExpiresAt,
      ...(previewKey ? { previewKey } : {}),
    },
  });
  if (updated.count === 0) throw leaseLost();
  const fresh = await db().job.findUniqueOrThrow({
    where: { id: jobId },
    select: { cancelRequested: true },
  });
  return { cancel: fresh.cancelRequested, lease_expires_at: leaseExpiresAt.toISOString() };
}

export async function completeJob(jobId: string, body: CompleteRequest) {
  if (!isJobId(jobId)) throw notFound();
  const peek = await db().job.findUnique({ where: { id: jobId } });
  if (!peek) throw notFound();
  if (peek.leaseId !== body.lease_id) throw leaseLost();
  if (peek.status === 'SUCCEEDED') return ack(peek);
  // Check the uploads before taking the row lock: only this lease's slots, each present and sane.
  const worker = (peek.params as unknown as { worker: Record<string, unknown> }).worker;
  const slots = new Map(
    outputSlots(peek.kind, peek.userId, peek.id, body.lease_id, worker).map((s) => [s.key, s]),
  );
  const keys = new Set(body.outputs.map((o) => o.key));
  if (keys.size !== body.outputs.length)
    throw new AppError('VALIDATION_FAILED', 'Output keys must be distinct.');
  for (const o of body.outputs) {
    const slot = slots.get(o.key);
    if (!slot)
      throw new AppError('VALIDATION_FAILED', `Output key ${o.key} was not issued to this lease.`);
    if (slot.contentType !== o.content_type) {
      throw new AppError('VALIDATION_FAILED', `Output ${o.key} must be ${slot.contentType}.`);
    }
    if (o.content_type === 'image/png' && (!o.width || !o.height)) {
      throw new AppError(
        'VALIDATION_FAILED',
        `Output ${o.key} is an image: width and height are required.`,
      );
    }
    const info = await storage().head(o.key);
    if (!info) throw new AppError('VALIDATION_FAILED', `Output ${o.key} was not uploaded.`);
    const max = o.content_type === 'image/png' ? MAX_OUTPUT_BYTES : MAX_ADAPTER_BYTES;
    if (info.bytes !== o.bytes || info.bytes > max) {
      throw new AppError(
        'VALIDATION_FAILED',
        `Output ${o.key} is ${info.bytes} bytes, reported ${o.bytes}.`,
      );
    }
  }
  const images = body.outputs.filter((o) => o.content_type === 'image/png');
  const adapterFile = body.outputs.find((o) => o.content_type === 'application/octet-stream');
  if (peek.kind !== 'GENERATE' && !adapterFile) {
    throw new AppError(
      'VALIDATION_FAILED',
      `A ${peek.kind.toLowerCase()} job must deliver its adapter file.`,
    );
  }
  return db().$transaction(async (tx) => {
    const job = await lockJob(tx, jobId);
    if (!job) throw notFound();
    if (job.leaseId !== body.lease_id) throw leaseLost();
    if (job.status === 'SUCCEEDED') return ack(job); // a repeated complete
    if (job.status !== 'RUNNING') throw leaseLost();
    // Training samples belong to the adapter; every other image is a result in the gallery.
    const results = job.kind === 'TRAIN' ? [] : images;
    await tx.jobOutput.createMany({
      data: results.map((o, index) => ({
        jobId,
        userId: job.userId,
        index,
        storageKey: o.key,
        contentType: o.content_type,
        width: o.width!,
        height: o.height!,
        bytes: o.bytes,
        seed: o.seed === null || o.seed === undefined ? null : BigInt(o.seed),
        metadata: { sha256: o.sha256 },
      })),
    });
    if (adapterFile && job.kind !== 'GENERATE') {
      await recordProducedAdapter(
        tx,
        job,
        adapterFile,
        job.kind === 'TRAIN' ? images.map((i) => i.key) : [],
        body.metadata,
      );
    }
    // Paid results count against the storage quota whatever it says (server/storage/quota.ts).
    const adapterBytes = adapterFile && job.kind !== 'GENERATE' ? adapterFile.bytes : 0;
    await addStorageUsed(job.userId, results.reduce((n, o) => n + o.bytes, adapterBytes), tx);
    const done = await tx.job.update({
      where: { id: jobId },
      data: {
        status: 'SUCCEEDED',
        finishedAt: new Date(),
        progressStep: job.progressTotal,
        leaseExpiresAt: null,
        params: { ...(job.params as object), result: body.metadata } as Prisma.InputJsonValue,
      },
    });
    await settleJob(tx, job.userId, jobId, job.price, 'capture', 'Job succeeded');
    await recordJobEvent(tx, done); // webhooks: in this transaction, so exactly once
    return ack(done);
  });
}

/** The adapter a train or edit job made, recorded in the transaction that completes the job. */
async function recordProducedAdapter(
  tx: Tx,
  job: Job,
  file: CompleteRequest['outputs'][number],
  sampleKeys: string[],
  metadata: Record<string, unknown>,
) {
  const request = (
    job.params as unknown as { request: { name?: string; targetPrompt?: string; method?: string } }
  ).request;
  const info = (metadata.adapter ?? {}) as { kind?: string };
  const isLora = info.kind === 'lora' || request.method === 'lora';
  await tx.adapter.create({
    data: {
      userId: job.userId,
      name: request.name ?? `Edit: ${(request.targetPrompt ?? 'photo').slice(0, 60)}`,
      kind: isLora ? 'LORA' : 'SPECTRAL_SHIFT',
      source: job.kind === 'TRAIN' ? 'TRAINED' : 'EDIT',
      baseModel: job.baseModel,
      fileKey: file.key,
      sizeBytes: file.bytes,
      sha256: file.sha256,
      settings: {
        ...((metadata.settings as object | undefined) ?? {}),
        loss: metadata.loss ?? null,
      },
      sampleKeys,
      sourceJobId: job.id,
    },
  });
}

/** Ends a job for good (failed, or canceled): returns its credits, records its webhook event. */
export async function finishUnsuccessfully(
  tx: Tx,
  job: Job,
  status: 'FAILED' | 'CANCELED',
  errorCode: string | null,
  errorMessage: string | null,
) {
  const done = await tx.job.update({
    where: { id: job.id },
    data: { status, errorCode, errorMessage, finishedAt: new Date(), leaseExpiresAt: null },
  });
  await settleJob(
    tx,
    job.userId,
    job.id,
    job.price,
    'release',
    status === 'FAILED' ? 'Job failed' : 'Job canceled',
  );
  await recordJobEvent(tx, done); // webhooks: in this transaction, so exactly once
  return done;
}

/** Back to the queue for another worker. `countAttempt: false` when it was not the job's fault. */
export async function requeue(
  tx: Tx,
  job: Job,
  countAttempt: boolean,
  error?: { code: string; message: string },
) {
  const queued = await tx.job.update({
    where: { id: job.id },
    data: {
      status: 'QUEUED',
      leaseId: null,
      leaseOwner: null,
      leaseExpiresAt: null,
      progressStep: 0,
      attempts: countAttempt ? undefined : { decrement: 1 },
      ...(error ? { errorCode: error.code, errorMessage: error.message } : {}),
    },
  });
  await signalJobQueued(tx, job.id);
  return queued;
}

export async function failJob(jobId: string, body: FailRequest) {
  if (!isJobId(jobId)) throw notFound();
  return db().$transaction(async (tx) => {
    const job = await lockJob(tx, jobId);
    if (!job) throw notFound();
    if (job.leaseId !== body.lease_id) throw leaseLost();
    if (isTerminal(job.status)) return ack(job); // a repeated fail
    if (job.status !== 'RUNNING') throw leaseLost();
    const { code, message, retryable } = body.error;
    if (job.cancelRequested || code === 'cancelled') {
      return ack(await finishUnsuccessfully(tx, job, 'CANCELED', null, null));
    }
    if (retryable && job.attempts < job.maxAttempts) {
      return ack(await requeue(tx, job, true, { code, message }));
    }
    return ack(await finishUnsuccessfully(tx, job, 'FAILED', code, message));
  });
}

export async function releaseJob(jobId: string, body: ReleaseRequest) {
  if (!isJobId(jobId)) throw notFound();
  return db().$transaction(async (tx) => {
    const job = await lockJob(tx, jobId);
    if (!job) throw notFound();
    if (job.leaseId !== body.lease_id) throw leaseLost();
    if (job.status !== 'RUNNING') return ack(job);
    if (job.cancelRequested)
      return ack(await finishUnsuccessfully(tx, job, 'CANCELED', null, null));
    // A worker shutting down is not the job's fault: the attempt does not count.
    return ack(await requeue(tx, job, false));
  });
}

export function sha256Hex(buf: Buffer): string {
  return createHash('sha256').update(buf).digest('hex');
}
