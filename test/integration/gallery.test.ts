// The gallery's server side: listing outputs with filters, deleting one output (row and stored
// image), and copying one into the reference library — each only for the caller's own outputs.
import { randomUUID } from 'node:crypto';
import sharp from 'sharp';
import superjson from 'superjson';
import { describe, expect, it } from 'vitest';
import { db } from '@/server/db';
import { AppError } from '@/server/errors';
import { deleteOutput, getJob, listOutputs } from '@/server/jobs/user-jobs';
import { addLibraryImageFromOutput } from '@/server/references/library';
import { findSharedOutput, shareOutput } from '@/server/share/share';
import { storage, storageKeys } from '@/server/storage';
import { sessionHeaders, trpcPost, trpcQuery } from '../helpers/app';
import { makeUser } from '../helpers/users';

async function picture(colour = '#234', width = 96, height = 64): Promise<Buffer> {
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}"><rect width="100%" height="100%" fill="${colour}"/><circle cx="50%" cy="50%" r="30%" fill="#fd4"/></svg>`;
  return sharp(Buffer.from(svg)).png().toBuffer();
}

interface SeedOptions {
  kind?: 'GENERATE' | 'EDIT';
  prompt?: string;
  createdAt?: Date;
  loras?: string[];
  colour?: string;
  baseModel?: string;
}

/** A finished job with one stored output, as the worker would have left it. */
async function seedOutput(userId: string, opts: SeedOptions = {}) {
  const kind = opts.kind ?? 'GENERATE';
  const prompt = opts.prompt ?? 'a red fox';
  const request =
    kind === 'EDIT'
      ? { imageId: randomUUID(), sourcePrompt: 'a dog', targetPrompt: prompt }
      : { prompt, loras: (opts.loras ?? []).map((adapterId) => ({ adapterId, weight: 0.8 })) };
  const job = await db().job.create({
    data: {
      userId,
      kind,
      status: 'SUCCEEDED',
      params: { request },
      baseModel: opts.baseModel ?? 'tiny-sd15',
      price: 1,
      finishedAt: new Date(),
    },
  });
  const key = storageKeys.jobOutput(userId, job.id, 0);
  const png = await picture(opts.colour);
  await storage().put(key, png, 'image/png');
  const output = await db().jobOutput.create({
    data: {
      jobId: job.id,
      userId,
      index: 0,
      storageKey: key,
      contentType: 'image/png',
      width: 96,
      height: 64,
      bytes: png.length,
      seed: 42n,
      ...(opts.createdAt ? { createdAt: opts.createdAt } : {}),
    },
  });
  return { job, output };
}

async function adapterRow(userId: string, name: string, sourceJobId?: string) {
  return db().adapter.create({
    data: {
      userId,
      name,
      kind: 'LORA',
      source: sourceJobId ? 'EDIT' : 'UPLOADED',
      baseModel: 'tiny-sd15',
      fileKey: `users/${userId}/adapters/${randomUUID()}.safetensors`,
      sizeBytes: 10,
      sha256: 'c'.repeat(64),
      sourceJobId,
    },
  });
}

async function codeOf(p: Promise<unknown>): Promise<string> {
  const e = await p.then(
    () => null,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(AppError);
  return (e as AppError).code;
}

/** A tRPC mutation over the real HTTP handler, as the browser sends it. */
async function trpcMutate(procedure: string, cookie: string, input: unknown) {
  const res = await trpcPost(
    new Request(`http://localhost:3000/api/trpc/${procedure}`, {
      method: 'POST',
      headers: sessionHeaders(cookie, { 'content-type': 'application/json' }),
      body: JSON.stringify(superjson.serialize(input)),
    }),
  );
  const body = (await res.json()) as {
    result?: { data: Parameters<typeof superjson.deserialize>[0] };
    error?: { json: { message: string; data: { code: string; appCode: string | null } } };
  };
  return {
    status: res.status,
    data: body.result ? superjson.deserialize(body.result.data) : undefined,
    error: body.error?.json,
  };
}

const ids = (page: { items: { id: string }[] }) => page.items.map((i) => i.id);

describe('gallery filters', () => {
  it('filters by kind, date range and adapter, alone and together, and pages within a filter', async () => {
    const user = await makeUser();
    const other = await makeUser();
    const lora = await adapterRow(user.id, 'my style');
    const day = (d: string) => new Date(`${d}T12:00:00Z`);
    const oldGen = await seedOutput(user.id, { createdAt: day('2026-01-05') });
    const midGen = await seedOutput(user.id, { createdAt: day('2026-02-10'), loras: [lora.id] });
    const midEdit = await seedOutput(user.id, { kind: 'EDIT', createdAt: day('2026-02-11') });
    const newGen = await seedOutput(user.id, {
      createdAt: day('2026-03-20'),
      loras: [randomUUID(), lora.id],
    });
    const edited = await adapterRow(user.id, 'learned by an edit', midEdit.job.id);
    // Another user's output that used the same adapter id never shows up.
    await seedOutput(other.id, { createdAt: day('2026-02-10'), loras: [lora.id] });

    const all = await listOutputs(user.id, { limit: 20 });
    expect(ids(all)).toEqual([newGen, midEdit, midGen, oldGen].map((o) => o.output.id));
    expect(all.items[1]).toMatchObject({
      kind: 'EDIT',
      prompt: 'a red fox',
      width: 96,
      height: 64,
      seed: '42',
      shareSlug: null,
    });

    expect(ids(await listOutputs(user.id, { limit: 20, kind: 'EDIT' }))).toEqual([
      midEdit.output.id,
    ]);
    expect(ids(await listOutputs(user.id, { limit: 20, kind: 'GENERATE' }))).toEqual(
      [newGen, midGen, oldGen].map((o) => o.output.id),
    );
    // [from, before): 1 Feb inclusive up to 1 Mar exclusive.
    const feb = { createdFrom: new Date('2026-02-01'), createdBefore: new Date('2026-03-01') };
    expect(ids(await listOutputs(user.id, { limit: 20, ...feb }))).toEqual(
      [midEdit, midGen].map((o) => o.output.id),
    );
    expect(
      ids(await listOutputs(user.id, { limit: 20, createdFrom: new Date('2026-02-11') })),
    ).toEqual([newGen, midEdit].map((o) => o.output.id));
    expect(
      ids(await listOutputs(user.id, { limit: 20, createdBefore: new Date('2026-02-11') })),
    ).toEqual([midGen, oldGen].map((o) => o.output.id));
    // Made with the LoRA (anywhere in request.loras).
    expect(ids(await listOutputs(user.id, { limit: 20, adapterId: lora.id }))).toEqual(
      [newGen, midGen].map((o) => o.output.id),
    );
    // Made by the edit that learned the adapter.
    expect(ids(await listOutputs(user.id, { limit: 20, adapterId: edited.id }))).toEqual([
      midEdit.output.id,
    ]);
    expect(
      ids(await listOutputs(user.id, { limit: 20, adapterId: lora.id, kind: 'GENERATE', ...feb })),
    ).toEqual([midGen.output.id]);
    expect(ids(await listOutputs(user.id, { limit: 20, adapterId: randomUUID() }))).toEqual([]);
    // Another user's adapter id finds nothing of theirs in my gallery, nor mine in theirs.
    expect(ids(await listOutputs(other.id, { limit: 20, adapterId: edited.id }))).toEqual([]);

    // Cursor paging keeps the filter.
    const p1 = await listOutputs(user.id, { limit: 1, kind: 'GENERATE' });
    expect(ids(p1)).toEqual([newGen.output.id]);
    const p2 = await listOutputs(user.id, { limit: 1, kind: 'GENERATE', cursor: p1.nextCursor! });
    expect(ids(p2)).toEqual([midGen.output.id]);
    const p3 = await listOutputs(user.id, { limit: 1, kind: 'GENERATE', cursor: p2.nextCursor! });
    expect(ids(p3)).toEqual([oldGen.output.id]);
    expect(p3.nextCursor).toBeNull();
  });

  it("filters by base model (the gallery page's model filter), through jobs.gallery too", async () => {
    const user = await makeUser();
    const sd15 = await seedOutput(user.id, { prompt: 'on SD 1.5' });
    const sdxl = await seedOutput(user.id, { prompt: 'on SDXL', baseModel: 'tiny-sdxl' });
    expect(ids(await listOutputs(user.id, { limit: 20, baseModel: 'tiny-sdxl' }))).toEqual([
      sdxl.output.id,
    ]);
    expect(ids(await listOutputs(user.id, { limit: 20, baseModel: 'tiny-sd15' }))).toEqual([
      sd15.output.id,
    ]);
    expect(ids(await listOutputs(user.id, { limit: 20, baseModel: 'nothing' }))).toEqual([]);
    const res = await trpcQuery('jobs.gallery', {
      cookie: user.cookie,
      input: { limit: 10, baseModel: 'tiny-sdxl' },
    });
    expect(res.status).toBe(200);
    expect(ids(res.data as { items: { id: string }[] })).toEqual([sdxl.output.id]);
  });

  it('takes the filters through jobs.gallery, and refuses unknown fields and backward ranges', async () => {
    const user = await makeUser();
    const gen = await seedOutput(user.id, { prompt: 'a lighthouse' });
    const edit = await seedOutput(user.id, { kind: 'EDIT', prompt: 'a dog lying down' });
    const res = await trpcQuery('jobs.gallery', {
      cookie: user.cookie,
      input: { limit: 10, kind: 'EDIT', createdFrom: new Date(Date.now() - 60_000) },
    });
    expect(res.status).toBe(200);
    const page = res.data as { items: { id: string; prompt: string; kind: string }[] };
    expect(page.items.map((i) => [i.id, i.prompt, i.kind])).toEqual([
      [edit.output.id, 'a dog lying down', 'EDIT'],
    ]);
    expect(ids(page)).not.toContain(gen.output.id);

    for (const input of [
      { limit: 10, kind: 'TRAIN' },
      { limit: 10, colour: 'red' },
      { limit: 10, adapterId: 'not-a-uuid' },
      { limit: 10, createdFrom: new Date('2026-02-02'), createdBefore: new Date('2026-02-01') },
    ]) {
      const bad = await trpcQuery('jobs.gallery', { cookie: user.cookie, input });
      expect(bad.status, JSON.stringify(input)).toBe(400);
    }
    expect((await trpcQuery('jobs.gallery', { input: { limit: 10 } })).status).toBe(401);
  });
});

describe('jobs.deleteOutput', () => {
  it('deletes an own output: the row, the stored image and any public link', async () => {
    const user = await makeUser();
    const { job, output } = await seedOutput(user.id);
    const keep = await seedOutput(user.id);
    const share = await shareOutput(user.id, output.id);
    // The job view and the gallery carry the slug, for the share control.
    expect((await getJob(user.id, job.id)).outputs[0]?.shareSlug).toBe(share.slug);
    const listed = (await listOutputs(user.id, { limit: 20 })).items;
    expect(listed.map((i) => [i.id, i.shareSlug])).toEqual([
      [keep.output.id, null],
      [output.id, share.slug],
    ]);

    const res = await trpcMutate('jobs.deleteOutput', user.cookie, { outputId: output.id });
    expect(res.status).toBe(200);
    expect(res.data).toEqual({ ok: true });
    expect(await db().jobOutput.findUnique({ where: { id: output.id } })).toBeNull();
    expect(await storage().get(output.storageKey)).toBeNull();
    expect(await codeOf(findSharedOutput(share.slug!))).toBe('NOT_FOUND');
    // The job and the other outputs stay.
    expect(await db().job.findUnique({ where: { id: job.id } })).not.toBeNull();
    expect(await storage().get(keep.output.storageKey)).not.toBeNull();
    expect(ids(await listOutputs(user.id, { limit: 20 }))).toEqual([keep.output.id]);
    // Again: it is gone.
    const again = await trpcMutate('jobs.deleteOutput', user.cookie, { outputId: output.id });
    expect(again.status).toBe(404);
  });

  it("refuses another user's output as NOT_FOUND and changes nothing", async () => {
    const owner = await makeUser();
    const intruder = await makeUser();
    const { output } = await seedOutput(owner.id);
    const res = await trpcMutate('jobs.deleteOutput', intruder.cookie, { outputId: output.id });
    expect(res.status).toBe(404);
    expect(res.error?.data.appCode).toBe('NOT_FOUND');
    expect(await codeOf(deleteOutput(intruder.id, output.id))).toBe('NOT_FOUND');
    expect(await codeOf(deleteOutput(owner.id, 'not-a-uuid'))).toBe('NOT_FOUND');
    expect(await codeOf(deleteOutput(owner.id, randomUUID()))).toBe('NOT_FOUND');
    expect(await db().jobOutput.findUnique({ where: { id: output.id } })).not.toBeNull();
    expect(await storage().get(output.storageKey)).not.toBeNull();
    const strict = await trpcMutate('jobs.deleteOutput', owner.cookie, {
      outputId: output.id,
      force: true,
    });
    expect(strict.status).toBe(400);
  });
});

describe('jobs.useAsReference', () => {
  it('adds an own output to the library once, through the upload path', async () => {
    const user = await makeUser();
    const { output } = await seedOutput(user.id, { colour: '#0a7' });
    const first = await trpcMutate('jobs.useAsReference', user.cookie, { outputId: output.id });
    expect(first.status).toBe(200);
    const added = first.data as {
      id: string;
      width: number;
      height: number;
      deduplicated: boolean;
    };
    expect(added).toMatchObject({ width: 96, height: 64, deduplicated: false });
    const row = await db().referenceImage.findUniqueOrThrow({ where: { id: added.id } });
    expect(row.userId).toBe(user.id);
    // Stored like an upload: a normalised PNG and a WebP thumbnail, counted against the quota.
    expect((await sharp((await storage().get(row.originalKey))!).metadata()).format).toBe('png');
    expect((await sharp((await storage().get(row.thumbnailKey))!).metadata()).format).toBe('webp');
    const used = (await db().user.findUniqueOrThrow({ where: { id: user.id } })).storageUsedBytes;
    expect(Number(used)).toBe(row.bytes);

    const second = await trpcMutate('jobs.useAsReference', user.cookie, { outputId: output.id });
    expect(second.data).toMatchObject({ id: added.id, deduplicated: true });
    expect(await db().referenceImage.count({ where: { userId: user.id } })).toBe(1);
    expect(
      Number((await db().user.findUniqueOrThrow({ where: { id: user.id } })).storageUsedBytes),
    ).toBe(row.bytes);
  });

  it("refuses another user's output, a missing one, and one whose file is gone", async () => {
    const owner = await makeUser();
    const intruder = await makeUser();
    const { output } = await seedOutput(owner.id, { colour: '#a07' });
    const res = await trpcMutate('jobs.useAsReference', intruder.cookie, { outputId: output.id });
    expect(res.status).toBe(404);
    expect(await codeOf(addLibraryImageFromOutput(intruder.id, output.id))).toBe('NOT_FOUND');
    expect(await codeOf(addLibraryImageFromOutput(owner.id, randomUUID()))).toBe('NOT_FOUND');
    expect(await codeOf(addLibraryImageFromOutput(owner.id, '../../etc'))).toBe('NOT_FOUND');
    expect(await db().referenceImage.count({ where: { userId: intruder.id } })).toBe(0);
    expect(await db().referenceImage.count({ where: { userId: owner.id } })).toBe(0);

    await storage().delete([output.storageKey]);
    expect(await codeOf(addLibraryImageFromOutput(owner.id, output.id))).toBe('NOT_FOUND');
    expect(await db().referenceImage.count({ where: { userId: owner.id } })).toBe(0);
  });
});
