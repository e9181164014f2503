// Managing webhooks through REST and tRPC: endpoints (create, list, secret, delete), the delivery
// log, and the per-job `webhook` field. Bad input is refused and stores nothing; another user's
// ids read as missing; scopes are enforced.
import { describe, expect, it } from 'vitest';
import { GET as secretRoute } from '@/app/api/v1/webhooks/[id]/secret/route';
import { DELETE as deleteRoute } from '@/app/api/v1/webhooks/[id]/route';
import { GET as deliveriesRoute } from '@/app/api/v1/webhooks/deliveries/route';
import { GET as jobSecretRoute } from '@/app/api/v1/webhooks/job-secret/route';
import { GET as listRoute, POST as createRoute } from '@/app/api/v1/webhooks/route';
import { authenticateApiKey, createApiKey } from '@/server/api-keys/keys';
import { db } from '@/server/db';
import { createGenerateJob } from '@/server/jobs/create';
import { editInput, trainInput } from '@/server/jobs/schemas';
import { createCaller } from '@/server/trpc/router';
import { MAX_ENDPOINTS_PER_ACCOUNT } from '@/server/webhooks/endpoints';
import { jsonHeaders, problemOf, routeParams, userWithKey } from '../helpers/rest';
import { makeUser } from '../helpers/users';

const API = 'http://localhost:3000/api/v1/webhooks';
const RW = ['webhooks:read', 'webhooks:write'] as const;

const account = (scopes: readonly string[] = RW) => userWithKey(scopes);

function create(secret: string, body: unknown) {
  return createRoute(
    new Request(API, { method: 'POST', headers: jsonHeaders(secret), body: JSON.stringify(body) }),
    undefined,
  );
}

describe('webhook endpoints over REST', () => {
  it('creates, lists, reveals and deletes an endpoint', async () => {
    const { user, secret } = await account();
    const res = await create(secret, { url: 'https://hooks.example.com/in' });
    expect(res.status).toBe(201);
    const made = (await res.json()) as { id: string; secret: string; eventTypes: string[] };
    expect(made.secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(made.eventTypes).toEqual(['job.succeeded', 'job.failed', 'job.canceled']);

    const list = await listRoute(new Request(API, { headers: jsonHeaders(secret) }), undefined);
    const { items } = (await list.json()) as { items: Record<string, unknown>[] };
    expect(items).toEqual([
      expect.objectContaining({ id: made.id, url: 'https://hooks.example.com/in', enabled: true }),
    ]);
    expect(items[0]).not.toHaveProperty('secret'); // lists never carry secrets

    const shown = await secretRoute(
      new Request(`${API}/${made.id}/secret`, { headers: jsonHeaders(secret) }),
      routeParams(made.id),
    );
    expect(await shown.json()).toEqual({ secret: made.secret });

    const del = await deleteRoute(
      new Request(`${API}/${made.id}`, { method: 'DELETE', headers: jsonHeaders(secret) }),
      routeParams(made.id),
    );
    expect(del.status).toBe(204);
    expect(await db().webhookEndpoint.count({ where: { userId: user.id } })).toBe(0);
  });

  it('refuses bad input with a clear problem, storing nothing', async () => {
    const { user, secret } = await account();
    const cases: [unknown, RegExp][] = [
      [{ url: 'https://hooks.example.com/', retries: 9 }, /unknown field\(s\): retries/],
      [{ url: 'https://hooks.example.com/', eventTypes: ['job.exploded'] }, /eventTypes/],
      [{ url: 'https://hooks.example.com/', eventTypes: [] }, /at least one event/],
      [{ url: `https://hooks.example.com/${'a'.repeat(2048)}` }, /2048/],
      [{ url: 'hooks.example.com' }, /absolute http\(s\) URL/],
      [{ url: 'https://10.0.0.1/' }, /url: must not point to a private address/],
      [{ url: 'http://hooks.example.com/' }, /url: must use https/],
      [{}, /url/],
    ];
    for (const [body, why] of cases) {
      const res = await create(secret, body);
      expect(res.status, JSON.stringify(body)).toBe(422);
      expect((await problemOf(res)).detail).toMatch(why);
    }
    expect(await db().webhookEndpoint.count({ where: { userId: user.id } })).toBe(0);
  });

  it("answers another user's endpoint with 404, and enforces scopes", async () => {
    const a = await account();
    const b = await account();
    const reader = await createApiKey(a.user.id, { name: 'ro', scopes: ['webhooks:read'] });
    const made = (await (await create(a.secret, { url: 'https://a.example.com/' })).json()) as {
      id: string;
    };
    for (const id of [made.id, 'not-a-uuid']) {
      const del = await deleteRoute(
        new Request(`${API}/${id}`, { method: 'DELETE', headers: jsonHeaders(b.secret) }),
        routeParams(id),
      );
      expect(del.status).toBe(404);
      const sec = await secretRoute(
        new Request(`${API}/${id}/secret`, { headers: jsonHeaders(b.secret) }),
        routeParams(id),
      );
      expect(sec.status).toBe(404);
    }
    const bList = await listRoute(new Request(API, { headers: jsonHeaders(b.secret) }), undefined);
    expect(await bList.json()).toEqual({ items: [] });
    // A read-only key may list but not create, delete, or see a secret.
    expect(
      (await listRoute(new Request(API, { headers: jsonHeaders(reader.secret) }), undefined))
        .status,
    ).toBe(200);
    expect((await create(reader.secret, { url: 'https://x.example.com/' })).status).toBe(403);
    const sec = await secretRoute(
      new Request(`${API}/${made.id}/secret`, { headers: jsonHeaders(reader.secret) }),
      routeParams(made.id),
    );
    expect((await problemOf(sec)).detail).toMatch(/webhooks:write/);
    const jobs = await createApiKey(a.user.id, { name: 'jobs', scopes: ['jobs:read'] });
    expect(
      (await listRoute(new Request(API, { headers: jsonHeaders(jobs.secret) }), undefined)).status,
    ).toBe(403);
    expect(await db().webhookEndpoint.count({ where: { id: made.id } })).toBe(1);
  });

  it(`allows ${MAX_ENDPOINTS_PER_ACCOUNT} endpoints per account`, async () => {
    const { user, secret } = await account();
    const all = await Promise.all(
      Array.from({ length: MAX_ENDPOINTS_PER_ACCOUNT + 3 }, (_, i) =>
        create(secret, { url: `https://hooks.example.com/${i}` }),
      ),
    );
    expect(all.filter((r) => r.status === 201)).toHaveLength(MAX_ENDPOINTS_PER_ACCOUNT);
    expect(all.filter((r) => r.status === 409)).toHaveLength(3);
    expect(await db().webhookEndpoint.count({ where: { userId: user.id } })).toBe(
      MAX_ENDPOINTS_PER_ACCOUNT,
    );
  });
});

describe('the delivery log', () => {
  async function delivery(userId: string, status: 'PENDING' | 'SUCCEEDED' | 'FAILED', n: number) {
    return db().webhookDelivery.create({
      data: {
        userId,
        url: `https://hooks.example.com/${n}`,
        eventType: 'job.succeeded',
        payload: { type: 'job.succeeded', timestamp: '2026-01-01T00:00:00.000Z', data: {} },
        status,
        attempts: status === 'PENDING' ? 0 : 1,
        createdAt: new Date(Date.UTC(2026, 0, 1, 0, 0, n)),
      },
    });
  }

  it('lists the caller’s deliveries newest first, a page at a time, with filters', async () => {
    const a = await account(['webhooks:read']);
    const b = await account(['webhooks:read']);
    const [d1, d2, d3] = [
      await delivery(a.user.id, 'SUCCEEDED', 1),
      await delivery(a.user.id, 'FAILED', 2),
      await delivery(a.user.id, 'PENDING', 3),
    ];
    await delivery(b.user.id, 'SUCCEEDED', 4);
    const get = async (query: string, secret = a.secret) => {
      const res = await deliveriesRoute(
        new Request(`${API}/deliveries${query}`, { headers: jsonHeaders(secret) }),
        undefined,
      );
      return { status: res.status, body: (await res.json()) as Record<string, unknown> };
    };
    const page1 = await get('?limit=2');
    expect(page1.status).toBe(200);
    const p1 = page1.body as { items: { id: string }[]; nextCursor: string };
    expect(p1.items.map((i) => i.id)).toEqual([d3.id, d2.id]);
    const p2 = (await get(`?limit=2&cursor=${p1.nextCursor}`)).body;
    expect(p2).toMatchObject({ items: [{ id: d1.id, status: 'SUCCEEDED' }], nextCursor: null });
    const failed = (await get('?status=FAILED')).body as { items: { id: string }[] };
    expect(failed.items.map((i) => i.id)).toEqual([d2.id]);
    const pending = (await get('?status=PENDING')).body as { items: Record<string, unknown>[] };
    expect(pending.items[0]).toMatchObject({ attempts: 0, lastError: null, endpointId: null });
    expect(pending.items[0]!.nextAttemptAt).toEqual(expect.any(String));
    expect(((await get('', b.secret)).body as { items: unknown[] }).items).toHaveLength(1);
    for (const bad of ['?limit=0', '?limit=500', '?status=LOST', '?colour=red']) {
      expect((await get(bad)).status, bad).toBe(422);
    }
  });
});

describe('webhooks over tRPC', () => {
  it('manages endpoints and reveals secrets to their owner; a read key cannot reveal', async () => {
    const u = await makeUser();
    const trpc = createCaller({ user: { id: u.id }, headers: new Headers() });
    const made = await trpc.webhooks.createEndpoint({
      url: 'https://hooks.example.com/t',
      eventTypes: ['job.failed'],
    });
    expect(await trpc.webhooks.endpoints()).toEqual([
      expect.objectContaining({ id: made.id, eventTypes: ['job.failed'] }),
    ]);
    expect(await trpc.webhooks.revealSecret({ id: made.id })).toEqual({ secret: made.secret });
    const jobSecret = await trpc.webhooks.revealJobSecret();
    const rest = await jobSecretRoute(
      new Request(`${API}/job-secret`, { headers: { cookie: u.cookie } }),
      undefined,
    );
    expect(await rest.json()).toEqual(jobSecret);
    const other = await makeUser();
    expect(
      (
        (await jobSecretRoute(
          new Request(`${API}/job-secret`, { headers: { cookie: other.cookie } }),
          undefined,
        ).then((r) => r.json())) as { secret: string }
      ).secret,
    ).not.toBe(jobSecret.secret);

    const key = await createApiKey(u.id, { name: 'ro', scopes: ['webhooks:read'] });
    const viaKey = createCaller({
      user: { id: u.id },
      apiKey: await authenticateApiKey(`Bearer ${key.secret}`),
      headers: new Headers(),
    });
    expect(await viaKey.webhooks.endpoints()).toHaveLength(1);
    await expect(viaKey.webhooks.revealSecret({ id: made.id })).rejects.toMatchObject({
      code: 'FORBIDDEN',
    });
    await expect(trpc.webhooks.replay({ id: made.id })).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
    await trpc.webhooks.deleteEndpoint({ id: made.id });
    await expect(trpc.webhooks.deleteEndpoint({ id: made.id })).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
  });
});

describe('the per-job webhook field', () => {
  it('is stored on the job, not in its request, and checked like an endpoint URL', async () => {
    const u = await makeUser();
    const job = await createGenerateJob(u.id, {
      prompt: 'a lighthouse',
      webhook: 'https://hooks.example.com/job',
    });
    const row = await db().job.findUniqueOrThrow({ where: { id: job.id } });
    expect(row.webhookUrl).toBe('https://hooks.example.com/job');
    expect((row.params as { request: Record<string, unknown> }).request).not.toHaveProperty(
      'webhook',
    );
    const trpc = createCaller({ user: { id: u.id }, headers: new Headers() });
    await expect(
      trpc.jobs.create({ prompt: 'x', webhook: 'https://192.168.0.10/hook' }),
    ).rejects.toMatchObject({
      message: expect.stringMatching(/webhook: must not point to a private/) as string,
    });
    await expect(
      trpc.jobs.create({ prompt: 'x', webhook: 'ftp://x.example.com/' }),
    ).rejects.toMatchObject({
      code: 'BAD_REQUEST',
    });
    expect(await db().job.count({ where: { userId: u.id } })).toBe(1);
    // Training and editing take the same field.
    const id = '01a20000-0000-7000-8000-000000000000';
    for (const [schema, body] of [
      [trainInput, { name: 'n', imageIds: [id], instancePrompt: 'a sks dog' }],
      [editInput, { imageId: id, sourcePrompt: 'a dog', targetPrompt: 'a cat' }],
    ] as const) {
      expect(schema.safeParse({ ...body, webhook: 'https://hooks.example.com/' }).success).toBe(
        true,
      );
      expect(schema.safeParse({ ...body, webhook: 'not a url' }).success).toBe(false);
    }
  });
});
