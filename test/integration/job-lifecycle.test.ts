// The job state machine at the domain level: lease, heartbeat, complete, fail, release, cancel,
// lease expiry — each transition with its credit movement, and every repeat harmless.
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { db } from '@/server/db';
import { env } from '@/server/env';
import { createGenerateJob } from '@/server/jobs/create';
import { waitForQueuedJob } from '@/server/jobs/queue-signal';
import { expireLeases } from '@/server/jobs/sweep';
import { cancelJob, getJob } from '@/server/jobs/user-jobs';
import { storage } from '@/server/storage';
import { balanceOf, leaseBody, makeUser } from '../helpers/users';
import {
  completeJob,
  failJob,
  leaseNextJob,
  leaseWithWait,
  recordHeartbeat,
  PNG_1x1,
  releaseJob,
  sha256,
} from '../helpers/workers';

const SHA = sha256(PNG_1x1);

async function upload(key: string) {
  await storage().put(key, PNG_1x1, 'image/png');
  return {
    key,
    content_type: 'image/png' as const,
    width: 1,
    height: 1,
    bytes: PNG_1x1.length,
    sha256: SHA,
    seed: 1,
  };
}

/** A library row whose file is never read (capability and ownership checks only). */
function libraryRow(userId: string, tag: string) {
  return db().referenceImage.create({
    data: {
      userId,
      sha256: tag.repeat(64),
      originalKey: `users/${userId}/references/${tag}.png`,
      thumbnailKey: `users/${userId}/references/${tag}.webp`,
      contentType: 'image/png',
      width: 64,
      height: 64,
      bytes: 10,
    },
  });
}

// Tests share this file's database: start each with an empty queue.
beforeEach(async () => {
  await db().job.updateMany({
    where: { status: { in: ['QUEUED', 'RUNNING'] } },
    data: { status: 'CANCELED' },
  });
});

async function leased(userCredits = 50) {
  const u = await makeUser({ credits: userCredits });
  const job = await createGenerateJob(u.id, { prompt: 'a red fox', steps: 4 });
  const lease = await leaseNextJob(leaseBody());
  expect(lease?.id).toBe(job.id);
  return { u, job, lease: lease! };
}

describe('lease', () => {
  it('hands a queued job to one worker with signed upload slots', async () => {
    const { job, lease } = await leased();
    expect(lease.params).toMatchObject({ prompt: 'a red fox', steps: 4, base_model: 'sd15' });
    expect(lease.outputs).toHaveLength(1);
    expect(lease.outputs[0]!.key).toContain(lease.lease_id);
    expect(lease.outputs[0]!.upload_url).toMatch(/op=put/);
    const row = await db().job.findUniqueOrThrow({ where: { id: job.id } });
    expect(row).toMatchObject({ status: 'RUNNING', attempts: 1, leaseOwner: 'w1' });
    expect(await leaseNextJob(leaseBody('w2'))).toBeNull();
  });

  it('matches capabilities: a worker without the ControlNet does not get the job', async () => {
    const u = await makeUser();
    const img = await libraryRow(u.id, 'f');
    await createGenerateJob(u.id, {
      prompt: 'edges',
      controls: [{ imageId: img.id, type: 'canny' }],
    });
    const noControl = { ...leaseBody().capabilities, controlnets: [] };
    expect(await leaseNextJob(leaseBody('w-plain', 0, noControl))).toBeNull();
    expect(await leaseNextJob(leaseBody('w-full'))).not.toBeNull();
  });

  it('orders by plan priority, then age', async () => {
    const free = await makeUser();
    const pro = await makeUser({ plan: 'pro' });
    const older = await createGenerateJob(free.id, { prompt: 'first' });
    const paid = await createGenerateJob(pro.id, { prompt: 'second' });
    expect((await leaseNextJob(leaseBody()))?.id).toBe(paid.id);
    expect((await leaseNextJob(leaseBody()))?.id).toBe(older.id);
  });

  it('long-polls: a waiting lease answers as soon as a job is queued', async () => {
    const u = await makeUser();
    // The longest wait a worker may ask for: the lease can only answer with the job.
    const waiting = leaseWithWait(leaseBody('w-wait', 60));
    // Parked on the queue signal (no sleep: the waiter is there or the test times out).
    const waiters = () =>
      (globalThis as { __queueListener?: { waiters: Set<unknown> } }).__queueListener?.waiters
        .size ?? 0;
    await vi.waitFor(() => expect(waiters()).toBeGreaterThan(0), { timeout: 30_000 });
    // A waiter whose own timeout outlasts the test: only the job's signal can wake it.
    const woken = waitForQueuedJob(10 * 60_000);
    await new Promise((r) => setImmediate(r)); // registered before the job commits
    const job = await createGenerateJob(u.id, { prompt: 'wake up' });
    await woken;
    expect((await waiting)?.id).toBe(job.id);
  });

  it('two workers never lease the same job', async () => {
    const u = await makeUser({ plan: 'studio', credits: 1000 });
    await Promise.all(
      Array.from({ length: 20 }, (_, i) => createGenerateJob(u.id, { prompt: `p${i}` })),
    );
    const leases = await Promise.all(
      Array.from({ length: 30 }, (_, i) => leaseNextJob(leaseBody(`w${i}`))),
    );
    const ids = leases.filter(Boolean).map((l) => l!.id);
    expect(ids).toHaveLength(20);
    expect(new Set(ids).size).toBe(20);
  });
});

describe('worker reports', () => {
  it('heartbeat records progress and a preview, extends the lease, carries the cancel flag', async () => {
    const { u, job, lease } = await leased();
    // A lease about to run out: the heartbeat must push it a full TTL past the beat.
    const soon = new Date(Date.now() + 2_000);
    await db().job.update({ where: { id: job.id }, data: { leaseExpiresAt: soon } });
    const beatAt = Date.now();
    const hb = await recordHeartbeat(job.id, {
      lease_id: lease.lease_id,
      progress: { stage: 'denoising', step: 2, total: 4 },
      preview_png_base64: PNG_1x1.toString('base64'),
    });
    expect(hb.cancel).toBe(false);
    const extended = (await db().job.findUniqueOrThrow({ where: { id: job.id } })).leaseExpiresAt!;
    expect(extended.getTime()).toBeGreaterThan(soon.getTime());
    expect(extended.getTime()).toBeGreaterThanOrEqual(beatAt + env().WORKER_LEASE_TTL_S * 1000);
    expect(hb.lease_expires_at).toBe(extended.toISOString());
    const view = await getJob(u.id, job.id);
    expect(view.progress).toEqual({ step: 2, total: 4 });
    expect(view.previewUrl).toMatch(/preview\.png/);
    await cancelJob(u.id, job.id);
    const hb2 = await recordHeartbeat(job.id, {
      lease_id: lease.lease_id,
      progress: { stage: 'denoising', step: 3, total: 4 },
    });
    expect(hb2.cancel).toBe(true);
  });

  it('refuses a heartbeat with a non-PNG preview', async () => {
    const { job, lease } = await leased();
    await expect(
      recordHeartbeat(job.id, {
        lease_id: lease.lease_id,
        progress: { stage: 'denoising', step: 1, total: 4 },
        preview_png_base64: Buffer.from('<svg/>').toString('base64'),
      }),
    ).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
  });

  it('complete records outputs and captures once; a repeat is a no-op', async () => {
    const { u, job, lease } = await leased();
    const body = {
      lease_id: lease.lease_id,
      outputs: [await upload(lease.outputs[0]!.key)],
      metadata: { seed: 1 },
    };
    expect(await completeJob(job.id, body)).toEqual({ status: 'succeeded' });
    expect(await completeJob(job.id, body)).toEqual({ status: 'succeeded' });
    expect(await db().jobOutput.count({ where: { jobId: job.id } })).toBe(1);
    expect(await balanceOf(u.id)).toEqual({ available: 50 - job.price, held: 0 });
    expect(await db().creditLedgerEntry.count({ where: { jobId: job.id, kind: 'CAPTURE' } })).toBe(
      1,
    );
    // A late failure report for a finished job changes nothing.
    expect(
      await failJob(job.id, {
        lease_id: lease.lease_id,
        error: { code: 'internal', message: 'x', retryable: false },
      }),
    ).toEqual({ status: 'succeeded' });
    expect(await balanceOf(u.id)).toEqual({ available: 50 - job.price, held: 0 });
  });

  it('complete refuses outputs that were not uploaded or not issued to the lease', async () => {
    const { job, lease } = await leased();
    const missing = {
      lease_id: lease.lease_id,
      outputs: [{ ...(await upload('users/x/other.png')), key: lease.outputs[0]!.key }],
      metadata: {},
    };
    await expect(completeJob(job.id, missing)).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
    const foreign = {
      lease_id: lease.lease_id,
      outputs: [await upload('users/x/other.png')],
      metadata: {},
    };
    await expect(completeJob(job.id, foreign)).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
    expect((await db().job.findUniqueOrThrow({ where: { id: job.id } })).status).toBe('RUNNING');
  });

  it('a retryable failure requeues until attempts run out, then fails and releases', async () => {
    const { u, job, lease } = await leased();
    const err = { code: 'out_of_memory' as const, message: 'CUDA OOM', retryable: true };
    expect(await failJob(job.id, { lease_id: lease.lease_id, error: err })).toEqual({
      status: 'queued',
    });
    const l2 = (await leaseNextJob(leaseBody('w2')))!;
    expect(l2.attempt).toBe(2);
    expect(await failJob(job.id, { lease_id: l2.lease_id, error: err })).toEqual({
      status: 'queued',
    });
    const l3 = (await leaseNextJob(leaseBody('w3')))!;
    expect(await failJob(job.id, { lease_id: l3.lease_id, error: err })).toEqual({
      status: 'failed',
    });
    expect(await balanceOf(u.id)).toEqual({ available: 50, held: 0 });
    const view = await getJob(u.id, job.id);
    expect(view.error).toEqual({ code: 'out_of_memory', message: 'CUDA OOM' });
  });

  it('a stale lease gets CONFLICT and changes nothing', async () => {
    const { job, lease } = await leased();
    await failJob(job.id, {
      lease_id: lease.lease_id,
      error: { code: 'internal', message: 'flaky', retryable: true },
    });
    const fresh = (await leaseNextJob(leaseBody('w2')))!;
    await expect(
      recordHeartbeat(job.id, {
        lease_id: lease.lease_id,
        progress: { stage: 'denoising', step: 1, total: 4 },
      }),
    ).rejects.toMatchObject({ code: 'CONFLICT' });
    await expect(
      completeJob(job.id, {
        lease_id: lease.lease_id,
        outputs: [await upload(lease.outputs[0]!.key)],
        metadata: {},
      }),
    ).rejects.toMatchObject({ code: 'CONFLICT' });
    expect((await db().job.findUniqueOrThrow({ where: { id: job.id } })).leaseId).toBe(
      fresh.lease_id,
    );
  });

  it('release on shutdown requeues without spending an attempt', async () => {
    const { job, lease } = await leased();
    expect(await releaseJob(job.id, { lease_id: lease.lease_id, reason: 'shutdown' })).toEqual({
      status: 'queued',
    });
    expect((await db().job.findUniqueOrThrow({ where: { id: job.id } })).attempts).toBe(0);
  });

  it('expired leases requeue, and fail with credits back after the last attempt', async () => {
    const { u, job } = await leased();
    for (let attempt = 1; attempt <= 3; attempt += 1) {
      await db().job.update({
        where: { id: job.id },
        data: { leaseExpiresAt: new Date(Date.now() - 1000) },
      });
      expect(await expireLeases()).toBe(1);
      if (attempt < 3) expect((await leaseNextJob(leaseBody(`w${attempt}`)))?.id).toBe(job.id);
    }
    const row = await db().job.findUniqueOrThrow({ where: { id: job.id } });
    expect(row).toMatchObject({ status: 'FAILED', errorCode: 'lease_expired' });
    expect(await balanceOf(u.id)).toEqual({ available: 50, held: 0 });
  });
});

describe('user actions', () => {
  it('cancel of a queued job releases at once; of a finished job is a conflict', async () => {
    const u = await makeUser();
    const job = await createGenerateJob(u.id, { prompt: 'never mind' });
    expect(await cancelJob(u.id, job.id)).toEqual({ status: 'CANCELED', cancelRequested: true });
    expect(await balanceOf(u.id)).toEqual({ available: 50, held: 0 });
    await expect(cancelJob(u.id, job.id)).rejects.toMatchObject({ code: 'CONFLICT' });
  });

  it('a running job canceled by its user ends CANCELED with credits back', async () => {
    const { u, job, lease } = await leased();
    await cancelJob(u.id, job.id);
    expect(
      await failJob(job.id, {
        lease_id: lease.lease_id,
        error: { code: 'cancelled', message: 'stopped', retryable: false },
      }),
    ).toEqual({ status: 'canceled' });
    expect(await balanceOf(u.id)).toEqual({ available: 50, held: 0 });
  });

  it("another user's job is not found, and bad ids are not found", async () => {
    const { job } = await leased();
    const other = await makeUser();
    await expect(getJob(other.id, job.id)).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(cancelJob(other.id, job.id)).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(getJob(other.id, 'not-a-uuid')).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('refuses unknown fields, out-of-range values and foreign references, holding nothing', async () => {
    const u = await makeUser();
    const owner = await makeUser();
    const img = await libraryRow(owner.id, 'e');
    await expect(createGenerateJob(u.id, { prompt: 'x', turbo: true })).rejects.toMatchObject({
      code: 'VALIDATION_FAILED',
      message: expect.stringContaining('turbo') as string,
    });
    await expect(createGenerateJob(u.id, { prompt: 'x', steps: 500 })).rejects.toMatchObject({
      code: 'VALIDATION_FAILED',
    });
    await expect(createGenerateJob(u.id, { prompt: 'x', width: 513 })).rejects.toMatchObject({
      code: 'VALIDATION_FAILED',
      message: expect.stringContaining('multiple of 8') as string,
    });
    await expect(
      createGenerateJob(u.id, { prompt: 'x', references: [{ referenceId: img.id }] }),
    ).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect(await balanceOf(u.id)).toEqual({ available: 50, held: 0 });
    expect(await db().job.count({ where: { userId: u.id } })).toBe(0);
  });
});
