// Personal adapters end to end: the production server over HTTP and the real Python worker with
// tiny models train an SVDiff adapter from library photos, use it in a generation, and edit a
// photo with CoSINE — every credit captured once.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { db } from '@/server/db';
import type { JobView } from '@/server/jobs/user-jobs';
import { createWorkerToken } from '@/server/workers/tokens';
import { photoPng } from '../helpers/hostile-files';
import {
  Client,
  startApp,
  startWorker,
  tinyModels,
  waitFor,
  type LiveApp,
  type LiveWorker,
} from '../helpers/live';

let app: LiveApp;
let worker: LiveWorker;
let client: Client;

beforeAll(async () => {
  tinyModels();
  app = await startApp();
  const token = await createWorkerToken('e2e', 'personal adapters');
  worker = startWorker(app.url, token.token, 'e2e-personal');
  client = new Client(app.url);
  await client.signUp(`personal-${Date.now()}@example.com`);
  await db().user.updateMany({
    where: { email: { startsWith: 'personal-' } },
    data: { creditBalance: 1000 },
  });
}, 180_000);

afterAll(async () => {
  await worker?.stop('SIGKILL');
  await app?.stop();
});

async function finished(id: string): Promise<JobView> {
  return waitFor(
    async () => {
      const { data } = await client.query<JobView>('jobs.get', { id });
      return ['SUCCEEDED', 'FAILED', 'CANCELED'].includes(data.status) ? data : null;
    },
    240_000,
    `job ${id}`,
  );
}

async function uploadPhoto(seed: number): Promise<string> {
  const res = await client.upload(await photoPng(128 + seed * 8, 128), `p${seed}.png`);
  expect(res.status).toBe(201);
  return ((await res.json()) as { id: string }).id;
}

describe('personal adapters with the real worker', () => {
  it('trains an SVDiff adapter, then generates with it', async () => {
    const imageIds = [await uploadPhoto(1), await uploadPhoto(2)];
    const created = await client.mutate<{ id: string; price: number }>('jobs.train', {
      name: 'Tiny subject',
      imageIds,
      instancePrompt: 'a photo of sks toy',
      steps: 10,
      resolution: 64,
    });
    expect(created.status).toBe(200);
    const job = await finished(created.data.id);
    expect(job.status, `${job.error?.message}\n${worker.output()}`).toBe('SUCCEEDED');
    expect(job.adapter?.name).toBe('Tiny subject');
    expect(job.adapter?.samples.length).toBeGreaterThan(0);
    const adapter = await db().adapter.findUniqueOrThrow({ where: { id: job.adapter!.id } });
    expect(adapter).toMatchObject({ kind: 'SPECTRAL_SHIFT', source: 'TRAINED' });
    expect(adapter.sizeBytes).toBeGreaterThan(0);
    expect(await db().creditLedgerEntry.count({ where: { jobId: job.id, kind: 'CAPTURE' } })).toBe(
      1,
    );

    const gen = await client.mutate<{ id: string }>('jobs.create', {
      prompt: 'sks toy on a beach',
      width: 256,
      height: 256,
      steps: 4,
      loras: [{ adapterId: adapter.id, weight: 0.8 }],
    });
    const generated = await finished(gen.data.id);
    expect(generated.status, worker.output()).toBe('SUCCEEDED');
    const row = await db().job.findUniqueOrThrow({ where: { id: generated.id } });
    const loras = (row.params as { result: { models: { loras: { kind?: string }[] } } }).result
      .models.loras;
    expect(loras).toHaveLength(1);
    expect(loras[0]!.kind).toBe('svdiff');
    // The generation's credits are captured once too, and nothing stays held: the balance is the
    // start less the two prices.
    expect(
      await db().creditLedgerEntry.count({ where: { jobId: generated.id, kind: 'CAPTURE' } }),
    ).toBe(1);
    expect(
      await db().creditLedgerEntry.count({ where: { jobId: generated.id, kind: 'RELEASE' } }),
    ).toBe(0);
    const trained = await db().job.findUniqueOrThrow({ where: { id: job.id } });
    const me = await client.query<{ credits: { available: number; held: number } }>('account.me');
    expect(me.data.credits).toEqual({ available: 1000 - trained.price - row.price, held: 0 });
  }, 400_000);

  it('edits a photo with CoSINE and keeps its adapter', async () => {
    const imageId = await uploadPhoto(3);
    const created = await client.mutate<{ id: string }>('jobs.edit', {
      imageId,
      sourcePrompt: 'a yellow circle on green',
      targetPrompt: 'a red circle on green',
      steps: 10,
      resolution: 64,
      strength: 0.3,
    });
    expect(created.status).toBe(200);
    const job = await finished(created.data.id);
    expect(job.status, `${job.error?.message}\n${worker.output()}`).toBe('SUCCEEDED');
    expect(job.outputs).toHaveLength(1);
    expect((await fetch(job.outputs[0]!.url)).status).toBe(200);
    const adapter = await db().adapter.findUniqueOrThrow({ where: { id: job.adapter!.id } });
    expect(adapter).toMatchObject({ kind: 'SPECTRAL_SHIFT', source: 'EDIT' });
    expect(await db().creditLedgerEntry.count({ where: { jobId: job.id, kind: 'CAPTURE' } })).toBe(
      1,
    );
  }, 400_000);
});
