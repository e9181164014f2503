// Page cursors on every list that takes one, REST and tRPC: a malformed cursor (64 zeros, garbage,
// too long), an id that names nothing, and another user's real item id are all a clear 422
// VALIDATION_FAILED (tRPC: BAD_REQUEST with the field named), never a 500 and never a page of
// someone else's list; a genuine cursor still pages.
import { describe, expect, it } from 'vitest';
import { GET as listJobsRoute } from '@/app/api/v1/jobs/route';
import { GET as listDeliveriesRoute } from '@/app/api/v1/webhooks/deliveries/route';
import { db } from '@/server/db';
import { createGenerateJob } from '@/server/jobs/create';
import { trpcQuery } from '../helpers/app';
import { API_BASE, bearer, problemOf, userWithKey } from '../helpers/rest';

/** One user with an item in each list: a job, an output, ledger entries, a webhook delivery. */
async function userWithItems() {
  const u = await userWithKey(['jobs:read', 'jobs:write', 'webhooks:read'], { credits: 50 });
  const job = await createGenerateJob(u.userId, { prompt: 'cursor fixture' });
  const output = await db().jobOutput.create({
    data: {
      jobId: job.id,
      userId: u.userId,
      index: 0,
      storageKey: `users/${u.userId}/jobs/${job.id}/output-0.png`,
      contentType: 'image/png',
      width: 512,
      height: 512,
      bytes: 1,
    },
  });
  const delivery = await db().webhookDelivery.create({
    data: {
      userId: u.userId,
      jobId: job.id,
      url: 'https://example.com/hook',
      eventType: 'job.succeeded',
      payload: {},
    },
  });
  const ledger = await db().creditLedgerEntry.findFirstOrThrow({ where: { userId: u.userId } });
  return {
    ...u,
    cookie: u.user.cookie,
    ids: { job: job.id, output: output.id, delivery: delivery.id, ledger: ledger.id },
  };
}

const MALFORMED = {
  '64 zeros': '0'.repeat(64),
  garbage: "x' OR 1=1 --",
  'too long': `${'0'.repeat(8)}-0000-0000-0000-${'0'.repeat(12)}${'a'.repeat(200)}`,
  'a UUID that names nothing': '00000000-0000-0000-0000-000000000000',
  'a UUID v7 that names nothing': '01890000-0000-7000-8000-000000000000',
};

type Lists = 'job' | 'output' | 'ledger' | 'delivery';
const TRPC: Record<string, Lists> = {
  'jobs.list': 'job',
  'jobs.gallery': 'output',
  'billing.ledger': 'ledger',
  'webhooks.deliveries': 'delivery',
};
const REST: Record<string, Lists> = { '/jobs': 'job', '/webhooks/deliveries': 'delivery' };
const restHandler = (path: string) => (path === '/jobs' ? listJobsRoute : listDeliveriesRoute);

async function restList(path: string, secret: string, cursor: string) {
  const url = `${API_BASE}${path}?cursor=${encodeURIComponent(cursor)}`;
  return restHandler(path)(new Request(url, { headers: bearer(secret) }), undefined);
}

describe('cursors', () => {
  it('REST: malformed or foreign cursors are 422 VALIDATION_FAILED, never 500', async () => {
    const me = await userWithItems();
    const other = await userWithItems();
    for (const [path, list] of Object.entries(REST)) {
      const cases = { ...MALFORMED, "another user's item": other.ids[list] };
      for (const [what, cursor] of Object.entries(cases)) {
        const res = await restList(path, me.secret, cursor);
        expect(res.status, `${path} ${what}`).toBe(422);
        const problem = await problemOf(res);
        expect(problem.code, `${path} ${what}`).toBe('VALIDATION_FAILED');
        expect(problem.detail, `${path} ${what}`).toMatch(/cursor/);
      }
      // The owner's own cursor still pages.
      const own = await restList(path, me.secret, me.ids[list]);
      expect(own.status, path).toBe(200);
    }
  });

  it('tRPC: malformed or foreign cursors are BAD_REQUEST naming the cursor, never 500', async () => {
    const me = await userWithItems();
    const other = await userWithItems();
    for (const [procedure, list] of Object.entries(TRPC)) {
      const cases = { ...MALFORMED, "another user's item": other.ids[list] };
      for (const [what, cursor] of Object.entries(cases)) {
        const r = await trpcQuery(procedure, { cookie: me.cookie, input: { cursor } });
        expect(r.status, `${procedure} ${what}`).toBe(400);
        expect(r.error?.data.code, `${procedure} ${what}`).toBe('BAD_REQUEST');
        expect(r.error?.message, `${procedure} ${what}`).toMatch(/cursor/i);
      }
      const own = await trpcQuery(procedure, {
        cookie: me.cookie,
        input: { cursor: me.ids[list] },
      });
      expect(own.status, procedure).toBe(200);
    }
  });

  it('a genuine cursor continues the list where the previous page ended', async () => {
    const me = await userWithItems();
    const second = await createGenerateJob(me.userId, { prompt: 'second' });
    const page1 = await listJobsRoute(
      new Request(`${API_BASE}/jobs?limit=1`, { headers: bearer(me.secret) }),
      undefined,
    );
    const p1 = (await page1.json()) as { items: { id: string }[]; nextCursor: string };
    expect(p1.items.map((j) => j.id)).toEqual([second.id]);
    const page2 = await restList('/jobs', me.secret, p1.nextCursor);
    const p2 = (await page2.json()) as { items: { id: string }[]; nextCursor: string | null };
    expect(p2.items.map((j) => j.id)).toEqual([me.ids.job]);
    expect(p2.nextCursor).toBeNull();
  });
});
