// SDXL and X-Adapter in the app: per job, which plugins run natively, which go through X-Adapter
// and which are refused (before anything is held); the worker's params of a routed job; the
// price (quote == hold); lease matching by family; remix keeps the base model and knobs.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { POST as createRoute } from '@/app/api/v1/generations/route';
import { POST as quoteRoute } from '@/app/api/v1/generations/quote/route';
import { GET as listJobsRoute } from '@/app/api/v1/jobs/route';
import { db } from '@/server/db';
import { resetEnv } from '@/server/env';
import { createGenerateJob, quoteGenerateJob, type GenerateJobParams } from '@/server/jobs/create';
import { createTrainJob } from '@/server/jobs/personal';
import { getJob } from '@/server/jobs/user-jobs';
import { createCaller } from '@/server/trpc/router';
import { API_BASE, bearer, jsonHeaders, problemOf, userWithKey } from '../helpers/rest';
import { balanceOf, leaseBody, makeUser } from '../helpers/users';
import { leaseNextJob } from '../helpers/workers';

const SETTINGS = {
  BASE_MODELS: 'tiny-sd15,tiny-sdxl:sdxl',
  X_ADAPTER: 'default',
  X_ADAPTER_SD15_BASE: 'tiny-sd15',
};
const saved: Record<string, string | undefined> = {};

function setEnv(values: Record<string, string | undefined>) {
  for (const [k, v] of Object.entries(values)) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
  resetEnv();
}

beforeAll(() => {
  for (const k of Object.keys(SETTINGS)) saved[k] = process.env[k];
  setEnv(SETTINGS);
});
afterAll(() => setEnv(saved));
beforeEach(async () => {
  setEnv(SETTINGS);
  // Each test starts with an empty queue (tests share this file's database).
  await db().job.updateMany({
    where: { status: { in: ['QUEUED', 'RUNNING'] } },
    data: { status: 'CANCELED' },
  });
});

/** A library row whose file is never read (preprocess "none": the image is the map). */
function image(userId: string, tag: string) {
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

function adapter(userId: string, name: string, family: 'sd15' | 'sdxl', baseModel: string) {
  return db().adapter.create({
    data: {
      userId,
      name,
      kind: 'LORA',
      source: 'UPLOADED',
      baseModel,
      family,
      fileKey: `users/${userId}/adapters/${name}.safetensors`,
      sizeBytes: 1,
      sha256: 'e'.repeat(64),
    },
  });
}

async function setup() {
  const user = await makeUser();
  const img = await image(user.id, 'a');
  const sd15Lora = await adapter(user.id, 'ink', 'sd15', 'tiny-sd15');
  const sdxlLora = await adapter(user.id, 'glow', 'sdxl', 'tiny-sdxl');
  return { user, img, sd15Lora, sdxlLora };
}

/** SDXL at 1024², an SD 1.5 canny ControlNet and an SD 1.5 LoRA: X-Adapter's job. */
function xAdapterRequest(imgId: string, loraId: string) {
  return {
    prompt: 'a lighthouse',
    baseModel: 'tiny-sdxl',
    width: 1024,
    height: 1024,
    steps: 20,
    controls: [{ imageId: imgId, type: 'canny' as const, family: 'sd15' as const }],
    loras: [{ adapterId: loraId, weight: 0.8 }],
    xAdapter: { fusion: 1.2, sd15Prompt: 'a lighthouse, ink' },
  };
}

const workerOf = (job: { params: unknown }) => (job.params as GenerateJobParams).worker;

describe('routing an SDXL job', () => {
  it('runs SDXL plugins natively: family fields, SDXL models required, no x_adapter', async () => {
    const { user, img, sdxlLora } = await setup();
    const job = await createGenerateJob(user.id, {
      prompt: 'x',
      baseModel: 'tiny-sdxl',
      width: 1024,
      height: 1024,
      controls: [{ imageId: img.id, type: 'canny' }],
      loras: [{ adapterId: sdxlLora.id }],
    });
    const w = workerOf(job);
    expect(w.base_model).toBe('tiny-sdxl');
    expect(w.x_adapter).toBeUndefined();
    expect(w.controls).toMatchObject([{ type: 'canny', family: 'sdxl' }]);
    expect(w.loras).toMatchObject([{ family: 'sdxl' }]);
    expect(job.baseModel).toBe('tiny-sdxl');
    expect(job.requiredModels).toEqual(['controlnets:sdxl/canny']);
  });

  it('routes SD 1.5 plugins through X-Adapter: params as the contract, models required', async () => {
    const { user, img, sd15Lora } = await setup();
    const job = await createGenerateJob(user.id, xAdapterRequest(img.id, sd15Lora.id));
    const w = workerOf(job);
    expect(w.base_model).toBe('tiny-sdxl');
    expect(w.x_adapter).toEqual({
      name: 'default',
      t0: 0.2,
      fusion: 1.2,
      sd15_prompt: 'a lighthouse, ink',
      sd15_width: 512,
      sd15_height: 512,
    });
    expect(w.controls).toMatchObject([{ type: 'canny', family: 'sd15', preprocess: 'none' }]);
    expect(w.loras).toEqual([{ file: 'lora-0', weight: 0.8, family: 'sd15' }]);
    expect(job.requiredModels).toEqual([
      'base_models:tiny-sd15',
      'controlnets:sd15/canny',
      'x_adapters:default',
    ]);
  });

  it('quotes what it holds, with an X-Adapter line and each plugin’s route', async () => {
    const { user, img, sd15Lora } = await setup();
    const request = xAdapterRequest(img.id, sd15Lora.id);
    const quote = await quoteGenerateJob(user.id, request);
    expect(quote.baseModel).toBe('tiny-sdxl');
    expect(quote.family).toBe('sdxl');
    expect(quote.lines.map((l) => l.label)).toEqual(['Image', 'X-Adapter', 'ControlNet', 'LoRA']);
    expect(quote.plugins).toEqual([
      { kind: 'controlnet', name: 'canny', family: 'sd15', route: 'x_adapter' },
      { kind: 'lora', name: 'ink', adapterId: sd15Lora.id, family: 'sd15', route: 'x_adapter' },
    ]);
    expect(quote.xAdapter).toEqual({
      name: 'default',
      sd15BaseModel: 'tiny-sd15',
      t0: 0.2,
      sd15Width: 512,
      sd15Height: 512,
    });
    const before = await balanceOf(user.id);
    const job = await createGenerateJob(user.id, request);
    expect(job.price).toBe(quote.total);
    const after = await balanceOf(user.id);
    expect(after.held - before.held).toBe(quote.total);
    expect(before.available - after.available).toBe(quote.total);
    // Through tRPC (what the Generate page calls), the same answer.
    const caller = createCaller({ user: { id: user.id }, headers: new Headers() });
    expect((await caller.jobs.quote(request)).total).toBe(quote.total);
  });

  it('refuses SD 1.5 plugins on SDXL without X-Adapter, naming each, with nothing held', async () => {
    const { user, img, sd15Lora } = await setup();
    setEnv({ ...SETTINGS, X_ADAPTER: undefined, X_ADAPTER_SD15_BASE: undefined });
    const before = await balanceOf(user.id);
    const jobs = await db().job.count({ where: { userId: user.id } });
    const request = xAdapterRequest(img.id, sd15Lora.id);
    for (const call of [
      () => createGenerateJob(user.id, request),
      () => quoteGenerateJob(user.id, request),
    ]) {
      await expect(call()).rejects.toMatchObject({
        code: 'VALIDATION_FAILED',
        message: expect.stringMatching(
          /ControlNet canny \(SD 1\.5\), LoRA "ink" \(SD 1\.5\) cannot run on tiny-sdxl \(SDXL\).*X-Adapter/,
        ) as string,
      });
    }
    expect(await balanceOf(user.id)).toEqual(before);
    expect(await db().job.count({ where: { userId: user.id } })).toBe(jobs);
  });

  it('refuses SDXL plugins on an SD 1.5 base before payment', async () => {
    const { user, img, sdxlLora } = await setup();
    const before = await balanceOf(user.id);
    for (const request of [
      { prompt: 'x', baseModel: 'tiny-sd15', loras: [{ adapterId: sdxlLora.id }] },
      {
        prompt: 'x',
        baseModel: 'tiny-sd15',
        controls: [{ imageId: img.id, type: 'canny', family: 'sdxl' }],
      },
    ]) {
      await expect(createGenerateJob(user.id, request)).rejects.toMatchObject({
        code: 'VALIDATION_FAILED',
        message: expect.stringMatching(/\(SDXL\) cannot run on tiny-sd15 \(SD 1\.5\)/) as string,
      });
    }
    expect(await balanceOf(user.id)).toEqual(before);
    expect(await db().job.count({ where: { userId: user.id } })).toBe(0);
  });

  it('refuses SDXL plugins or references beside SD 1.5 plugins (X-Adapter carries SD 1.5 only)', async () => {
    const { user, img, sd15Lora, sdxlLora } = await setup();
    const before = await balanceOf(user.id);
    for (const [request, named] of [
      [
        {
          prompt: 'x',
          baseModel: 'tiny-sdxl',
          loras: [{ adapterId: sd15Lora.id }, { adapterId: sdxlLora.id }],
        },
        /LoRA "[^"]+" \(SDXL\)/,
      ],
      [
        {
          prompt: 'x',
          baseModel: 'tiny-sdxl',
          loras: [{ adapterId: sd15Lora.id }],
          controls: [{ imageId: img.id, type: 'canny', family: 'sdxl' }],
        },
        /ControlNet canny \(SDXL\)/,
      ],
      [
        {
          prompt: 'x',
          baseModel: 'tiny-sdxl',
          loras: [{ adapterId: sd15Lora.id }],
          references: [{ referenceId: img.id }],
        },
        /IP-Adapter/,
      ],
    ] as const) {
      for (const call of [
        () => createGenerateJob(user.id, request),
        () => quoteGenerateJob(user.id, request),
      ]) {
        await expect(call()).rejects.toMatchObject({
          code: 'VALIDATION_FAILED',
          message: expect.stringMatching(named) as string,
        });
      }
    }
    expect(await balanceOf(user.id)).toEqual(before);
    expect(await db().job.count({ where: { userId: user.id } })).toBe(0);
  });

  it('runs an SD 1.5 job natively as before (no family routing, sd15 models)', async () => {
    const { user, img, sd15Lora } = await setup();
    const job = await createGenerateJob(user.id, {
      prompt: 'x',
      controls: [{ imageId: img.id, type: 'canny' }],
      loras: [{ adapterId: sd15Lora.id }],
      xAdapter: { t0: 0.5 }, // nothing to route: ignored
    });
    expect(job.baseModel).toBe('tiny-sd15');
    expect(workerOf(job).x_adapter).toBeUndefined();
    expect(job.requiredModels).toEqual(['controlnets:sd15/canny']);
  });

  it('refuses training on an SDXL base before payment', async () => {
    const { user, img } = await setup();
    const before = await balanceOf(user.id);
    await expect(
      createTrainJob(user.id, {
        name: 'x',
        imageIds: [img.id],
        instancePrompt: 'a photo of sks dog',
        baseModel: 'tiny-sdxl',
      }),
    ).rejects.toMatchObject({ code: 'VALIDATION_FAILED', message: /SD 1\.5 base models only/ });
    expect(await balanceOf(user.id)).toEqual(before);
  });

  it('remix reads back the base model and the X-Adapter knobs', async () => {
    const { user, img, sd15Lora } = await setup();
    const job = await createGenerateJob(user.id, xAdapterRequest(img.id, sd15Lora.id));
    const view = await getJob(user.id, job.id);
    expect(view.request).toMatchObject({
      baseModel: 'tiny-sdxl',
      controls: [{ family: 'sd15' }],
      xAdapter: { fusion: 1.2, sd15Prompt: 'a lighthouse, ink' },
    });
  });

  it('lists jobs of one base model (jobs.list and GET /api/v1/jobs)', async () => {
    const { secret, userId } = await userWithKey(['jobs:read']);
    const sd15 = await createGenerateJob(userId, { prompt: 'x' });
    const sdxl = await createGenerateJob(userId, { prompt: 'x', baseModel: 'tiny-sdxl' });
    const caller = createCaller({ user: { id: userId }, headers: new Headers() });
    const ids = async (baseModel?: string) =>
      (await caller.jobs.list({ baseModel })).items.map((j) => j.id);
    expect(await ids()).toEqual([sdxl.id, sd15.id]);
    expect(await ids('tiny-sdxl')).toEqual([sdxl.id]);
    expect(await ids('tiny-sd15')).toEqual([sd15.id]);
    const res = await listJobsRoute(
      new Request(`${API_BASE}/jobs?baseModel=tiny-sdxl`, { headers: bearer(secret) }),
      undefined,
    );
    expect(res.status).toBe(200);
    expect(((await res.json()) as { items: { id: string }[] }).items.map((j) => j.id)).toEqual([
      sdxl.id,
    ]);
  });

  it('lists the base models, their families and X-Adapter (models.list)', async () => {
    const caller = createCaller({ user: null, headers: new Headers() });
    expect(await caller.models.list()).toEqual({
      baseModels: [
        { name: 'tiny-sd15', family: 'sd15', nativeSide: 512, isDefault: true },
        { name: 'tiny-sdxl', family: 'sdxl', nativeSide: 1024, isDefault: false },
      ],
      xAdapter: {
        available: true,
        name: 'default',
        sd15BaseModel: 'tiny-sd15',
        defaults: { t0: 0.2, sd15SideAt1024: 512 },
      },
    });
  });
});

describe('REST', () => {
  it('quotes and creates an X-Adapter generation with the new fields; refusals hold nothing', async () => {
    const { secret, userId } = await userWithKey(['jobs:read', 'jobs:write']);
    const img = await image(userId, 'b');
    const lora = await adapter(userId, 'ink', 'sd15', 'tiny-sd15');
    const post = (route: typeof quoteRoute, path: string, body: unknown) =>
      route(
        new Request(`${API_BASE}${path}`, {
          method: 'POST',
          headers: jsonHeaders(secret),
          body: JSON.stringify(body),
        }),
        undefined,
      );
    const request = xAdapterRequest(img.id, lora.id);
    const quoted = await post(quoteRoute, '/generations/quote', request);
    expect(quoted.status).toBe(200);
    const quote = (await quoted.json()) as { total: number; lines: { label: string }[] };
    expect(quote.lines.map((l) => l.label)).toContain('X-Adapter');
    const created = await post(createRoute, '/generations', request);
    expect(created.status).toBe(201);
    const job = await db().job.findFirstOrThrow({ where: { userId } });
    expect(job.price).toBe(quote.total);
    expect(workerOf(job).x_adapter).toMatchObject({ name: 'default', fusion: 1.2 });

    // Out-of-range knobs and unknown fields are refused before anything is held.
    const before = await balanceOf(userId);
    for (const bad of [
      { ...request, xAdapter: { t0: 1.5 } },
      { ...request, xAdapter: { sd15Width: 500 } },
      { ...request, xAdapter: { strength: 1 } },
      { ...request, controls: [{ imageId: img.id, type: 'canny', family: 'sd3' }] },
    ]) {
      for (const [route, path] of [
        [quoteRoute, '/generations/quote'],
        [createRoute, '/generations'],
      ] as const) {
        const res = await post(route, path, bad);
        expect(res.status).toBe(422);
        expect((await problemOf(res)).code).toBe('VALIDATION_FAILED');
      }
    }
    expect(await balanceOf(userId)).toEqual(before);
    expect(await db().job.count({ where: { userId } })).toBe(1);
  });
});

describe('leasing by family', () => {
  const SD15_ONLY = {
    kinds: ['generate'],
    base_models: ['tiny-sd15'],
    controlnets: ['sd15/canny'],
    t2i_adapters: ['sd15/canny'],
    ip_adapters: ['sd15/base'],
  };
  const BOTH = {
    ...SD15_ONLY,
    base_models: ['tiny-sd15', 'tiny-sdxl'],
    controlnets: ['sd15/canny', 'sdxl/canny'],
    x_adapters: ['default'],
  };

  it('an SD 1.5-only worker never leases an SDXL or X-Adapter job; a worker with both does', async () => {
    const { user, img, sd15Lora } = await setup();
    const sdxl = await createGenerateJob(user.id, {
      prompt: 'x',
      baseModel: 'tiny-sdxl',
      controls: [{ imageId: img.id, type: 'canny' }],
    });
    const routed = await createGenerateJob(user.id, xAdapterRequest(img.id, sd15Lora.id));
    expect(await leaseNextJob(leaseBody('sd15-only', 0, SD15_ONLY))).toBeNull();
    // Both bases but no X-Adapter: the SDXL job only.
    const noX = { ...BOTH, x_adapters: undefined };
    expect((await leaseNextJob(leaseBody('no-x', 0, noX)))?.id).toBe(sdxl.id);
    expect(await leaseNextJob(leaseBody('no-x', 0, noX))).toBeNull();
    // X-Adapter without the SD 1.5 base it pairs with: nothing.
    const noSd15 = { ...BOTH, base_models: ['tiny-sdxl'] };
    expect(await leaseNextJob(leaseBody('no-sd15', 0, noSd15))).toBeNull();
    expect((await leaseNextJob(leaseBody('both', 0, BOTH)))?.id).toBe(routed.id);
  });

  it('an SD 1.5 job still leases to an SD 1.5-only worker (old workers send no x_adapters)', async () => {
    const { user, img } = await setup();
    const job = await createGenerateJob(user.id, {
      prompt: 'x',
      controls: [{ imageId: img.id, type: 'canny' }],
    });
    expect((await leaseNextJob(leaseBody('sd15-only', 0, SD15_ONLY)))?.id).toBe(job.id);
  });
});
