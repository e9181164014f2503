// Workers trusted no further than needed (issue 14, item 9), through the real worker and storage
// routes with real tokens: pools limit what a token leases, reports need the token that holds
// the lease, completion re-reads every output (size, SHA-256) and inspects a produced adapter,
// upload URLs die with their lease; share images are decoded with a pixel limit.
import { beforeEach, describe, expect, it } from 'vitest';
import { db } from '@/server/db';
import { resetEnv } from '@/server/env';
import { createGenerateJob } from '@/server/jobs/create';
import { createTrainJob } from '@/server/jobs/personal';
import { addLibraryImage } from '@/server/references/library';
import sharp from 'sharp';
import { shareCardPng } from '@/server/share/card';
import { sharedPageImage } from '@/server/share/serve';
import { shareOutput } from '@/server/share/share';
import { storage, storageKeys } from '@/server/storage';
import { photoPng, pngBomb } from '../helpers/hostile-files';
import { balanceOf, leaseBody, makeUser } from '../helpers/users';
import {
  declaredImage,
  leaseAs,
  makeWorker,
  PNG_1x1,
  putSigned,
  report,
  safetensors,
  sha256,
  spectralShiftFile,
  type LeasedJobWire,
  type TestWorker,
} from '../helpers/workers';

// Studio users' jobs run only on pool-b; everything else only on pool-a.
process.env.WORKER_POOLS = 'plan:studio=pool-b; *=pool-a';
resetEnv();

beforeEach(async () => {
  await db().job.updateMany({
    where: { status: { in: ['QUEUED', 'RUNNING'] } },
    data: { status: 'CANCELED' },
  });
});

async function problem(res: Response) {
  return { status: res.status, ...((await res.json()) as { code: string; detail: string }) };
}

async function jobRow(id: string) {
  return db().job.findUniqueOrThrow({ where: { id } });
}

describe('pools', () => {
  it('a worker of pool A never leases pool B’s job: B’s job goes only to B’s worker', async () => {
    const [a, b] = [await makeWorker('pool-a'), await makeWorker('pool-b')];
    const studio = await makeUser({ plan: 'studio', credits: 100 });
    // Both wait on a long poll; then B's job is queued (the queue's notify wakes both).
    const aPoll = leaseAs(a, 2);
    const bPoll = leaseAs(b, 10);
    const job = await createGenerateJob(studio.id, { prompt: 'for trusted hardware', steps: 4 });
    expect((await jobRow(job.id)).pools).toEqual(['pool-b']);
    const [gotA, gotB] = await Promise.all([aPoll, bPoll]);
    expect(gotB?.id).toBe(job.id);
    expect(gotA).toBeNull();
    // And A asked again, with B's job back in the queue, still gets nothing.
    await report.release(b, job.id, { lease_id: gotB!.lease_id, reason: 'shutdown' });
    expect((await jobRow(job.id)).status).toBe('QUEUED');
    expect(await leaseAs(a, 0)).toBeNull();
    expect((await jobRow(job.id)).status).toBe('QUEUED');
    expect((await leaseAs(b, 0))?.id).toBe(job.id);
  });

  it('A’s long poll returns nothing while only B’s job waits, and A’s own job goes to A', async () => {
    const [a, b] = [await makeWorker('pool-a'), await makeWorker('pool-b')];
    const studio = await makeUser({ plan: 'studio', credits: 100 });
    const free = await makeUser({ credits: 100 });
    const aPoll = leaseAs(a, 2);
    const bJob = await createGenerateJob(studio.id, { prompt: 'b only', steps: 4 });
    expect(await aPoll).toBeNull();
    expect((await jobRow(bJob.id)).status).toBe('QUEUED');
    const aJob = await createGenerateJob(free.id, { prompt: 'a only', steps: 4 });
    expect((await jobRow(aJob.id)).pools).toEqual(['pool-a']);
    expect(await leaseAs(b, 0)).toMatchObject({ id: bJob.id });
    expect(await leaseAs(b, 0)).toBeNull(); // pool-a's job is not B's
    expect(await leaseAs(a, 0)).toMatchObject({ id: aJob.id });
  });
});

describe('reports need the token that holds the lease', () => {
  it('another token of the same pool with a stolen lease id gets 403 on every report; nothing changes', async () => {
    const [holder, thief] = [await makeWorker('pool-a'), await makeWorker('pool-a')];
    const u = await makeUser({ credits: 50 });
    const job = await createGenerateJob(u.id, { prompt: 'mine', steps: 4 });
    const lease = (await leaseAs(holder))!;
    const ok = await report.heartbeat(holder, job.id, {
      lease_id: lease.lease_id,
      progress: { stage: 'denoising', step: 1, total: 4 },
    });
    expect(ok.status).toBe(200);
    const before = await jobRow(job.id);
    const money = await balanceOf(u.id);
    // The thief even uploads a file of its own to the slot first (a valid URL was stolen too).
    expect((await putSigned(lease.outputs[0]!, PNG_1x1)).status).toBe(200);
    const calls = [
      report.heartbeat(thief, job.id, {
        lease_id: lease.lease_id,
        progress: { stage: 'denoising', step: 4, total: 4 },
      }),
      report.complete(thief, job.id, {
        lease_id: lease.lease_id,
        outputs: [declaredImage(lease.outputs[0]!.key, PNG_1x1)],
        metadata: {},
      }),
      report.fail(thief, job.id, {
        lease_id: lease.lease_id,
        error: { code: 'internal', message: 'x', retryable: false },
      }),
      report.release(thief, job.id, { lease_id: lease.lease_id, reason: 'shutdown' }),
    ];
    for (const res of await Promise.all(calls)) {
      expect(await problem(res)).toMatchObject({
        status: 403,
        detail: expect.stringMatching(/another worker token/) as string,
      });
    }
    const after = await jobRow(job.id);
    expect(after).toMatchObject({
      status: 'RUNNING',
      leaseId: before.leaseId,
      progressStep: 1,
      leaseTokenId: holder.tokenId,
    });
    expect(after.leaseExpiresAt).toEqual(before.leaseExpiresAt);
    expect(await balanceOf(u.id)).toEqual(money);
    expect(await db().jobOutput.count({ where: { jobId: job.id } })).toBe(0);
    // The holder still completes.
    const done = await report.complete(holder, job.id, {
      lease_id: lease.lease_id,
      outputs: [declaredImage(lease.outputs[0]!.key, PNG_1x1)],
      metadata: {},
    });
    expect(await done.json()).toEqual({ status: 'succeeded' });
  });
});

describe('completion checks what was stored', () => {
  async function leasedWithUpload() {
    const w = await makeWorker('pool-a');
    const u = await makeUser({ credits: 50 });
    const job = await createGenerateJob(u.id, { prompt: 'honest pixels', steps: 4 });
    const lease = (await leaseAs(w))!;
    const png = await photoPng(64, 64);
    expect((await putSigned(lease.outputs[0]!, png)).status).toBe(200);
    return { w, u, job, lease, png };
  }

  async function unchanged(
    jobId: string,
    userId: string,
    held: { available: number; held: number },
  ) {
    expect((await jobRow(jobId)).status).toBe('RUNNING');
    expect(await db().jobOutput.count({ where: { jobId } })).toBe(0);
    expect(await balanceOf(userId)).toEqual(held); // nothing captured
  }

  it('a tampered output is refused at completion: not SUCCEEDED, no capture', async () => {
    const { w, u, job, lease, png } = await leasedWithUpload();
    const held = await balanceOf(u.id);
    // Someone overwrites the object after the worker's PUT (same size, other bytes).
    const tampered = Buffer.from(png);
    const at = tampered.length - 20;
    tampered[at] = tampered[at]! ^ 0xff;
    await storage().put(lease.outputs[0]!.key, tampered, 'image/png');
    const res = await report.complete(w, job.id, {
      lease_id: lease.lease_id,
      outputs: [declaredImage(lease.outputs[0]!.key, png, 64)],
      metadata: {},
    });
    expect(await problem(res)).toMatchObject({
      status: 422,
      detail: expect.stringMatching(
        /does not match what the worker declared: stored SHA-256/,
      ) as string,
    });
    await unchanged(job.id, u.id, held);
  });

  it('a wrong declared size is refused, and the honest report then succeeds', async () => {
    const { w, u, job, lease, png } = await leasedWithUpload();
    const held = await balanceOf(u.id);
    const declared = declaredImage(lease.outputs[0]!.key, png, 64);
    const res = await report.complete(w, job.id, {
      lease_id: lease.lease_id,
      outputs: [{ ...declared, bytes: png.length - 1 }],
      metadata: {},
    });
    expect(await problem(res)).toMatchObject({
      status: 422,
      detail: expect.stringMatching(
        /is \d+ bytes in storage, but the worker declared \d+/,
      ) as string,
    });
    const wrongHash = await report.complete(w, job.id, {
      lease_id: lease.lease_id,
      outputs: [{ ...declared, sha256: sha256(Buffer.from('something else')) }],
      metadata: {},
    });
    expect(wrongHash.status).toBe(422);
    await unchanged(job.id, u.id, held);
    const ok = await report.complete(w, job.id, {
      lease_id: lease.lease_id,
      outputs: [declared],
      metadata: {},
    });
    expect(await ok.json()).toEqual({ status: 'succeeded' });
    expect((await balanceOf(u.id)).held).toBe(held.held - job.price);
  });
});

describe('upload URLs die with the lease', () => {
  async function twoSlots(w: TestWorker): Promise<{ jobId: string; lease: LeasedJobWire }> {
    const u = await makeUser({ credits: 50 });
    const job = await createGenerateJob(u.id, { prompt: 'two', steps: 4, numImages: 2 });
    const lease = (await leaseAs(w))!;
    expect(lease.outputs).toHaveLength(2);
    return { jobId: job.id, lease };
  }

  it('refused after complete, fail, release and expiry; write-once while live', async () => {
    const w = await makeWorker('pool-a');
    const ended = { status: 403, detail: expect.stringMatching(/ended with its lease/) as string };

    // completed
    let { jobId, lease } = await twoSlots(w);
    expect((await putSigned(lease.outputs[0]!, PNG_1x1)).status).toBe(200);
    expect(await problem(await putSigned(lease.outputs[0]!, PNG_1x1))).toMatchObject({
      status: 409, // write-once: what completion checks cannot be swapped
    });
    expect((await putSigned(lease.outputs[1]!, PNG_1x1)).status).toBe(200);
    const done = await report.complete(w, jobId, {
      lease_id: lease.lease_id,
      outputs: lease.outputs.map((o) => declaredImage(o.key, PNG_1x1)),
      metadata: {},
    });
    expect(done.status).toBe(200);
    await storage().delete([lease.outputs[1]!.key]); // even an empty slot stays closed
    expect(await problem(await putSigned(lease.outputs[1]!, PNG_1x1))).toMatchObject(ended);
    expect(await storage().head(lease.outputs[1]!.key)).toBeNull();

    // failed
    ({ jobId, lease } = await twoSlots(w));
    await report.fail(w, jobId, {
      lease_id: lease.lease_id,
      error: { code: 'invalid_input', message: 'bad', retryable: false },
    });
    expect(await problem(await putSigned(lease.outputs[0]!, PNG_1x1))).toMatchObject(ended);

    // released (back in the queue: a new lease gets new URLs; the old ones are dead)
    ({ jobId, lease } = await twoSlots(w));
    await report.release(w, jobId, { lease_id: lease.lease_id, reason: 'shutdown' });
    expect(await problem(await putSigned(lease.outputs[0]!, PNG_1x1))).toMatchObject(ended);
    await db().job.update({ where: { id: jobId }, data: { status: 'CANCELED' } });

    // expired, before any sweep noticed
    ({ jobId, lease } = await twoSlots(w));
    await db().job.update({
      where: { id: jobId },
      data: { leaseExpiresAt: new Date(Date.now() - 1000) },
    });
    expect(await problem(await putSigned(lease.outputs[0]!, PNG_1x1))).toMatchObject(ended);
    expect(await storage().head(lease.outputs[0]!.key)).toBeNull();
  });

  it('a heartbeat in the uploading stage hands out fresh URLs bound to the same lease', async () => {
    const w = await makeWorker('pool-a');
    const { jobId, lease } = await twoSlots(w);
    const res = await report.heartbeat(w, jobId, {
      lease_id: lease.lease_id,
      progress: { stage: 'uploading', step: 4, total: 4 },
    });
    const body = (await res.json()) as { outputs?: LeasedJobWire['outputs'] };
    expect(body.outputs?.map((o) => o.key)).toEqual(lease.outputs.map((o) => o.key));
    expect((await putSigned(body.outputs![0]!, PNG_1x1)).status).toBe(200);
    const denoising = await report.heartbeat(w, jobId, {
      lease_id: lease.lease_id,
      progress: { stage: 'denoising', step: 4, total: 4 },
    });
    expect(await denoising.json()).not.toHaveProperty('outputs');
  });
});

describe('a training job’s adapter passes the import inspection', () => {
  const caps = { ...leaseBody().capabilities, kinds: ['generate', 'train', 'edit'] };

  async function trainLease() {
    const w = await makeWorker('pool-a');
    const u = await makeUser({ plan: 'pro', credits: 10_000 });
    const photo = (await addLibraryImage(u.id, await photoPng(512, 512))).image.id;
    const job = await createTrainJob(u.id, {
      name: 'My dog',
      imageIds: [photo],
      instancePrompt: 'a photo of sks dog',
      steps: 100,
    });
    const lease = (await leaseAs(w, 0, caps))!;
    expect(lease.id).toBe(job.id);
    return { w, u, job, lease };
  }

  async function completeWith(file: Buffer) {
    const t = await trainLease();
    const slot = t.lease.outputs[0]!;
    expect((await putSigned(slot, file)).status).toBe(200);
    const res = await report.complete(t.w, t.job.id, {
      lease_id: t.lease.lease_id,
      outputs: [
        {
          key: slot.key,
          content_type: 'application/octet-stream',
          bytes: file.length,
          sha256: sha256(file),
        },
      ],
      metadata: { adapter: { kind: 'svdiff' } },
    });
    return { ...t, res };
  }

  it.each([
    [
      'a pickle',
      Buffer.concat([Buffer.from([0x80, 0x04, 0x95]), Buffer.alloc(64, 1)]),
      415,
      /produced was refused: Pickle-based files/,
    ],
    [
      'a torch zip',
      Buffer.concat([Buffer.from([0x50, 0x4b, 0x03, 0x04]), Buffer.alloc(64)]),
      415,
      /Pickle-based/,
    ],
    [
      'a safetensors header that lies about its data',
      safetensors(
        { 'unet.x.spectral_shift': { dtype: 'F32', shape: [1000], data_offsets: [0, 4000] } },
        Buffer.alloc(16),
      ),
      422,
      /produced was refused: Tensor unet\.x\.spectral_shift/,
    ],
    ['random bytes', Buffer.alloc(4096, 7), 422, /produced was refused: Not a \.safetensors/],
    [
      'a spectral shift for another base model',
      spectralShiftFile('sd21'),
      422,
      /made for sd21, not the job's sd15/,
    ],
  ])('%s is refused at completion; no adapter, no capture', async (_n, file, status, detail) => {
    const { u, job, res } = await completeWith(file);
    expect(await problem(res)).toMatchObject({
      status,
      detail: expect.stringMatching(detail) as string,
    });
    expect((await jobRow(job.id)).status).toBe('RUNNING');
    expect(await db().adapter.count({ where: { sourceJobId: job.id } })).toBe(0);
    expect((await balanceOf(u.id)).held).toBe(job.price);
  });

  it('a real spectral-shift file is recorded as what it is', async () => {
    const { job, res } = await completeWith(spectralShiftFile());
    expect(await res.json()).toEqual({ status: 'succeeded' });
    const adapter = await db().adapter.findUniqueOrThrow({ where: { sourceJobId: job.id } });
    expect(adapter).toMatchObject({ kind: 'SPECTRAL_SHIFT', source: 'TRAINED' });
    expect(adapter.settings).toMatchObject({ layout: 'svdiff', tensors: 2, parameters: 6 });
  });
});

describe('share images are decoded with a pixel limit', () => {
  it('an output whose header claims 25 MP is refused for the page image and the card, undecoded', async () => {
    const u = await makeUser();
    const job = await db().job.create({
      data: {
        userId: u.id,
        kind: 'GENERATE',
        status: 'SUCCEEDED',
        params: { request: { prompt: 'a bomb' } },
        baseModel: 'sd15',
        price: 1,
        finishedAt: new Date(),
      },
    });
    const bomb = pngBomb(5000, 5000); // a few hundred bytes; 75 MB of RGB once decoded
    const key = storageKeys.jobOutput(u.id, job.id, 0);
    await storage().put(key, bomb, 'image/png');
    const output = await db().jobOutput.create({
      data: {
        jobId: job.id,
        userId: u.id,
        index: 0,
        storageKey: key,
        contentType: 'image/png',
        width: 5000,
        height: 5000,
        bytes: bomb.length,
      },
    });
    const { slug } = await shareOutput(u.id, output.id);
    const tooLarge = {
      code: 'PAYLOAD_TOO_LARGE',
      message: expect.stringMatching(/more than 16777216 pixels/) as string,
    };
    await expect(sharedPageImage(slug!)).rejects.toMatchObject(tooLarge);
    await expect(shareCardPng(slug!)).rejects.toMatchObject(tooLarge);
    // An output the app can make (2048 × 2048) still renders.
    const big = await sharp({
      create: { width: 2048, height: 2048, channels: 3, background: '#345' },
    })
      .png()
      .toBuffer();
    await storage().put(key, big, 'image/png');
    expect((await sharp(await sharedPageImage(slug!)).metadata()).width).toBe(1024);
  });
});
