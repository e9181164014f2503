// One generation end to end with nothing faked: the production server over HTTP, embedded
// PostgreSQL, the real Python worker with tiny models, local storage behind signed URLs.
import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { db } from '@/server/db';
import type { JobView } from '@/server/jobs/user-jobs';
import { createWorkerToken, revokeWorkerToken } from '@/server/workers/tokens';
import {
  Client,
  ROOT,
  startApp,
  startWorker,
  tinyModels,
  waitFor,
  type LiveApp,
  type LiveWorker,
} from '../helpers/live';

let app: LiveApp;
let token: { id: string; token: string };
const workers: LiveWorker[] = [];

async function photo(): Promise<Buffer> {
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="320" height="256"><rect width="320" height="256" fill="#234"/><circle cx="160" cy="128" r="80" fill="#fd4"/></svg>`;
  return sharp(Buffer.from(svg)).jpeg().toBuffer();
}

beforeAll(async () => {
  tinyModels();
  app = await startApp({
    WORKER_LEASE_TTL_S: '15',
    // The tiny set's own encoder, exported by the worker's tooling: uploads get embeddings.
    IP_ADAPTER_ENCODER_ONNX: path.join(ROOT, 'test', 'fixtures', 'onnx', 'clip-tiny.onnx'),
  });
  token = await createWorkerToken('e2e', 'e2e workers');
}, 180_000);

afterAll(async () => {
  await Promise.all(workers.map((w) => w.stop('SIGKILL')));
  await app?.stop();
});

async function finished(client: Client, id: string, timeoutMs = 120_000) {
  return waitFor(
    async () => {
      const { data } = await client.query<JobView>('jobs.get', { id });
      return ['SUCCEEDED', 'FAILED', 'CANCELED'].includes(data.status) ? data : null;
    },
    timeoutMs,
    `job ${id} to finish`,
  );
}

describe('one generation, end to end', () => {
  it('submit → leased → progress → complete → image fetched → credits captured once', async () => {
    const worker = startWorker(app.url, token.token, 'e2e-a');
    workers.push(worker);
    const client = new Client(app.url);
    await client.signUp(`e2e-${Date.now()}@example.com`);

    const up = await client.upload(await photo(), 'photo.jpg');
    expect(up.status).toBe(201);
    const image = (await up.json()) as { id: string };

    // A LoRA the user brings (a kohya file from the worker's tiny factory).
    const loraForm = new FormData();
    loraForm.set(
      'file',
      new Blob([
        new Uint8Array(
          fs.readFileSync(path.join(tinyModels(), 'loras', 'style-kohya.safetensors')),
        ),
      ]),
      'style.safetensors',
    );
    loraForm.set('name', 'Style');
    const loraRes = await fetch(`${app.url}/api/v1/adapters`, {
      method: 'POST',
      headers: { cookie: client.cookie, origin: app.url },
      body: loraForm,
    });
    expect(loraRes.status).toBe(201);
    const lora = (await loraRes.json()) as { id: string };

    const request = {
      loras: [{ adapterId: lora.id, weight: 0.8 }],
      prompt: 'a sun over the sea',
      width: 256,
      height: 256,
      steps: 20,
      references: [{ referenceId: image.id, weight: 0.7 }],
      controls: [{ imageId: image.id, type: 'canny', preprocess: 'canny' }],
    };
    const quote = await client.query<{ total: number }>('jobs.quote', request);
    const created = await client.mutate<{ id: string; price: number }>('jobs.create', request);
    expect(created.status).toBe(200);
    expect(created.data.price).toBe(quote.data.total);
    const me1 = await client.query<{ credits: { available: number; held: number } }>('account.me');
    expect(me1.data.credits).toEqual({
      available: 50 - created.data.price,
      held: created.data.price,
    });

    // Live progress: poll as the browser does until the running job shows a step and a preview
    // (the job ending first fails the test: progress is required, not optional).
    const live = await waitFor(
      async () => {
        const { data } = await client.query<JobView>('jobs.get', { id: created.data.id });
        if (['SUCCEEDED', 'FAILED', 'CANCELED'].includes(data.status)) return { ended: data };
        return data.status === 'RUNNING' && data.progress.step > 0 && data.previewUrl
          ? { running: data }
          : null;
      },
      150_000,
      'live progress',
    );
    expect(live.ended?.status, 'the job ended before any progress was seen').toBeUndefined();
    expect(live.running!.progress.step).toBeGreaterThan(0);
    expect(live.running!.progress.total).toBe(request.steps);
    expect((await fetch(live.running!.previewUrl!)).status).toBe(200);
    const job = await finished(client, created.data.id, 150_000);
    expect(job.status, worker.output()).toBe('SUCCEEDED');
    const row = await db().job.findUniqueOrThrow({ where: { id: job.id } });
    expect(row.previewKey).not.toBeNull();

    // The reference went as the embedding computed at upload, the control as the web tier's
    // canny map; the worker never loaded its image encoder.
    const stored = await db().referenceImage.findUniqueOrThrow({ where: { id: image.id } });
    expect(stored.embedding).not.toBeNull();
    const params = row.params as {
      worker: {
        references: { image_embeds?: string; image?: string }[];
        controls: { preprocess: string }[];
      };
      inputs: Record<string, { key: string }>;
      result: { models: { ip_adapter: { image_encoder: string | null }; loras: unknown[] } };
    };
    expect(params.worker.references[0]).toMatchObject({ image_embeds: 'ref-0' });
    expect(params.worker.references[0]!.image).toBeUndefined();
    expect(params.inputs['ref-0']!.key).toMatch(/embeds-vit-h-base\.safetensors$/);
    expect(params.inputs['control-0']!.key).toMatch(/map-canny-100-200\.png$/);
    expect(params.worker.controls[0]!.preprocess).toBe('none');
    expect(params.result.models.ip_adapter.image_encoder).toBeNull();
    expect(params.result.models.loras).toHaveLength(1);
    expect(worker.output()).not.toContain('encoder:vit-h');

    expect(job.outputs).toHaveLength(1);
    const img = await fetch(job.outputs[0]!.url);
    expect(img.status).toBe(200);
    expect(img.headers.get('content-type')).toBe('image/png');
    const meta = await sharp(Buffer.from(await img.arrayBuffer())).metadata();
    expect([meta.format, meta.width, meta.height]).toEqual(['png', 256, 256]);
    // The signed URL is bound to its key: a tampered one is refused.
    expect((await fetch(job.outputs[0]!.url.replace('output-0', 'output-1'))).status).toBe(403);

    const me2 = await client.query<{ credits: { available: number; held: number } }>('account.me');
    expect(me2.data.credits).toEqual({ available: 50 - created.data.price, held: 0 });
    expect(await db().creditLedgerEntry.count({ where: { jobId: job.id, kind: 'CAPTURE' } })).toBe(
      1,
    );
    expect(await db().creditLedgerEntry.count({ where: { jobId: job.id, kind: 'RELEASE' } })).toBe(
      0,
    );

    // A repeated complete over HTTP is harmless.
    const again = await fetch(`${app.url}/api/worker/v1/jobs/${job.id}/complete`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        lease_id: row.leaseId,
        outputs: [
          {
            key: (await db().jobOutput.findFirstOrThrow({ where: { jobId: job.id } })).storageKey,
            width: 256,
            height: 256,
            bytes: 1,
            sha256: 'a'.repeat(64),
            seed: 1,
          },
        ],
        metadata: {},
      }),
    });
    expect(again.status).toBe(200);
    expect(await again.json()).toEqual({ status: 'succeeded' });
    expect(await db().jobOutput.count({ where: { jobId: job.id } })).toBe(1);
    await worker.stop();
    workers.splice(workers.indexOf(worker), 1);
  }, 240_000);

  it('a worker killed mid-job: the lease expires, another worker finishes, charged once', async () => {
    const client = new Client(app.url);
    await client.signUp(`crash-${Date.now()}@example.com`);
    const created = await client.mutate<{ id: string; price: number }>('jobs.create', {
      prompt: 'a long one',
      width: 512,
      height: 512,
      steps: 80,
    });
    expect(created.status).toBe(200);
    const a = startWorker(app.url, token.token, 'e2e-crash-a');
    workers.push(a);
    await waitFor(
      async () => {
        const j = await db().job.findUniqueOrThrow({ where: { id: created.data.id } });
        return j.status === 'RUNNING' && j.progressStep > 0;
      },
      120_000,
      'worker A to make progress',
    );
    await a.stop('SIGKILL');

    const b = startWorker(app.url, token.token, 'e2e-crash-b');
    workers.push(b);
    const job = await finished(client, created.data.id, 300_000);
    expect(job.status, b.output()).toBe('SUCCEEDED');
    const row = await db().job.findUniqueOrThrow({
      where: { id: job.id },
      include: { outputs: true },
    });
    // At least A's attempt and B's; on a loaded CPU B may also outlive one lease while loading.
    expect(row.attempts).toBeGreaterThanOrEqual(2);
    expect(row.leaseOwner).toBe('e2e-crash-b');
    expect(row.outputs).toHaveLength(1);
    expect(await db().creditLedgerEntry.count({ where: { jobId: job.id, kind: 'CAPTURE' } })).toBe(
      1,
    );
    const me = await client.query<{ credits: { available: number; held: number } }>('account.me');
    expect(me.data.credits).toEqual({ available: 50 - created.data.price, held: 0 });
    await b.stop();
  }, 420_000);
});

describe('authorization over HTTP', () => {
  it("another user's job is not found", async () => {
    const owner = new Client(app.url);
    await owner.signUp(`owner-${Date.now()}@example.com`);
    const created = await owner.mutate<{ id: string }>('jobs.create', { prompt: 'mine' });
    const other = new Client(app.url);
    await other.signUp(`other-${Date.now()}@example.com`);
    const res = await other.query<{ data: { code: string } }>('jobs.get', { id: created.data.id });
    expect(res.status).toBe(404);
    const cancel = await other.mutate<{ data: { code: string } }>('jobs.cancel', {
      id: created.data.id,
    });
    expect(cancel.status).toBe(404);
    await owner.mutate('jobs.cancel', { id: created.data.id });
  });

  it('a worker token cannot call user routes; a session cannot call worker routes', async () => {
    const asWorker = new Client(app.url);
    const me = await asWorker.query('account.me', undefined, {
      authorization: `Bearer ${token.token}`,
    });
    expect(me.status).toBe(401);

    const user = new Client(app.url);
    await user.signUp(`nosy-${Date.now()}@example.com`);
    const lease = await fetch(`${app.url}/api/worker/v1/lease`, {
      method: 'POST',
      headers: { cookie: user.cookie, 'content-type': 'application/json' },
      body: '{}',
    });
    expect(lease.status).toBe(401);
  });

  it('a wrong or revoked worker token gets 401 and nothing else', async () => {
    const t = await createWorkerToken('e2e', 'to revoke');
    const body = JSON.stringify({
      worker_id: 'x',
      worker_version: '1',
      protocol_version: 1,
      capabilities: {
        kinds: ['generate'],
        base_models: ['tiny-sd15'],
        controlnets: [],
        t2i_adapters: [],
        ip_adapters: [],
      },
      device: { type: 'cpu', name: 'x' },
      wait_s: 0,
    });
    const call = (auth: string) =>
      fetch(`${app.url}/api/worker/v1/lease`, {
        method: 'POST',
        headers: { authorization: auth, 'content-type': 'application/json' },
        body,
      });
    expect([200, 204]).toContain((await call(`Bearer ${t.token}`)).status);
    await revokeWorkerToken(t.id);
    const revoked = await call(`Bearer ${t.token}`);
    expect(revoked.status).toBe(401);
    expect(await revoked.json()).toMatchObject({ code: 'UNAUTHENTICATED' });
    expect((await call('Bearer aswk_not-a-real-token-at-all-000000')).status).toBe(401);
    expect((await call('')).status).toBe(401);
  });
});
