// SDXL and X-Adapter end to end with nothing faked: the production server over HTTP (BASE_MODELS
// tiny-sd15,tiny-sdxl:sdxl and X_ADAPTER=default, as `npm run dev` runs), embedded PostgreSQL,
// the real Python worker with the tiny set (tiny SD 1.5, tiny SDXL, the tiny X-Adapter), local
// storage behind signed URLs. An SDXL job; an X-Adapter job (SDXL + an SD 1.5 canny ControlNet +
// an SD 1.5 LoRA imported as a file); plugins of the wrong family refused before payment.
import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { db } from '@/server/db';
import type { JobView } from '@/server/jobs/user-jobs';
import { createWorkerToken } from '@/server/workers/tokens';
import {
  Client,
  startApp,
  startWorker,
  tinyModels,
  tinySetMissing,
  waitFor,
  type LiveApp,
  type LiveWorker,
} from '../helpers/live';

let app: LiveApp;
let worker: LiveWorker;
let client: Client;
const START = 1000;

interface Quote {
  total: number;
  lines: { label: string; credits: number }[];
}
type Credits = { credits: { available: number; held: number } };

async function photo(): Promise<Buffer> {
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="320" height="256"><rect width="320" height="256" fill="#234"/><circle cx="160" cy="128" r="80" fill="#fd4"/></svg>`;
  return sharp(Buffer.from(svg)).png().toBuffer();
}

async function finished(id: string): Promise<JobView> {
  return waitFor(
    async () => {
      const { data } = await client.query<JobView>('jobs.get', { id });
      return ['SUCCEEDED', 'FAILED', 'CANCELED'].includes(data.status) ? data : null;
    },
    300_000,
    `job ${id} to finish`,
  );
}

/** Imports a LoRA file of the tiny set through the REST upload, as a person brings one. */
async function importLora(file: string, name: string): Promise<{ status: number; body: unknown }> {
  const form = new FormData();
  form.set('file', new Blob([new Uint8Array(fs.readFileSync(file))]), path.basename(file));
  form.set('name', name);
  const res = await fetch(`${app.url}/api/v1/adapters`, {
    method: 'POST',
    headers: { cookie: client.cookie, origin: app.url },
    body: form,
  });
  return { status: res.status, body: await res.json() };
}

/** The job's output, fetched through its signed URL: a PNG of the asked size. */
async function expectPng(job: JobView, width: number, height: number) {
  expect(job.outputs).toHaveLength(1);
  const img = await fetch(job.outputs[0]!.url);
  expect(img.status).toBe(200);
  const meta = await sharp(Buffer.from(await img.arrayBuffer())).metadata();
  expect([meta.format, meta.width, meta.height]).toEqual(['png', width, height]);
}

/** Held at the quote's total when accepted, captured once at that amount, nothing released. */
async function expectChargedOnce(jobId: string, quoted: number) {
  const entries = await db().creditLedgerEntry.findMany({ where: { jobId } });
  const hold = entries.filter((e) => e.kind === 'HOLD');
  const capture = entries.filter((e) => e.kind === 'CAPTURE');
  expect(hold.map((e) => -e.amount)).toEqual([quoted]);
  expect(capture.map((e) => -e.heldDelta)).toEqual([quoted]);
  expect(entries.filter((e) => e.kind === 'RELEASE')).toEqual([]);
}

beforeAll(async () => {
  expect(tinySetMissing(), "the worker's tiny factory must build tiny SDXL and X-Adapter").toEqual(
    [],
  );
  app = await startApp({ WORKER_LEASE_TTL_S: '30' });
  const token = await createWorkerToken('e2e', 'sdxl and x-adapter');
  worker = startWorker(app.url, token.token, 'e2e-sdxl');
  client = new Client(app.url);
  const email = `sdxl-${Date.now()}@example.com`;
  await client.signUp(email);
  await db().user.updateMany({ where: { email }, data: { creditBalance: START } });
}, 240_000);

afterAll(async () => {
  await worker?.stop('SIGKILL');
  await app?.stop();
});

describe('SDXL and X-Adapter with the real worker', () => {
  it('the model catalogue offers tiny SD 1.5 (default), tiny SDXL and X-Adapter', async () => {
    const { status, data } = await client.query<{
      baseModels: { name: string; family: string; isDefault: boolean }[];
      xAdapter: { available: boolean; sd15BaseModel: string | null };
    }>('models.list');
    expect(status).toBe(200);
    expect(data.baseModels.map((m) => [m.name, m.family, m.isDefault])).toEqual([
      ['tiny-sd15', 'sd15', true],
      ['tiny-sdxl', 'sdxl', false],
    ]);
    expect(data.xAdapter).toMatchObject({ available: true, sd15BaseModel: 'tiny-sd15' });
  });

  it('an SDXL job: leased by the worker, an image at the asked size, charged the quote once', async () => {
    const request = {
      prompt: 'a lighthouse on a cliff',
      baseModel: 'tiny-sdxl',
      width: 256,
      height: 256,
      steps: 4,
    };
    const quote = await client.query<Quote>('jobs.quote', request);
    expect(quote.status).toBe(200);
    expect(quote.data.lines.map((l) => l.label)).not.toContain('X-Adapter');
    const created = await client.mutate<{ id: string; price: number }>('jobs.create', request);
    expect(created.status, JSON.stringify(created.data)).toBe(200);
    expect(created.data.price).toBe(quote.data.total);

    const job = await finished(created.data.id);
    expect(job.status, `${job.error?.message}\n${worker.output()}`).toBe('SUCCEEDED');
    await expectPng(job, 256, 256);
    const row = await db().job.findUniqueOrThrow({ where: { id: job.id } });
    expect(row.baseModel).toBe('tiny-sdxl');
    const params = row.params as {
      worker: Record<string, unknown>;
      result: Record<string, unknown>;
    };
    expect(params.worker.base_model).toBe('tiny-sdxl');
    // Nothing routed: no X-Adapter in the params or in the worker's report.
    expect(params.worker.x_adapter).toBeUndefined();
    expect(params.result.x_adapter).toBeUndefined();
    await expectChargedOnce(job.id, quote.data.total);
  }, 400_000);

  it('an X-Adapter job: SDXL + an SD 1.5 canny ControlNet + an SD 1.5 LoRA file', async () => {
    const up = await client.upload(await photo(), 'photo.png');
    expect(up.status).toBe(201);
    const image = (await up.json()) as { id: string };
    // An SD 1.5 LoRA (kohya layout) from the tiny set, imported as a person brings one.
    const imported = await importLora(
      path.join(tinyModels(), 'loras', 'style-kohya.safetensors'),
      'SD 1.5 style',
    );
    expect(imported.status, JSON.stringify(imported.body)).toBe(201);
    const lora = imported.body as { id: string };
    const adapters = await client.query<{ id: string; family: string }[]>('adapters.list');
    expect(adapters.data.find((a) => a.id === lora.id)?.family).toBe('sd15');

    const request = {
      prompt: 'a sun over the sea',
      baseModel: 'tiny-sdxl',
      width: 256,
      height: 256,
      steps: 4,
      controls: [{ imageId: image.id, type: 'canny', preprocess: 'canny', family: 'sd15' }],
      loras: [{ adapterId: lora.id, weight: 0.8 }],
      xAdapter: { t0: 0.5, fusion: 1.2, sd15Prompt: 'a sun over the sea, style' },
    };
    const quote = await client.query<Quote>('jobs.quote', request);
    expect(quote.status, JSON.stringify(quote.data)).toBe(200);
    // X-Adapter runs both UNets: its own line on the quote.
    expect(quote.data.lines.map((l) => l.label)).toContain('X-Adapter');
    const created = await client.mutate<{ id: string; price: number }>('jobs.create', request);
    expect(created.status, JSON.stringify(created.data)).toBe(200);
    expect(created.data.price).toBe(quote.data.total);

    const job = await finished(created.data.id);
    expect(job.status, `${job.error?.message}\n${worker.output()}`).toBe('SUCCEEDED');
    await expectPng(job, 256, 256);
    const row = await db().job.findUniqueOrThrow({ where: { id: job.id } });
    const params = row.params as {
      request: Record<string, unknown>;
      worker: { x_adapter?: Record<string, unknown> };
      result: {
        x_adapter?: {
          name: string;
          t0: number;
          fusion: number;
          stage1_steps: number;
          stage2_steps: number;
          branches: { sd15: unknown[]; sdxl: unknown[] };
          timings: { stage1_s: number; stage2_s: number };
        };
      };
    };
    // Remix reads the request back: base model, the control's family and the knobs are kept.
    expect(params.request).toMatchObject({
      baseModel: 'tiny-sdxl',
      controls: [{ family: 'sd15' }],
      xAdapter: request.xAdapter,
    });
    expect(params.worker.x_adapter).toMatchObject({ name: 'default', t0: 0.5, fusion: 1.2 });
    // The worker's report names which branch ran which plugin, t0 and each stage's time.
    const x = params.result.x_adapter;
    expect(x, JSON.stringify(params.result)).toBeDefined();
    expect(x).toMatchObject({ name: 'default', t0: 0.5, fusion: 1.2 });
    expect(x!.stage1_steps + x!.stage2_steps).toBe(4);
    expect(x!.stage1_steps).toBeGreaterThan(0);
    const sd15 = JSON.stringify(x!.branches.sd15);
    expect(sd15).toMatch(/canny/);
    expect(sd15).toMatch(/lora/i);
    expect(JSON.stringify(x!.branches.sdxl)).not.toMatch(/canny|lora/i);
    expect(x!.timings.stage1_s).toBeGreaterThanOrEqual(0);
    expect(x!.timings.stage2_s).toBeGreaterThan(0);
    await expectChargedOnce(job.id, quote.data.total);
  }, 400_000);

  it('an SDXL plugin on SD 1.5 is refused before payment, naming its family; nothing is held', async () => {
    const up = await client.upload(await photo(), 'photo2.png');
    const image = (await up.json()) as { id: string };
    const before = await client.query<Credits>('account.me');
    const jobsBefore = await db().job.count();
    const request = {
      prompt: 'refused',
      baseModel: 'tiny-sd15',
      width: 256,
      height: 256,
      steps: 4,
      controls: [{ imageId: image.id, type: 'canny', family: 'sdxl' }],
    };
    const quote = await client.query<{ message: string }>('jobs.quote', request);
    expect(quote.status).toBe(400);
    expect(quote.data.message).toMatch(/SDXL/);
    const created = await client.mutate<{ message: string }>('jobs.create', request);
    expect(created.status).toBe(400);
    expect(created.data.message).toMatch(/SDXL/);
    expect(created.data.message).toMatch(/tiny-sd15/);
    expect(await db().job.count()).toBe(jobsBefore);
    expect((await client.query<Credits>('account.me')).data.credits).toEqual(before.data.credits);
  });

  it('an SDXL LoRA file: recorded as SDXL, quoted on SDXL, refused on SD 1.5 before payment', async () => {
    const imported = await importLora(
      path.join(tinyModels(), 'sdxl', 'loras', 'style-kohya.safetensors'),
      'SDXL style',
    );
    expect(imported.status, JSON.stringify(imported.body)).toBe(201);
    const lora = imported.body as { id: string };
    const adapters = await client.query<{ id: string; family: string }[]>('adapters.list');
    expect(adapters.data.find((a) => a.id === lora.id)?.family).toBe('sdxl');
    const request = {
      prompt: 'a style',
      width: 256,
      height: 256,
      steps: 4,
      loras: [{ adapterId: lora.id, weight: 0.8 }],
    };
    const onSdxl = await client.query<Quote>('jobs.quote', { ...request, baseModel: 'tiny-sdxl' });
    expect(onSdxl.status, JSON.stringify(onSdxl.data)).toBe(200);
    expect(onSdxl.data.lines.map((l) => l.label)).not.toContain('X-Adapter');

    const before = await client.query<Credits>('account.me');
    const jobsBefore = await db().job.count();
    const created = await client.mutate<{ message: string }>('jobs.create', {
      ...request,
      baseModel: 'tiny-sd15',
    });
    expect(created.status).toBe(400);
    expect(created.data.message).toMatch(/SDXL style/);
    expect(created.data.message).toMatch(/SDXL/);
    expect(await db().job.count()).toBe(jobsBefore);
    expect((await client.query<Credits>('account.me')).data.credits).toEqual(before.data.credits);
  });
});
