// Accepting train and edit jobs: clear errors and nothing held for bad requests; the lease
// hands out the adapter slot first; completion records the adapter in the same transaction.
import { beforeAll, describe, expect, it } from 'vitest';
import { db } from '@/server/db';
import { createGenerateJob } from '@/server/jobs/create';
import { createEditJob, createTrainJob } from '@/server/jobs/personal';
import { addLibraryImage } from '@/server/references/library';
import { storage } from '@/server/storage';
import { photoPng } from '../helpers/hostile-files';
import { balanceOf, leaseBody, makeUser } from '../helpers/users';
import { completeJob, leaseNextJob, sha256, spectralShiftFile } from '../helpers/workers';

let user: { id: string };
let photos: string[];
let small: string;

beforeAll(async () => {
  user = await makeUser({ plan: 'studio', credits: 10_000 });
  photos = [];
  for (let i = 0; i < 3; i += 1) {
    photos.push((await addLibraryImage(user.id, await photoPng(512 + i * 8, 512))).image.id);
  }
  small = (await addLibraryImage(user.id, await photoPng(200, 150))).image.id;
});

const caps = { ...leaseBody().capabilities, kinds: ['generate', 'train', 'edit'] };
const dog = 'a photo of sks dog';

describe('bad train and edit requests are refused, nothing held', () => {
  it.each([
    [
      'no photos',
      () => createTrainJob(user.id, { name: 'x', imageIds: [], instancePrompt: dog }),
      /at least 1 photo/,
    ],
    [
      '21 photos',
      () =>
        createTrainJob(user.id, {
          name: 'x',
          imageIds: Array(21).fill(photos[0]),
          instancePrompt: dog,
        }),
      /at most 20/,
    ],
    [
      'an empty prompt',
      () => createTrainJob(user.id, { name: 'x', imageIds: photos, instancePrompt: '   ' }),
      /Write a prompt/,
    ],
    [
      'a photo smaller than the resolution',
      () => createTrainJob(user.id, { name: 'x', imageIds: [small], instancePrompt: dog }),
      /at least 512 pixels/,
    ],
    [
      'a token not in the prompt',
      () =>
        createTrainJob(user.id, { name: 'x', imageIds: photos, instancePrompt: dog, token: 'zzz' }),
      /token must appear/,
    ],
    [
      'prior preservation without a class prompt',
      () =>
        createTrainJob(user.id, {
          name: 'x',
          imageIds: photos,
          instancePrompt: dog,
          priorPreservation: true,
        }),
      /class prompt/,
    ],
    [
      'an empty edited sentence',
      () => createEditJob(user.id, { imageId: photos[0], sourcePrompt: 'a dog', targetPrompt: '' }),
      /edited sentence/,
    ],
    [
      'an empty source sentence',
      () =>
        createEditJob(user.id, { imageId: photos[0], sourcePrompt: ' ', targetPrompt: 'a cat' }),
      /describing the photo/,
    ],
    [
      'an edit of a too-small photo',
      () =>
        createEditJob(user.id, { imageId: small, sourcePrompt: 'a dog', targetPrompt: 'a cat' }),
      /at least 512 pixels/,
    ],
    [
      'an unknown field',
      () =>
        createEditJob(user.id, {
          imageId: photos[0],
          sourcePrompt: 'a dog',
          targetPrompt: 'a cat',
          turbo: 1,
        }),
      /turbo/,
    ],
  ])('%s', async (_label, call, message) => {
    const before = await balanceOf(user.id);
    await expect(call()).rejects.toMatchObject({
      message: expect.stringMatching(message) as string,
    });
    expect(await balanceOf(user.id)).toEqual(before);
  });

  it('an adapter made for another base model is refused in a generation', async () => {
    const a = await db().adapter.create({
      data: {
        userId: user.id,
        name: 'XL style',
        kind: 'LORA',
        source: 'UPLOADED',
        baseModel: 'sdxl-base',
        family: 'sdxl',
        fileKey: `users/${user.id}/adapters/x.safetensors`,
        sizeBytes: 1,
        sha256: 'e'.repeat(64),
      },
    });
    const before = await balanceOf(user.id);
    await expect(
      createGenerateJob(user.id, { prompt: 'x', loras: [{ adapterId: a.id }] }),
    ).rejects.toMatchObject({
      code: 'VALIDATION_FAILED',
      message: expect.stringMatching(
        /LoRA "XL style" \(SDXL\) cannot run on sd15 \(SD 1\.5\)/,
      ) as string,
    });
    expect(await balanceOf(user.id)).toEqual(before);
  });

  it("another user's photo is not found", async () => {
    const other = await makeUser();
    await expect(
      createTrainJob(other.id, { name: 'x', imageIds: photos, instancePrompt: dog }),
    ).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });
});

describe('train job: lease slots and completion', () => {
  it('puts the adapter slot first and records the adapter with the capture', async () => {
    await db().job.updateMany({
      where: { status: { in: ['QUEUED', 'RUNNING'] } },
      data: { status: 'CANCELED' },
    });
    const job = await createTrainJob(user.id, {
      name: 'My dog',
      imageIds: photos,
      instancePrompt: dog,
      steps: 100,
    });
    expect(await leaseNextJob(leaseBody('old-worker'))).toBeNull(); // a generate-only worker never gets it
    const lease = (await leaseNextJob({ ...leaseBody('w'), capabilities: caps }))!;
    expect(lease.kind).toBe('train');
    expect(lease.params).toMatchObject({
      method: 'svdiff',
      images: ['photo-0', 'photo-1', 'photo-2'],
      instance_prompt: dog,
    });
    expect(lease.outputs.map((o) => o.content_type)).toEqual([
      'application/octet-stream',
      'image/png',
      'image/png',
    ]);
    const adapterBytes = spectralShiftFile();
    await storage().put(lease.outputs[0]!.key, adapterBytes, 'application/octet-stream');
    const png = await photoPng(64, 64);
    await storage().put(lease.outputs[1]!.key, png, 'image/png');
    const before = await balanceOf(user.id);
    await completeJob(job.id, {
      lease_id: lease.lease_id,
      outputs: [
        {
          key: lease.outputs[0]!.key,
          content_type: 'application/octet-stream',
          bytes: adapterBytes.length,
          sha256: sha256(adapterBytes),
        },
        {
          key: lease.outputs[1]!.key,
          content_type: 'image/png',
          width: 64,
          height: 64,
          bytes: png.length,
          sha256: sha256(png),
          seed: 1,
        },
      ],
      metadata: {
        adapter: { kind: 'svdiff' },
        settings: { steps: 100 },
        loss: { first10_mean: 0.2, last10_mean: 0.1 },
      },
    });
    const adapter = await db().adapter.findUniqueOrThrow({ where: { sourceJobId: job.id } });
    expect(adapter).toMatchObject({
      name: 'My dog',
      kind: 'SPECTRAL_SHIFT',
      source: 'TRAINED',
      sizeBytes: adapterBytes.length,
      fileKey: lease.outputs[0]!.key,
    });
    expect(adapter.sampleKeys).toEqual([lease.outputs[1]!.key]);
    expect(await db().jobOutput.count({ where: { jobId: job.id } })).toBe(0); // samples are the adapter's
    // The capture: the hold becomes spent credits once; the available balance (already reduced
    // by the hold) does not move again, and nothing is released.
    expect(await balanceOf(user.id)).toEqual({
      available: before.available,
      held: before.held - job.price,
    });
    const settled = await db().creditLedgerEntry.findMany({
      where: { jobId: job.id, kind: { in: ['CAPTURE', 'RELEASE'] } },
    });
    expect(settled).toHaveLength(1);
    expect(settled[0]).toMatchObject({ kind: 'CAPTURE', amount: 0, heldDelta: -job.price });
    // The new adapter mixes into a generation by weight.
    const gen = await createGenerateJob(user.id, {
      prompt: 'sks dog on the moon',
      loras: [{ adapterId: adapter.id, weight: 1 }],
    });
    expect(gen.status).toBe('QUEUED');
  });

  it('refuses a completion without the adapter file, or with the wrong type in a slot', async () => {
    await db().job.updateMany({
      where: { status: { in: ['QUEUED', 'RUNNING'] } },
      data: { status: 'CANCELED' },
    });
    const job = await createEditJob(user.id, {
      imageId: photos[0],
      sourcePrompt: 'a dog',
      targetPrompt: 'a cat',
      steps: 50,
    });
    const lease = (await leaseNextJob({ ...leaseBody('w2'), capabilities: caps }))!;
    const png = await photoPng(64, 64);
    await storage().put(lease.outputs[1]!.key, png, 'image/png');
    const image = (key: string) => ({
      key,
      content_type: 'image/png' as const,
      width: 64,
      height: 64,
      bytes: png.length,
      sha256: sha256(png),
      seed: 1,
    });
    await expect(
      completeJob(job.id, {
        lease_id: lease.lease_id,
        outputs: [image(lease.outputs[1]!.key)],
        metadata: {},
      }),
    ).rejects.toMatchObject({
      code: 'VALIDATION_FAILED',
      message: expect.stringMatching(/adapter file/) as string,
    });
    await expect(
      completeJob(job.id, {
        lease_id: lease.lease_id,
        outputs: [image(lease.outputs[0]!.key)],
        metadata: {},
      }),
    ).rejects.toMatchObject({
      code: 'VALIDATION_FAILED',
    });
    expect((await db().job.findUniqueOrThrow({ where: { id: job.id } })).status).toBe('RUNNING');
  });
});
