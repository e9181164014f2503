// REST /api/v1 beyond generations: edits, trainings, references, adapters, usage; the same key on
// tRPC; Idempotency-Key; Prefer: wait; rate-limit headers and 429. Black box through the route
// handlers with real Requests and a real database.
import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { GET as account } from '@/app/api/v1/account/route';
import {
  DELETE as deleteAdapterRoute,
  PATCH as patchAdapter,
} from '@/app/api/v1/adapters/[id]/route';
import { GET as listAdapters, POST as importAdapter } from '@/app/api/v1/adapters/route';
import { POST as edits } from '@/app/api/v1/edits/route';
import { POST as generations } from '@/app/api/v1/generations/route';
import { GET as getJob } from '@/app/api/v1/jobs/[id]/route';
import { DELETE as deleteReference } from '@/app/api/v1/references/[id]/route';
import { GET as listReferences, POST as uploadReference } from '@/app/api/v1/references/route';
import { POST as trainings } from '@/app/api/v1/trainings/route';
import { GET as usage } from '@/app/api/v1/usage/route';
import { POST as stripeWebhook } from '@/app/api/stripe/webhook/route';
import { GET as trpcGet, POST as trpcPost } from '@/app/api/trpc/[trpc]/route';
import { type ApiScope } from '@/server/api-keys/keys';
import { db } from '@/server/db';
import { resetEnv } from '@/server/env';
import { photoPng } from '../helpers/hostile-files';
import { tinyModels } from '../helpers/live';
import {
  API_BASE,
  bearer,
  jsonHeaders,
  problemOf,
  routeParams,
  userWithKey,
} from '../helpers/rest';
import { event, objects, payload, stripeEnv } from '../helpers/stripe-events';
import { balanceOf, leaseBody, makeUser } from '../helpers/users';
import { failJob, leaseNextJob } from '../helpers/workers';

const BASE = API_BASE;
const EVERYTHING: ApiScope[] = [
  'jobs:read',
  'jobs:write',
  'references:read',
  'references:write',
  'adapters:read',
  'adapters:write',
  'account:read',
];

const keyFor = (scopes: ApiScope[] = EVERYTHING, opts: { credits?: number; plan?: string } = {}) =>
  userWithKey(scopes, opts);
const none = undefined as never;

function post(path: string, secret: string, body: unknown, extra: Record<string, string> = {}) {
  return new Request(`${BASE}${path}`, {
    method: 'POST',
    headers: jsonHeaders(secret, extra),
    body: JSON.stringify(body),
  });
}

function form(file: Buffer, name: string, fields: Record<string, string> = {}) {
  const f = new FormData();
  f.set('file', new Blob([new Uint8Array(file)]), name);
  for (const [k, v] of Object.entries(fields)) f.set(k, v);
  return f;
}

async function uploadPhoto(secret: string, w = 320, h = 240) {
  const res = await uploadReference(
    new Request(`${BASE}/references`, {
      method: 'POST',
      headers: bearer(secret),
      body: form(await photoPng(w, h), 'p.png'),
    }),
    none,
  );
  expect(res.status).toBe(201);
  return ((await res.json()) as { id: string }).id;
}

/** Leases take the oldest queued job: park what earlier tests left so the next lease is ours. */
async function parkQueuedJobs() {
  await db().job.updateMany({ where: { status: 'QUEUED' }, data: { status: 'CANCELED' } });
}

const code = async (res: Response) => (await problemOf(res)).code;

let kohya: Buffer;
beforeAll(() => {
  kohya = fs.readFileSync(path.join(tinyModels(), 'loras', 'style-kohya.safetensors'));
}, 180_000);

describe('references over REST', () => {
  it('uploads (multipart, same checks as the app), lists, and deletes; scopes and owners hold', async () => {
    const a = await keyFor();
    const id = await uploadPhoto(a.secret);
    const list = await listReferences(
      new Request(`${BASE}/references`, { headers: bearer(a.secret) }),
      none,
    );
    expect(((await list.json()) as { items: { id: string }[] }).items.map((r) => r.id)).toEqual([
      id,
    ]);

    const hostile = await uploadReference(
      new Request(`${BASE}/references`, {
        method: 'POST',
        headers: bearer(a.secret),
        body: form(Buffer.from('<?php echo 1; ?>'), 'x.png'),
      }),
      none,
    );
    expect(await code(hostile)).toBe('UNSUPPORTED_MEDIA_TYPE');

    const b = await keyFor();
    expect(
      (
        await deleteReference(
          new Request(`${BASE}/references/${id}`, { method: 'DELETE', headers: bearer(b.secret) }),
          routeParams(id),
        )
      ).status,
    ).toBe(404);
    const readOnly = await keyFor(['references:read']);
    expect(
      await code(
        await uploadReference(
          new Request(`${BASE}/references`, {
            method: 'POST',
            headers: bearer(readOnly.secret),
            body: form(await photoPng(), 'p.png'),
          }),
          none,
        ),
      ),
    ).toBe('FORBIDDEN');
    expect(
      (
        await deleteReference(
          new Request(`${BASE}/references/${id}`, { method: 'DELETE', headers: bearer(a.secret) }),
          routeParams(id),
        )
      ).status,
    ).toBe(204);
    expect(await db().referenceImage.count({ where: { userId: a.userId } })).toBe(0);
  });
});

describe('adapters over REST', () => {
  it('imports a kohya LoRA, lists, renames and deletes it; pickles and unknown fields are refused', async () => {
    const a = await keyFor();
    const res = await importAdapter(
      new Request(`${BASE}/adapters`, {
        method: 'POST',
        headers: bearer(a.secret),
        body: form(kohya, 's.safetensors', { name: 'Ink' }),
      }),
      none,
    );
    expect(res.status).toBe(201);
    const { id } = (await res.json()) as { id: string };
    const pickle = await importAdapter(
      new Request(`${BASE}/adapters`, {
        method: 'POST',
        headers: bearer(a.secret),
        body: form(Buffer.concat([Buffer.from([0x80, 0x04, 0x95]), Buffer.alloc(64)]), 'x.ckpt', {
          name: 'bad',
        }),
      }),
      none,
    );
    expect(pickle.status).toBeGreaterThanOrEqual(400);
    expect(pickle.status).toBeLessThan(500);
    const extra = await importAdapter(
      new Request(`${BASE}/adapters`, {
        method: 'POST',
        headers: bearer(a.secret),
        body: form(kohya, 's.safetensors', { name: 'x', trigger: 'y' }),
      }),
      none,
    );
    expect(await code(extra)).toBe('VALIDATION_FAILED');

    const listed = await listAdapters(
      new Request(`${BASE}/adapters`, { headers: bearer(a.secret) }),
      none,
    );
    expect(((await listed.json()) as { items: { id: string; kind: string }[] }).items).toEqual([
      expect.objectContaining({ id, kind: 'LORA' }),
    ]);
    const rename = (secret: string, body: unknown) =>
      patchAdapter(
        new Request(`${BASE}/adapters/${id}`, {
          method: 'PATCH',
          headers: jsonHeaders(secret),
          body: JSON.stringify(body),
        }),
        routeParams(id),
      );
    expect(await (await rename(a.secret, { name: 'Ink wash' })).json()).toEqual({
      id,
      name: 'Ink wash',
    });
    expect(await code(await rename(a.secret, { name: 'x', colour: 1 }))).toBe('VALIDATION_FAILED');
    expect(await code(await rename(a.secret, { name: 7 }))).toBe('VALIDATION_FAILED');
    const b = await keyFor();
    expect((await rename(b.secret, { name: 'mine' })).status).toBe(404);
    const reader = await keyFor(['adapters:read']);
    expect(await code(await rename(reader.secret, { name: 'mine' }))).toBe('FORBIDDEN');
    expect(
      (
        await deleteAdapterRoute(
          new Request(`${BASE}/adapters/${id}`, { method: 'DELETE', headers: bearer(b.secret) }),
          routeParams(id),
        )
      ).status,
    ).toBe(404);
    expect(
      (
        await deleteAdapterRoute(
          new Request(`${BASE}/adapters/${id}`, { method: 'DELETE', headers: bearer(a.secret) }),
          routeParams(id),
        )
      ).status,
    ).toBe(204);
  });
});

describe('edit and training jobs over REST', () => {
  it("creates both with the key recorded, refuses unknown fields and other users' photos", async () => {
    const a = await keyFor(EVERYTHING, { credits: 500 });
    const photo = await uploadPhoto(a.secret, 320, 320);
    const edit = await edits(
      post('/edits', a.secret, {
        imageId: photo,
        sourcePrompt: 'a cat',
        targetPrompt: 'a dog',
        resolution: 128,
        steps: 10,
      }),
      none,
    );
    expect(edit.status).toBe(201);
    const e = (await edit.json()) as { id: string; kind: string; status: string };
    expect(e).toMatchObject({ kind: 'EDIT', status: 'QUEUED' });
    const train = await trainings(
      post('/trainings', a.secret, {
        name: 'Me',
        imageIds: [photo],
        instancePrompt: 'a photo of sks person',
        resolution: 128,
        steps: 10,
      }),
      none,
    );
    expect(train.status).toBe(201);
    const t = (await train.json()) as { id: string; kind: string };
    expect(t.kind).toBe('TRAIN');
    for (const id of [e.id, t.id]) {
      expect((await db().job.findUniqueOrThrow({ where: { id } })).apiKeyId).toBe(a.keyId);
    }
    expect(
      await code(
        await edits(
          post('/edits', a.secret, {
            imageId: photo,
            sourcePrompt: 'a',
            targetPrompt: 'b',
            magic: 1,
          }),
          none,
        ),
      ),
    ).toBe('VALIDATION_FAILED');
    expect(
      await code(
        await trainings(
          post('/trainings', a.secret, { name: 'x', imageIds: 'all', instancePrompt: 'p' }),
          none,
        ),
      ),
    ).toBe('VALIDATION_FAILED');
    const b = await keyFor(EVERYTHING, { credits: 500 });
    const other = await edits(
      post('/edits', b.secret, {
        imageId: photo,
        sourcePrompt: 'a cat',
        targetPrompt: 'a dog',
        resolution: 128,
      }),
      none,
    );
    expect(other.status).toBe(404);
    expect(await db().job.count({ where: { userId: b.userId } })).toBe(0);
  });
});

describe('one auth middleware', () => {
  it('lets a key call tRPC within its scopes, never key management or billing, and never Stripe', async () => {
    const a = await keyFor(['jobs:read']);
    const input = encodeURIComponent(JSON.stringify({ json: {} }));
    const get = (proc: string, secret: string) =>
      trpcGet(
        new Request(`http://localhost:3000/api/trpc/${proc}?input=${input}`, {
          headers: bearer(secret),
        }),
      );
    expect((await get('jobs.list', a.secret)).status).toBe(200);
    expect((await get('apiKeys.list', a.secret)).status).toBe(403);
    expect((await get('references.list', a.secret)).status).toBe(403);
    const create = await trpcPost(
      new Request('http://localhost:3000/api/trpc/jobs.create', {
        method: 'POST',
        headers: jsonHeaders(a.secret),
        body: JSON.stringify({ json: { prompt: 'x' } }),
      }),
    );
    expect(create.status).toBe(403);
    expect(await db().job.count({ where: { userId: a.userId } })).toBe(0);
    const checkout = await trpcPost(
      new Request('http://localhost:3000/api/trpc/billing.checkout', {
        method: 'POST',
        headers: jsonHeaders(a.secret),
        body: JSON.stringify({ json: { item: 'pack-100' } }),
      }),
    );
    expect(checkout.status).toBe(403);
    // Stripe configured, so only the signature stands between a well-formed purchase event sent
    // with the key and the ledger: the key is no signature, and nothing is recorded or granted.
    const saved = { ...process.env };
    stripeEnv();
    resetEnv();
    delete (globalThis as Record<string, unknown>).__stripe;
    try {
      const cus = `cus_key_${a.userId.slice(0, 8)}`;
      await db().stripeCustomer.create({ data: { userId: a.userId, stripeCustomerId: cus } });
      const before = await balanceOf(a.userId);
      const stripe = await stripeWebhook(
        new Request('http://localhost:3000/api/stripe/webhook', {
          method: 'POST',
          headers: jsonHeaders(a.secret),
          body: payload(
            event(
              'checkout.session.completed',
              objects.packCheckout(cus, `pi_${cus}`, 'pack-500', 3900),
            ),
          ),
        }),
      );
      expect(stripe.status).toBe(400);
      expect(await problemOf(stripe)).toMatchObject({
        code: 'BAD_REQUEST',
        detail: 'Invalid Stripe signature.',
      });
      expect(await db().stripeEvent.count()).toBe(0);
      expect(await balanceOf(a.userId)).toEqual(before);
    } finally {
      for (const k of Object.keys(process.env)) if (!(k in saved)) delete process.env[k];
      Object.assign(process.env, saved);
      resetEnv();
      delete (globalThis as Record<string, unknown>).__stripe;
    }
  });
});

describe('Idempotency-Key', () => {
  it('replays the stored response, refuses another body, and expires after 24 h', async () => {
    const a = await keyFor();
    const first = await generations(
      post('/generations', a.secret, { prompt: 'a kite' }, { 'idempotency-key': 'k-1' }),
      none,
    );
    expect(first.status).toBe(201);
    const body = await first.text();
    const again = await generations(
      post('/generations', a.secret, { prompt: 'a kite' }, { 'idempotency-key': 'k-1' }),
      none,
    );
    expect(again.status).toBe(201);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(await again.text()).toBe(body);
    expect(await db().job.count({ where: { userId: a.userId } })).toBe(1);

    const other = await generations(
      post('/generations', a.secret, { prompt: 'a boat' }, { 'idempotency-key': 'k-1' }),
      none,
    );
    expect(other.status).toBe(422);
    expect(await db().job.count({ where: { userId: a.userId } })).toBe(1);

    // Another user's identical key is theirs alone.
    const b = await keyFor();
    expect(
      (
        await generations(
          post('/generations', b.secret, { prompt: 'a kite' }, { 'idempotency-key': 'k-1' }),
          none,
        )
      ).headers.get('idempotent-replayed'),
    ).toBeNull();

    await db().idempotencyRecord.updateMany({
      where: { userId: a.userId },
      data: { expiresAt: new Date(Date.now() - 1000) },
    });
    const later = await generations(
      post('/generations', a.secret, { prompt: 'a kite' }, { 'idempotency-key': 'k-1' }),
      none,
    );
    expect(later.status).toBe(201);
    expect(later.headers.get('idempotent-replayed')).toBeNull();
    expect(await db().job.count({ where: { userId: a.userId } })).toBe(2);

    const bad = await generations(
      post('/generations', a.secret, { prompt: 'x' }, { 'idempotency-key': 'bad key with spaces' }),
      none,
    );
    expect(bad.status).toBe(422);
  });

  it('20 concurrent requests with one key create one job and hold credits once', async () => {
    const a = await keyFor(EVERYTHING, { plan: 'pro' });
    const before = await balanceOf(a.userId);
    const responses = await Promise.all(
      Array.from({ length: 20 }, () =>
        generations(
          post('/generations', a.secret, { prompt: 'one kite' }, { 'idempotency-key': 'same' }),
          none,
        ),
      ),
    );
    const bodies = await Promise.all(responses.map((r) => r.json() as Promise<{ id: string }>));
    expect(responses.map((r) => r.status)).toEqual(Array(20).fill(201));
    expect(new Set(bodies.map((b) => b.id)).size).toBe(1);
    expect(await db().job.count({ where: { userId: a.userId } })).toBe(1);
    expect(await db().creditLedgerEntry.count({ where: { userId: a.userId, kind: 'HOLD' } })).toBe(
      1,
    );
    const after = await balanceOf(a.userId);
    expect(before.available - after.available).toBe(after.held);
  });

  it('stores only successes: after a refusal the same key works once the cause is fixed', async () => {
    const poor = await keyFor(EVERYTHING, { credits: 0 });
    const r1 = await generations(
      post('/generations', poor.secret, { prompt: 'x' }, { 'idempotency-key': 'p' }),
      none,
    );
    expect(r1.status).toBe(402);
    const r2 = await generations(
      post('/generations', poor.secret, { prompt: 'x' }, { 'idempotency-key': 'p' }),
      none,
    );
    expect(r2.status).toBe(402);
    expect(r2.headers.get('idempotent-replayed')).toBeNull();
    await db().user.update({ where: { id: poor.userId }, data: { creditBalance: 50 } });
    const r3 = await generations(
      post('/generations', poor.secret, { prompt: 'x' }, { 'idempotency-key': 'p' }),
      none,
    );
    expect(r3.status).toBe(201);
    expect(await db().job.count({ where: { userId: poor.userId } })).toBe(1);
  });
});

describe('Prefer: wait', () => {
  it('answers with the finished job when it finishes in time, and 202 when it does not', async () => {
    await parkQueuedJobs();
    const a = await keyFor();
    const quick = await generations(
      post('/generations', a.secret, { prompt: 'slow', steps: 2 }, { prefer: 'wait=1' }),
      none,
    );
    expect(quick.status).toBe(202);
    expect(quick.headers.get('preference-applied')).toBe('wait=1');
    const { id } = (await quick.json()) as { id: string; status: string };

    // A worker takes the job and it fails for good while a client waits on it.
    const waiting = getJob(
      new Request(`${BASE}/jobs/${id}`, { headers: bearer(a.secret, { prefer: 'wait=20' }) }),
      routeParams(id),
    );
    const lease = await leaseNextJob(leaseBody());
    expect(lease?.id).toBe(id);
    await failJob(id, {
      lease_id: lease!.lease_id,
      error: { code: 'internal', message: 'boom', retryable: false },
    });
    const res = await waiting;
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ id, status: 'FAILED' });

    const capped = await getJob(
      new Request(`${BASE}/jobs/${id}`, { headers: bearer(a.secret, { prefer: 'wait=600' }) }),
      routeParams(id),
    );
    expect(capped.headers.get('preference-applied')).toBe('wait=60');
  });
});

describe('rate limits', () => {
  it('sends RateLimit headers on every answer and 429 with Retry-After past the plan limit', async () => {
    const a = await keyFor(['account:read']);
    const b = await keyFor(['account:read']);
    const pro = await makeUser({ plan: 'pro' });
    const call = (headers: Record<string, string>) =>
      account(new Request(`${BASE}/account`, { headers }), none);
    // The window is the wall-clock minute: hold the app's clock one second into the current
    // minute, so all 61 requests count in one window however slowly this machine sends them.
    const minute = Math.floor(Date.now() / 60_000) * 60_000;
    vi.useFakeTimers({ toFake: ['Date'], now: minute + 1_000 });
    try {
      let last: Response | null = null;
      for (let i = 0; i < 60; i++) {
        last = await call(bearer(a.secret));
        expect(last.status).toBe(200);
      }
      expect(last!.headers.get('ratelimit-limit')).toBe('60');
      expect(last!.headers.get('ratelimit-remaining')).toBe('0');
      const over = await call(bearer(a.secret));
      expect(over.status).toBe(429);
      expect(Number(over.headers.get('retry-after'))).toBe(59); // the rest of the held minute
      expect(await code(over)).toBe('RATE_LIMITED');
      // A signed-in browser calling REST (the app's own Generate does) gets its plan's limit.
      const browser = await call({ cookie: pro.cookie });
      expect(browser.status).toBe(200);
      expect(browser.headers.get('ratelimit-limit')).toBe('600');
      // Another key of the same plan has its own window.
      expect((await call(bearer(b.secret))).status).toBe(200);
    } finally {
      vi.useRealTimers();
    }
  });
});

describe('usage', () => {
  it('reports requests and credits spent per key and day, in the API and the account', async () => {
    await parkQueuedJobs();
    const a = await keyFor();
    const res = await generations(post('/generations', a.secret, { prompt: 'counted' }), none);
    const { id, price } = (await res.json()) as { id: string; price: number };
    // Settled as captured: that is what "spent" means.
    const lease = await leaseNextJob(leaseBody());
    expect(lease?.id).toBe(id);
    await db().$transaction(async (tx) => {
      const { settleJob } = await import('@/server/credits/ledger');
      await settleJob(tx, a.userId, id, price, 'capture', 'test');
    });
    const u = await usage(new Request(`${BASE}/usage?days=7`, { headers: bearer(a.secret) }), none);
    const rows = (
      (await u.json()) as { items: { apiKeyId: string; requests: number; creditsSpent: number }[] }
    ).items;
    expect(rows).toEqual([
      expect.objectContaining({ apiKeyId: a.keyId, requests: 2, creditsSpent: price }),
    ]);
    const acct = await account(new Request(`${BASE}/account`, { headers: bearer(a.secret) }), none);
    expect(await acct.json()).toMatchObject({
      usage: { requests: 3, creditsSpent: price },
      rateLimit: { requestsPerMinute: 60 },
    });
    expect(
      (await usage(new Request(`${BASE}/usage?days=900`, { headers: bearer(a.secret) }), none))
        .status,
    ).toBe(422);
  });
});

describe('the fast job read', () => {
  it('gives exactly the view the Prisma path gives, outputs and adapter included', async () => {
    const a = await keyFor();
    const res = await generations(post('/generations', a.secret, { prompt: 'compare' }), none);
    const { id } = (await res.json()) as { id: string };
    await db().job.update({
      where: { id },
      data: { status: 'SUCCEEDED', startedAt: new Date(), finishedAt: new Date() },
    });
    for (const index of [1, 0]) {
      await db().jobOutput.create({
        data: {
          jobId: id,
          userId: a.userId,
          index,
          storageKey: `users/${a.userId}/outputs/${id}/${index}.png`,
          contentType: 'image/png',
          width: 512,
          height: 512,
          bytes: 10,
          seed: BigInt(2 ** 40 + index),
        },
      });
    }
    await db().adapter.create({
      data: {
        userId: a.userId,
        name: 'made by it',
        kind: 'LORA',
        source: 'TRAINED',
        baseModel: 'sd15',
        fileKey: `users/${a.userId}/adapters/x.safetensors`,
        sizeBytes: 1,
        sha256: 'c'.repeat(64),
        sampleKeys: [`users/${a.userId}/adapters/s0.png`],
        sourceJobId: id,
      },
    });
    const { getJob: fast, toJobView } = await import('@/server/jobs/user-jobs');
    const slow = await toJobView(
      await db().job.findUniqueOrThrow({
        where: { id },
        include: { outputs: true, producedAdapter: true },
      }),
    );
    expect(await fast(a.userId, id)).toEqual(slow);
    expect(slow.outputs.map((o) => o.seed)).toEqual([String(2 ** 40), String(2 ** 40 + 1)]);
    await expect(fast((await makeUser()).id, id)).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });
});

describe('tRPC with credentials that are not a key', () => {
  it('answers a worker token, a revoked or an unknown key with 401, not an error', async () => {
    const input = encodeURIComponent(JSON.stringify({ json: {} }));
    for (const authorization of [
      'Bearer aswk_some-worker-token-000000000000',
      'Bearer as_live_unknownunknownunknownunknown',
      'Basic dXNlcjpwYXNz',
    ]) {
      const res = await trpcGet(
        new Request(`http://localhost:3000/api/trpc/jobs.list?input=${input}`, {
          headers: { authorization },
        }),
      );
      expect(res.status).toBe(401);
    }
  });
});

describe('spectral-shift import over REST', () => {
  const loras = () => path.join(tinyModels(), 'loras');
  const importFile = (secret: string, file: Buffer, fields: Record<string, string>) =>
    importAdapter(
      new Request(`${BASE}/adapters`, {
        method: 'POST',
        headers: bearer(secret),
        body: form(file, 'shift.safetensors', fields),
      }),
      none,
    );

  it("imports the worker's SVDiff file as a SPECTRAL_SHIFT adapter for its own base model only", async () => {
    const svdiff = fs.readFileSync(path.join(loras(), 'style-svdiff.safetensors'));
    const { resetEnv } = await import('@/server/env');
    const before = process.env.BASE_MODELS;
    process.env.BASE_MODELS = 'sd15,tiny-sd15';
    resetEnv();
    try {
      const a = await keyFor();
      const wrongBase = await importFile(a.secret, svdiff, { name: 'Style', baseModel: 'sd15' });
      expect(await code(wrongBase)).toBe('VALIDATION_FAILED');
      const ok = await importFile(a.secret, svdiff, { name: 'Style', baseModel: 'tiny-sd15' });
      expect(ok.status).toBe(201);
      expect(await ok.json()).toMatchObject({
        kind: 'SPECTRAL_SHIFT',
        baseModel: 'tiny-sd15',
        settings: { layout: 'svdiff', targetsTextEncoder: true },
      });
      expect(await db().adapter.count({ where: { userId: a.userId } })).toBe(1);

      // A file mixing shift keys with anything else, or shifts that are not vectors, is refused.
      const header = (h: Record<string, unknown>, data: Buffer) => {
        const json = Buffer.from(JSON.stringify(h));
        const len = Buffer.alloc(8);
        len.writeBigUInt64LE(BigInt(json.length));
        return Buffer.concat([len, json, data]);
      };
      const mixed = header(
        {
          'unet.conv_in.spectral_shift': { dtype: 'F32', shape: [2], data_offsets: [0, 8] },
          'unet.conv_in.weight': { dtype: 'F32', shape: [2], data_offsets: [8, 16] },
        },
        Buffer.alloc(16),
      );
      const matrix = header(
        { 'unet.conv_in.spectral_shift': { dtype: 'F32', shape: [2, 2], data_offsets: [0, 16] } },
        Buffer.alloc(16),
      );
      for (const bad of [mixed, matrix]) {
        const res = await importFile(a.secret, bad, { name: 'Bad', baseModel: 'tiny-sd15' });
        expect(await code(res)).toBe('VALIDATION_FAILED');
      }
      expect(await db().adapter.count({ where: { userId: a.userId } })).toBe(1);
    } finally {
      if (before === undefined) delete process.env.BASE_MODELS;
      else process.env.BASE_MODELS = before;
      resetEnv();
    }
  });
});
