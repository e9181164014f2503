// What a worker reports about its leased job: heartbeats, completion, failure, release.
// Every transition locks the job row and checks the lease id, so a worker whose lease expired
// (and whose job another worker now holds) gets CONFLICT and changes nothing; repeats of a
// call that already took effect are answered with the current state and change nothing.
// Every report must also come with the worker token that took the lease: another token, even
// of the same pool, holding a stolen lease id gets FORBIDDEN and changes nothing.
// Completion trusts no declared output: each file is read back (bounded) and its size and
// SHA-256 must be what the worker declared; an adapter a job made passes the import inspection.
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
import type { WorkerIdentity } from '../workers/tokens';
import { isJobId, isTerminal, lockJob } from './lock';
import { outputSlots, signUploadSlots } from './lease';
import {
  type AdapterInspection,
  baseModelMismatch,
  inspectAdapterFile,
  MAX_ADAPTER_BYTES,
} from '../adapters/inspect';
import { baseModels } from '../models/base-models';
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

/** The lease matches but was taken with another worker token. */
function notTheHolder(): AppError {
  return new AppError('FORBIDDEN', 'This lease is held by another worker token.');
}

/** Checks that `leaseId` is the job's lease and `worker` the token that took it. */
function assertHolder(
  job: Pick<Job, 'leaseId' | 'leaseTokenId'>,
  leaseId: string,
  worker: WorkerIdentity,
): void {
  if (job.leaseId !== leaseId) throw leaseLost();
  if (job.leaseTokenId !== worker.tokenId) throw notTheHolder();
}

function notFound(): AppError {
  return new AppError('NOT_FOUND', 'No such job.');
}

export type AckStatus = 'succeeded' | 'failed' | 'queued' | 'canceled';
const ack = (job: Pick<Job, 'status'>) => ({ status: job.status.toLowerCase() as AckStatus });

export async function recordHeartbeat(
  jobId: string,
  body: HeartbeatRequest,
  worker: WorkerIdentity,
) {
  if (!isJobId(jobId)) throw notFound();
  const job = await db().job.findUnique({ where: { id: jobId } });
  if (!job) throw notFound();
  assertHolder(job, body.lease_id, worker);
  if (job.status !== 'RUNNING') throw leaseLost();
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
    where: { id: jobId, leaseId: body.lease_id, leaseTokenId: worker.tokenId, status: 'RUNNING' },
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
  const base = { cancel: fresh.cancelRequested, lease_expires_at: leaseExpiresAt.toISOString() };
  if (body.progress.stage !== 'uploading') return base;
  // About to upload: fresh upload URLs (S3's expire within a lease TTL of being signed).
  const params = job.params as unknown as { worker: Record<string, unknown> };
  const outputs = await signUploadSlots({
    id: job.id,
    kind: job.kind,
    userId: job.userId,
    leaseId: body.lease_id,
    worker: params.worker,
  });
  return { ...base, outputs };
}

export async function completeJob(jobId: string, body: CompleteRequest, worker: WorkerIdentity) {
  if (!isJobId(jobId)) throw notFound();
  const peek = await db().job.findUnique({ where: { id: jobId } });
  if (!peek) throw notFound();
  assertHolder(peek, body.lease_id, worker);
  if (peek.status === 'SUCCEEDED') return ack(peek);
  if (peek.status !== 'RUNNING') throw leaseLost();
  // Check the uploads before taking the row lock: only this lease's slots, each present and sane.
  const params = (peek.params as unknown as { worker: Record<string, unknown> }).worker;
  const slots = new Map(
    outputSlots(peek.kind, peek.userId, peek.id, body.lease_id, params).map((s) => [s.key, s]),
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
  }
  const images = body.outputs.filter((o) => o.content_type === 'image/png');
  const adapterFile = body.outputs.find((o) => o.content_type === 'application/octet-stream');
  if (peek.kind !== 'GENERATE' && !adapterFile) {
    throw new AppError(
      'VALIDATION_FAILED',
      `A ${peek.kind.toLowerCase()} job must deliver its adapter file.`,
    );
  }
  let inspection: AdapterInspection | undefined;
  for (const o of body.outputs) {
    const bytes = await verifyStoredOutput(o);
    if (bytes) inspection = inspectProducedAdapter(bytes, peek.baseModel);
  }
  return db().$transaction(async (tx) => {
    const job = await lockJob(tx, jobId);
    if (!job) throw notFound();
    assertHolder(job, body.lease_id, worker);
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
        inspection!,
        job.kind === 'TRAIN' ? images.map((i) => i.key) : [],
        body.metadata,
      );
    }
    // Paid results count against the storage quota whatever it says (server/storage/quota.ts).
    const adapterBytes = adapterFile && job.kind !== 'GENERATE' ? adapterFile.bytes : 0;
    await addStorageUsed(
      job.userId,
      results.reduce((n, o) => n + o.bytes, adapterBytes),
      tx,
    );
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

type DeclaredOutput = CompleteRequest['outputs'][number];

/**
 * Reads one declared output back from storage and checks it is what the worker said: present,
 * within its slot's size limit, `bytes` long with SHA-256 `sha256`. Images are hashed as a
 * stream (at most the limit + 1 bytes read); the adapter file is returned whole for inspection.
 * A mismatch (a tampered or truncated upload) refuses the completion: nothing is recorded.
 */
async function verifyStoredOutput(o: DeclaredOutput): Promise<Buffer | null> {
  const s = storage();
  const max = o.content_type === 'image/png' ? MAX_OUTPUT_BYTES : MAX_ADAPTER_BYTES;
  const info = await s.head(o.key);
  if (!info) throw new AppError('VALIDATION_FAILED', `Output ${o.key} was not uploaded.`);
  const sizeMismatch = (stored: number) =>
    new AppError(
      'VALIDATION_FAILED',
      stored > max
        ? `Output ${o.key} is larger than the slot's limit of ${max} bytes.`
        : `Output ${o.key} is ${stored} bytes in storage, but the worker declared ${o.bytes}.`,
    );
  if (info.bytes !== o.bytes || info.bytes > max) throw sizeMismatch(info.bytes);
  let stored: { bytes: number; sha256: string };
  let whole: Buffer | null = null;
  if (o.content_type === 'application/octet-stream') {
    whole = await s.get(o.key);
    if (!whole) throw new AppError('VALIDATION_FAILED', `Output ${o.key} was not uploaded.`);
    stored = { bytes: whole.length, sha256: sha256Hex(whole) };
  } else {
    const d = await s.digest(o.key, max);
    if (!d) throw new AppError('VALIDATION_FAILED', `Output ${o.key} was not uploaded.`);
    stored = d;
  }
  if (stored.bytes !== o.bytes || stored.bytes > max) throw sizeMismatch(stored.bytes);
  if (stored.sha256 !== o.sha256) {
    throw new AppError(
      'VALIDATION_FAILED',
      `Output ${o.key} does not match what the worker declared: stored SHA-256 ${stored.sha256}, declared ${o.sha256}.`,
    );
  }
  return whole;
}

/** A produced adapter passes the same inspection as an import (server/adapters/inspect.ts). */
function inspectProducedAdapter(file: Buffer, baseModel: string): AdapterInspection {
  let info: AdapterInspection;
  try {
    info = inspectAdapterFile(file);
  } catch (e) {
    if (e instanceof AppError) {
      throw new AppError(e.code, `The adapter file this job produced was refused: ${e.message}`);
    }
    throw e;
  }
  // The base's family (a base dropped from BASE_MODELS since the job was queued: SD 1.5, the
  // only family train and edit jobs run on).
  const family = baseModels().find((m) => m.name === baseModel)?.family ?? 'sd15';
  const madeFor = baseModelMismatch(info, baseModel, family);
  if (madeFor) {
    throw new AppError(
      'VALIDATION_FAILED',
      `The adapter file this job produced was made for ${madeFor}, not the job's ${baseModel}.`,
    );
  }
  return info;
}

/** The adapter a train or edit job made, recorded in the transaction that completes the job. */
async function recordProducedAdapter(
  tx: Tx,
  job: Job,
  file: DeclaredOutput,
  inspection: AdapterInspection,
  sampleKeys: string[],
  metadata: Record<string, unknown>,
) {
  const request = (job.params as unknown as { request: { name?: string; targetPrompt?: string } })
    .request;
  // The kind is what the file is (inspected), not what the worker's metadata claims.
  const isLora = inspection.kind === 'LORA';
  await tx.adapter.create({
    data: {
      userId: job.userId,
      name: request.name ?? `Edit: ${(request.targetPrompt ?? 'photo').slice(0, 60)}`,
      kind: isLora ? 'LORA' : 'SPECTRAL_SHIFT',
      source: job.kind === 'TRAIN' ? 'TRAINED' : 'EDIT',
      baseModel: job.baseModel,
      // The base's family: inspectProducedAdapter refused a file of any other.
      family: inspection.family,
      fileKey: file.key,
      sizeBytes: file.bytes,
      sha256: file.sha256,
      settings: {
        ...((metadata.settings as object | undefined) ?? {}),
        loss: metadata.loss ?? null,
        layout: inspection.layout,
        rank: inspection.rank,
        tensors: inspection.tensors,
        parameters: inspection.parameters,
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
      leaseTokenId: null,
      leaseExpiresAt: null,
      progressStep: 0,
      attempts: countAttempt ? undefined : { decrement: 1 },
      ...(error ? { errorCode: error.code, errorMessage: error.message } : {}),
    },
  });
  await signalJobQueued(tx, job.id);
  return queued;
}

export async function failJob(jobId: string, body: FailRequest, worker: WorkerIdentity) {
  if (!isJobId(jobId)) throw notFound();
  return db().$transaction(async (tx) => {
    const job = await lockJob(tx, jobId);
    if (!job) throw notFound();
    assertHolder(job, body.lease_id, worker);
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

export async function releaseJob(jobId: string, body: ReleaseRequest, worker: WorkerIdentity) {
  if (!isJobId(jobId)) throw notFound();
  return db().$transaction(async (tx) => {
    const job = await lockJob(tx, jobId);
    if (!job) throw notFound();
    assertHolder(job, body.lease_id, worker);
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
