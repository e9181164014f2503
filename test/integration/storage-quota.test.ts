// One storage quota per plan over library images, control maps, adapters and outputs: checked
// and charged in one statement (concurrent uploads cannot overshoot it), refused with the
// numbers and nothing changed, given back on delete, counted for paid outputs at completion,
// and shown in GET /api/v1/account and account.me.
import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { beforeEach, describe, expect, it } from 'vitest';
import { GET as accountRoute } from '@/app/api/v1/account/route';
import { POST as importRoute } from '@/app/api/v1/adapters/route';
import { POST as uploadRoute } from '@/app/api/v1/references/route';
import { deleteAdapter } from '@/server/adapters/adapters';
import { PLANS } from '@/server/billing/plans';
import { db } from '@/server/db';
import { controlMapFor } from '@/server/inference/control-maps';
import { createGenerateJob } from '@/server/jobs/create';
import { deleteOutput } from '@/server/jobs/user-jobs';
import { addLibraryImage, deleteLibraryImage } from '@/server/references/library';
import { storage } from '@/server/storage';
import { chargeStorage } from '@/server/storage/quota';
import { sessionHeaders, trpcQuery } from '../helpers/app';
import { photoPng } from '../helpers/hostile-files';
import { bearer, problemOf, userWithKey } from '../helpers/rest';
import { leaseBody, makeUser } from '../helpers/users';
import { completeJob, declaredImage, leaseNextJob, spectralShiftFile } from '../helpers/workers';

const MiB = 1024 ** 2;
const FREE = PLANS.free!.storageQuotaBytes;

async function usedOf(userId: string): Promise<number> {
  return Number((await db().user.findUniqueOrThrow({ where: { id: userId } })).storageUsedBytes);
}

async function setUsed(userId: string, bytes: number) {
  await db().user.update({ where: { id: userId }, data: { storageUsedBytes: BigInt(bytes) } });
}

/** Every file stored under the user's namespace, as paths relative to it. */
function storedFiles(userId: string): string[] {
  const dir = path.join(process.env.STORAGE_DIR!, 'users', userId);
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((d) => d.isFile())
    .map((d) => path.relative(dir, path.join(d.parentPath, d.name)));
}

function upload(cookie: string, bytes: Buffer) {
  const form = new FormData();
  form.set('file', new Blob([new Uint8Array(bytes)], { type: 'image/png' }), 'image.png');
  return uploadRoute(
    new Request('http://localhost:3000/api/v1/references', {
      method: 'POST',
      headers: sessionHeaders(cookie),
      body: form,
    }),
    undefined,
  );
}

function importAdapter(cookie: string, bytes: Buffer, name = 'Shift') {
  const form = new FormData();
  form.set('file', new Blob([new Uint8Array(bytes)]), 'a.safetensors');
  form.set('name', name);
  return importRoute(
    new Request('http://localhost:3000/api/v1/adapters', {
      method: 'POST',
      headers: sessionHeaders(cookie),
      body: form,
    }),
    undefined,
  );
}

/** A distinct picture per `i` (its own colour and circle), so uploads never deduplicate. */
function distinctPng(i: number) {
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="96" height="96">
    <rect width="96" height="96" fill="rgb(${(i * 53) % 256},${(i * 97) % 256},${(i * 29) % 256})"/>
    <circle cx="${20 + (i % 50)}" cy="48" r="${10 + (i % 20)}" fill="#fff"/></svg>`;
  return sharp(Buffer.from(svg)).png().toBuffer();
}

describe('the storage quota', () => {
  beforeEach(async () => {
    // The lease in "outputs" must find only its own job.
    await db().job.updateMany({
      where: { status: { in: ['QUEUED', 'RUNNING'] } },
      data: { status: 'CANCELED' },
    });
  });

  it('is per plan, and says the numbers when something does not fit', async () => {
    expect(PLANS.free!.storageQuotaBytes).toBe(1024 ** 3);
    expect(PLANS.pro!.storageQuotaBytes).toBeGreaterThan(PLANS.free!.storageQuotaBytes);
    expect(PLANS.studio!.storageQuotaBytes).toBeGreaterThan(PLANS.pro!.storageQuotaBytes);
    const u = await makeUser();
    await setUsed(u.id, FREE - 120 * MiB);
    const refused = await chargeStorage(u.id, 300 * MiB).catch((e: unknown) => e);
    expect((refused as Error).message).toMatch(
      /^This file is 300 MB; you have 120 MB of 1 GB left\./,
    );
    expect(refused).toMatchObject({
      code: 'QUOTA_EXCEEDED',
      details: {
        neededBytes: 300 * MiB,
        usedBytes: FREE - 120 * MiB,
        quotaBytes: FREE,
        leftBytes: 120 * MiB,
      },
    });
    expect(await usedOf(u.id)).toBe(FREE - 120 * MiB);
    // The same 300 MB fits a pro plan's quota.
    await db().user.update({ where: { id: u.id }, data: { plan: 'pro' } });
    await chargeStorage(u.id, 300 * MiB);
    expect(await usedOf(u.id)).toBe(FREE + 180 * MiB);
  });

  it('refuses an upload beyond it with the numbers, storing and changing nothing', async () => {
    const u = await makeUser();
    await setUsed(u.id, FREE - 1000);
    const res = await upload(u.cookie, await photoPng(320, 240));
    expect(res.status).toBe(413);
    const p = await problemOf(res);
    expect(p.code).toBe('QUOTA_EXCEEDED');
    expect(p.detail).toMatch(/^This image is [\d.]+ KB; you have 1000 bytes of 1 GB left\./);
    expect(await db().referenceImage.count({ where: { userId: u.id } })).toBe(0);
    expect(storedFiles(u.id)).toEqual([]);
    expect(await usedOf(u.id)).toBe(FREE - 1000);
  });

  it('refuses an adapter import beyond it with the numbers, storing and changing nothing', async () => {
    const u = await makeUser();
    const file = spectralShiftFile();
    await setUsed(u.id, FREE - 10);
    const res = await importAdapter(u.cookie, file);
    expect(res.status).toBe(413);
    const p = await problemOf(res);
    expect(p.code).toBe('QUOTA_EXCEEDED');
    expect(p.detail).toMatch(
      new RegExp(`^This file is ${file.length} bytes; you have 10 bytes of 1 GB left\\.`),
    );
    expect(await db().adapter.count({ where: { userId: u.id } })).toBe(0);
    expect(storedFiles(u.id)).toEqual([]);
    expect(await usedOf(u.id)).toBe(FREE - 10);

    // With room, the import is counted; deleting it gives the bytes back.
    await setUsed(u.id, 0);
    const ok = await importAdapter(u.cookie, file);
    expect(ok.status).toBe(201);
    expect(await usedOf(u.id)).toBe(file.length);
    await deleteAdapter(u.id, ((await ok.json()) as { id: string }).id);
    expect(await usedOf(u.id)).toBe(0);
  });

  it('concurrent uploads cannot overshoot it (checked and charged in one statement)', async () => {
    const u = await makeUser();
    const files = await Promise.all(Array.from({ length: 12 }, (_, i) => distinctPng(i)));
    // Room for about three of the twelve.
    const typical = files[0]!.length;
    const start = FREE - Math.round(typical * 3.5);
    await setUsed(u.id, start);
    const results = await Promise.allSettled(files.map((f) => addLibraryImage(u.id, f)));
    const refused = results.filter((r) => r.status === 'rejected');
    for (const r of refused) expect(r.reason).toMatchObject({ code: 'QUOTA_EXCEEDED' });
    const rows = await db().referenceImage.findMany({ where: { userId: u.id } });
    expect(rows.length).toBe(results.length - refused.length);
    expect(rows.length).toBeGreaterThan(0);
    expect(refused.length).toBeGreaterThan(0);
    const used = await usedOf(u.id);
    expect(used).toBe(start + rows.reduce((n, r) => n + r.bytes, 0));
    expect(used).toBeLessThanOrEqual(FREE);
    // Nothing of a refused upload was left in storage: every file belongs to a stored image.
    const left = storedFiles(u.id);
    expect(left.length).toBeGreaterThanOrEqual(rows.length * 2); // PNG + thumbnail (+ embeddings)
    for (const f of left) expect(rows.some((r) => f.includes(r.sha256))).toBe(true);

    // And the statement itself, raced directly: exactly as many charges as fit succeed.
    const v = await makeUser();
    await setUsed(v.id, FREE - 1000);
    const charges = await Promise.allSettled(
      Array.from({ length: 25 }, () => chargeStorage(v.id, 100)),
    );
    expect(charges.filter((c) => c.status === 'fulfilled').length).toBe(10);
    expect(await usedOf(v.id)).toBe(FREE);
  });

  it('deleting an image frees it and its control maps', async () => {
    const u = await makeUser({ credits: 50 });
    const { image } = await addLibraryImage(u.id, await photoPng(160, 120));
    const a = await controlMapFor(image, 'canny', { low: 50, high: 150 });
    const b = await controlMapFor(image, 'canny', { low: 100, high: 200 });
    expect(await usedOf(u.id)).toBe(image.bytes + a.png.length + b.png.length);
    await deleteLibraryImage(u.id, image.id);
    expect(await usedOf(u.id)).toBe(0);
    expect(await db().controlMap.count({ where: { userId: u.id } })).toBe(0);
    expect(storedFiles(u.id)).toEqual([]);
  });

  it('counts paid outputs at completion even past the quota, and frees them on delete', async () => {
    const u = await makeUser({ credits: 50 });
    await setUsed(u.id, FREE - 10); // nearly full: the paid result still lands
    const job = await createGenerateJob(u.id, { prompt: 'a lighthouse', steps: 4 });
    const lease = await leaseNextJob(leaseBody());
    expect(lease?.id).toBe(job.id);
    const png = await photoPng(64, 64);
    await storage().put(lease!.outputs[0]!.key, png, 'image/png');
    expect(
      await completeJob(job.id, {
        lease_id: lease!.lease_id,
        outputs: [declaredImage(lease!.outputs[0]!.key, png, 64)],
        metadata: {},
      }),
    ).toEqual({ status: 'succeeded' });
    expect(await usedOf(u.id)).toBe(FREE - 10 + png.length);
    // Over the quota now: new uploads are refused until something is deleted.
    expect((await upload(u.cookie, await photoPng(100, 80))).status).toBe(413);
    const output = await db().jobOutput.findFirstOrThrow({ where: { jobId: job.id } });
    await deleteOutput(u.id, output.id);
    expect(await usedOf(u.id)).toBe(FREE - 10);
  });

  it('is shown in GET /api/v1/account and account.me', async () => {
    const { user, secret } = await userWithKey(['account:read'], { plan: 'pro' });
    await setUsed(user.id, 123_456);
    const res = await accountRoute(
      new Request('http://localhost:3000/api/v1/account', { headers: bearer(secret) }),
      undefined,
    );
    expect(res.status).toBe(200);
    expect(((await res.json()) as { storage: unknown }).storage).toEqual({
      usedBytes: 123_456,
      quotaBytes: PLANS.pro!.storageQuotaBytes,
    });
    const me = await trpcQuery('account.me', { cookie: user.cookie });
    expect((me.data as { storage: unknown }).storage).toEqual({
      usedBytes: 123_456,
      quotaBytes: PLANS.pro!.storageQuotaBytes,
    });
  });
});
