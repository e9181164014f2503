// REST /api/v1, black box through the route handlers: happy paths, unknown fields, another
// user's ids, missing scopes, revoked keys, and keys never working on worker routes.
import { describe, expect, it } from 'vitest';
import { GET as account } from '@/app/api/v1/account/route';
import { POST as generations } from '@/app/api/v1/generations/route';
import { POST as cancel } from '@/app/api/v1/jobs/[id]/cancel/route';
import { GET as getJob } from '@/app/api/v1/jobs/[id]/route';
import { GET as listJobs } from '@/app/api/v1/jobs/route';
import { POST as lease } from '@/app/api/worker/v1/lease/route';
import { revokeApiKey } from '@/server/api-keys/keys';
import { db } from '@/server/db';
import { API_BASE, jsonHeaders, problemOf, routeParams, userWithKey } from '../helpers/rest';

const BASE = API_BASE;
const ALL = ['jobs:read', 'jobs:write', 'account:read'] as const;

const keyFor = (scopes: readonly string[] = ALL) => userWithKey(scopes);

describe('REST /api/v1', () => {
  it('creates, gets, lists and cancels a generation with an API key; usage is counted', async () => {
    const { user, secret, keyId: id } = await keyFor();
    const res = await generations(
      new Request(`${BASE}/generations`, {
        method: 'POST',
        headers: jsonHeaders(secret),
        body: JSON.stringify({ prompt: 'a kite' }),
      }),
      undefined,
    );
    expect(res.status).toBe(201);
    const job = (await res.json()) as { id: string; status: string; price: number };
    expect(job.status).toBe('QUEUED');
    expect((await db().job.findUniqueOrThrow({ where: { id: job.id } })).apiKeyId).toBe(id);

    const got = await getJob(
      new Request(`${BASE}/jobs/${job.id}`, { headers: jsonHeaders(secret) }),
      routeParams(job.id),
    );
    expect(((await got.json()) as { id: string }).id).toBe(job.id);
    const list = await listJobs(
      new Request(`${BASE}/jobs?limit=5`, { headers: jsonHeaders(secret) }),
      undefined,
    );
    expect(((await list.json()) as { items: unknown[] }).items).toHaveLength(1);
    const acct = await account(
      new Request(`${BASE}/account`, { headers: jsonHeaders(secret) }),
      undefined,
    );
    expect(await acct.json()).toMatchObject({
      plan: 'free',
      credits: { available: 50 - job.price, held: job.price },
    });
    const c = await cancel(
      new Request(`${BASE}/jobs/${job.id}/cancel`, {
        method: 'POST',
        headers: jsonHeaders(secret),
      }),
      routeParams(job.id),
    );
    expect(await c.json()).toMatchObject({ status: 'CANCELED' });
    const usage = await db().apiKeyUsageDay.findFirstOrThrow({ where: { apiKeyId: id } });
    expect(usage.requests).toBe(5);
    expect(user.id).toBeTruthy();
  });

  it('refuses unknown fields and wrong types as problem+json, holding nothing', async () => {
    const { user, secret } = await keyFor();
    for (const body of [{ prompt: 'x', turbo: true }, { prompt: 42 }, 'not json{']) {
      const res = await generations(
        new Request(`${BASE}/generations`, {
          method: 'POST',
          headers: jsonHeaders(secret),
          body: typeof body === 'string' ? body : JSON.stringify(body),
        }),
        undefined,
      );
      expect(res.status).toBe(422);
      expect((await problemOf(res)).code).toBe('VALIDATION_FAILED');
    }
    expect(await db().job.count({ where: { userId: user.id } })).toBe(0);
    const badQuery = await listJobs(
      new Request(`${BASE}/jobs?limit=5000`, { headers: jsonHeaders(secret) }),
      undefined,
    );
    expect(badQuery.status).toBe(422);
  });

  it("answers another user's job id with 404", async () => {
    const a = await keyFor();
    const b = await keyFor();
    const res = await generations(
      new Request(`${BASE}/generations`, {
        method: 'POST',
        headers: jsonHeaders(a.secret),
        body: JSON.stringify({ prompt: 'mine' }),
      }),
      undefined,
    );
    const { id } = (await res.json()) as { id: string };
    expect(
      (
        await getJob(
          new Request(`${BASE}/jobs/${id}`, { headers: jsonHeaders(b.secret) }),
          routeParams(id),
        )
      ).status,
    ).toBe(404);
    expect(
      (
        await cancel(
          new Request(`${BASE}/jobs/${id}/cancel`, {
            method: 'POST',
            headers: jsonHeaders(b.secret),
          }),
          routeParams(id),
        )
      ).status,
    ).toBe(404);
  });

  it('needs the scope (403), a live key (401), and no key works on worker routes', async () => {
    const reader = await keyFor(['jobs:read']);
    const res = await generations(
      new Request(`${BASE}/generations`, {
        method: 'POST',
        headers: jsonHeaders(reader.secret),
        body: JSON.stringify({ prompt: 'x' }),
      }),
      undefined,
    );
    expect(res.status).toBe(403);
    expect((await problemOf(res)).detail).toMatch(/jobs:write/);
    expect(await db().job.count({ where: { userId: reader.userId } })).toBe(0);
    const refused = await db().user.findUniqueOrThrow({ where: { id: reader.userId } });
    expect(refused.creditHeld).toBe(0);

    const revoked = await keyFor();
    await revokeApiKey(revoked.user.id, revoked.keyId);
    expect(
      (
        await account(
          new Request(`${BASE}/account`, { headers: jsonHeaders(revoked.secret) }),
          undefined as never,
        )
      ).status,
    ).toBe(401);
    expect(
      (
        await account(
          new Request(`${BASE}/account`, {
            headers: { authorization: 'Bearer aswk_some-worker-token-000000000' },
          }),
          undefined as never,
        )
      ).status,
    ).toBe(401);
    expect((await account(new Request(`${BASE}/account`), undefined as never)).status).toBe(401);

    const good = await keyFor();
    const w = await lease(
      new Request('http://localhost:3000/api/worker/v1/lease', {
        method: 'POST',
        headers: jsonHeaders(good.secret),
        body: '{}',
      }),
    );
    expect(w.status).toBe(401);
  });
});
