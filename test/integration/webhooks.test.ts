// Outgoing webhooks end to end: real jobs reach terminal states through the domain functions,
// the outbox rows commit with them, pg-boss (its schema in this file's database) hands them to
// the delivery workers, and a real HTTP receiver on 127.0.0.1 checks every signature with the
// standardwebhooks library. Loopback is allowed here through the test-only setting.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { GET as jobSecretRoute } from '@/app/api/v1/webhooks/job-secret/route';
import { POST as replayRoute } from '@/app/api/v1/webhooks/deliveries/[id]/replay/route';
import { POST as createEndpointRoute } from '@/app/api/v1/webhooks/route';
import { createApiKey } from '@/server/api-keys/keys';
import { db } from '@/server/db';
import { resetEnv } from '@/server/env';
import { createGenerateJob } from '@/server/jobs/create';
import { lockJob } from '@/server/jobs/lock';
import { expireLeases } from '@/server/jobs/sweep';
import { cancelJob } from '@/server/jobs/user-jobs';
import { finishUnsuccessfully } from '@/server/jobs/worker-report';
import { completeJob, failJob, leaseNextJob, PNG_1x1, sha256 } from '../helpers/workers';
import { storage } from '@/server/storage';
import {
  DELIVERY_QUEUE,
  startWebhookWorker,
  stopWebhookWorker,
  sweepDueDeliveries,
} from '@/server/webhooks/worker';
import { waitFor } from '../helpers/live';
import { sessionHeaders } from '../helpers/app';
import { leaseBody, makeUser } from '../helpers/users';

const BASE_MS = 300; // retry delays: 300 ms, 1.8 s, …

interface Hit {
  path: string;
  headers: http.IncomingHttpHeaders;
  body: string;
  at: number;
}

/** A loopback receiver: records every request; `script[path]` picks each answer's status. */
function receiver(script: Record<string, number[]> = {}) {
  const hits: Hit[] = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      const path = req.url ?? '/';
      hits.push({ path, headers: req.headers, body, at: Date.now() });
      const n = hits.filter((h) => h.path === path).length;
      const statuses = script[path] ?? [200];
      const status = statuses[Math.min(n, statuses.length) - 1]!;
      res.writeHead(status, { 'content-type': 'text/plain' }).end(status >= 400 ? 'nope' : 'ok');
    });
  });
  return {
    hits,
    on: (path: string) => hits.filter((h) => h.path === path),
    url: (path: string) => `http://127.0.0.1:${(server.address() as AddressInfo).port}${path}`,
    start: () => new Promise<void>((r) => server.listen(0, '127.0.0.1', r)),
    stop: () => new Promise<void>((r) => server.close(() => r())),
  };
}

const rx = receiver({ '/flaky': [500, 500, 200], '/down': [500] });
/** Queue messages for these deliveries that are still to run (waiting, scheduled or running). */
async function liveMessages(deliveryIds: string[]): Promise<number> {
  const [row] = await db().$queryRaw<{ n: number }[]>`
    SELECT count(*)::int AS n FROM pgboss.job
    WHERE name = ${DELIVERY_QUEUE} AND singleton_key = ANY(${deliveryIds}) AND state < 'completed'`;
  return row!.n;
}
/**
 * Waits until nothing more is queued for these deliveries: from then on nothing more is sent
 * for them (no sleep as proof; one generous timeout).
 */
const settled = (deliveryIds: string[]) =>
  waitFor(async () => (await liveMessages(deliveryIds)) === 0, 15_000, 'the queue to settle');
/** Waits until the receiver has `n` requests on `path`; returns them. */
const received = (path: string, n: number, ms = 5000) =>
  waitFor(() => Promise.resolve(rx.on(path).length === n && rx.on(path)), ms, `${n} on ${path}`);

beforeAll(async () => {
  process.env.WEBHOOK_ALLOW_LOOPBACK = '1';
  process.env.WEBHOOK_RETRY_BASE_MS = String(BASE_MS);
  process.env.WEBHOOK_TIMEOUT_MS = '3000';
  process.env.WEBHOOK_SWEEP_S = '3600'; // the tests run the sweep themselves
  resetEnv();
  await rx.start();
  await startWebhookWorker();
});

afterAll(async () => {
  await stopWebhookWorker();
  await rx.stop();
});

// Tests share this file's database: start each with an empty job queue.
beforeEach(async () => {
  await db().job.updateMany({
    where: { status: { in: ['QUEUED', 'RUNNING'] } },
    data: { status: 'CANCELED' },
  });
});

async function leasedJob(userId: string, webhook?: string) {
  const job = await createGenerateJob(userId, { prompt: 'a kite', steps: 2, webhook });
  const lease = (await leaseNextJob(leaseBody()))!;
  expect(lease.id).toBe(job.id);
  return { job, lease };
}

async function succeededJob(userId: string, webhook?: string) {
  const { job, lease } = await leasedJob(userId, webhook);
  const key = lease.outputs[0]!.key;
  await storage().put(key, PNG_1x1, 'image/png');
  const body = {
    lease_id: lease.lease_id,
    outputs: [
      { key, content_type: 'image/png' as const, width: 1, height: 1, bytes: PNG_1x1.length },
    ].map((o) => ({ ...o, sha256: sha256(PNG_1x1), seed: 1 })),
    metadata: {},
  };
  expect(await completeJob(job.id, body)).toEqual({ status: 'succeeded' });
  return { job, completeBody: body };
}

function verified(hit: Hit, secret: string) {
  return new Webhook(secret).verify(hit.body, hit.headers as Record<string, string>) as {
    type: string;
    timestamp: string;
    data: { id: string; status: string; outputs: { url: string }[]; error: unknown };
  };
}

const session = (cookie: string) => sessionHeaders(cookie, { 'content-type': 'application/json' });
const bearer = (secret: string) => ({
  authorization: `Bearer ${secret}`,
  'content-type': 'application/json',
});
const idParams = (id: string) => ({ params: Promise.resolve({ id }) });

async function jobSecretOf(cookie: string): Promise<string> {
  const res = await jobSecretRoute(
    new Request('http://localhost:3000/api/v1/webhooks/job-secret', { headers: session(cookie) }),
    undefined,
  );
  expect(res.status).toBe(200);
  return ((await res.json()) as { secret: string }).secret;
}

describe('webhook deliveries', () => {
  it('a succeeded job delivers exactly one signed job.succeeded to its webhook URL', async () => {
    const u = await makeUser();
    const secret = await jobSecretOf(u.cookie);
    expect(secret).toMatch(/^whsec_/);
    const { job, completeBody } = await succeededJob(u.id, rx.url('/job-ok'));
    const [hit] = await received('/job-ok', 1);
    const event = verified(hit!, secret);
    expect(event.type).toBe('job.succeeded');
    expect(event.data.id).toBe(job.id);
    expect(event.data.status).toBe('SUCCEEDED');
    expect(event.data.outputs[0]!.url).toMatch(/sig=/); // a signed, expiring output URL
    expect(() => verified(hit!, `whsec_${Buffer.alloc(32, 7).toString('base64')}`)).toThrow();
    expect(hit!.headers['content-type']).toBe('application/json');

    const row = await db().webhookDelivery.findFirstOrThrow({ where: { jobId: job.id } });
    expect(hit!.headers['webhook-id']).toBe(row.id);
    await waitFor(
      async () =>
        (await db().webhookDelivery.findUniqueOrThrow({ where: { id: row.id } })).status ===
        'SUCCEEDED',
      3000,
      'recorded',
    );
    expect(await db().webhookDelivery.findUniqueOrThrow({ where: { id: row.id } })).toMatchObject({
      status: 'SUCCEEDED',
      attempts: 1,
      lastStatusCode: 200,
      lastError: null,
      endpointId: null,
      eventType: 'job.succeeded',
    });
    // A repeated complete is answered from the state: no second event (a delivery is a row).
    expect(await completeJob(job.id, completeBody)).toEqual({ status: 'succeeded' });
    expect(await db().webhookDelivery.count({ where: { jobId: job.id } })).toBe(1);
    await settled([row.id]);
    expect(rx.on('/job-ok')).toHaveLength(1);
  });

  it('failed and canceled jobs reach the endpoints subscribed to them, and only those', async () => {
    const u = await makeUser({ plan: 'pro', credits: 500 });
    const create = async (url: string, eventTypes: string[]) => {
      const res = await createEndpointRoute(
        new Request('http://localhost:3000/api/v1/webhooks', {
          method: 'POST',
          headers: session(u.cookie),
          body: JSON.stringify({ url, eventTypes }),
        }),
        undefined,
      );
      expect(res.status).toBe(201);
      return (await res.json()) as { id: string; secret: string };
    };
    const ended = await create(rx.url('/ended'), ['job.failed', 'job.canceled']);
    await create(rx.url('/wins'), ['job.succeeded']);

    const failing = await leasedJob(u.id);
    await failJob(failing.job.id, {
      lease_id: failing.lease.lease_id,
      error: { code: 'internal', message: 'boom', retryable: false },
    });
    const queued = await createGenerateJob(u.id, { prompt: 'never mind' });
    await cancelJob(u.id, queued.id);
    // A running job whose cancel flag meets an expired lease: the sweeper's path.
    const running = await leasedJob(u.id);
    await cancelJob(u.id, running.job.id);
    await db().job.update({ where: { id: running.job.id }, data: { leaseExpiresAt: new Date(0) } });
    expect(await expireLeases()).toBe(1);

    await received('/ended', 3, 5000);
    const events = rx.on('/ended').map((h) => verified(h, ended.secret));
    expect(events.map((e) => [e.type, e.data.id]).sort()).toEqual(
      [
        ['job.failed', failing.job.id],
        ['job.canceled', queued.id],
        ['job.canceled', running.job.id],
      ].sort(),
    );
    expect(events.find((e) => e.type === 'job.failed')!.data.error).toEqual({
      code: 'internal',
      message: 'boom',
    });
    // The success-only endpoint has no delivery at all, so nothing can ever reach it.
    expect(await db().webhookDelivery.count({ where: { url: rx.url('/wins') } })).toBe(0);
    const ids = await db().webhookDelivery.findMany({
      where: { userId: u.id },
      select: { id: true },
    });
    expect(ids).toHaveLength(3);
    await settled(ids.map((d) => d.id));
    expect(rx.on('/wins')).toHaveLength(0);
    expect(rx.on('/ended')).toHaveLength(3);
  });

  it('retries a failing receiver with growing delays, as the same message, until it answers', async () => {
    const u = await makeUser();
    const secret = await jobSecretOf(u.cookie);
    const { job } = await succeededJob(u.id, rx.url('/flaky'));
    const row = await db().webhookDelivery.findFirstOrThrow({ where: { jobId: job.id } });
    // Between attempts the row says what happened and when the next try is.
    const between = await waitFor(
      async () => {
        const r = await db().webhookDelivery.findUniqueOrThrow({ where: { id: row.id } });
        return r.lastStatusCode === 500 && r.status === 'PENDING' && r;
      },
      5000,
      'the first failure recorded',
    );
    expect(between.lastError).toMatch(/HTTP 500/);
    await received('/flaky', 3, 10_000);
    const done = await waitFor(
      async () => {
        const r = await db().webhookDelivery.findUniqueOrThrow({ where: { id: row.id } });
        return r.status === 'SUCCEEDED' && r;
      },
      3000,
      'success recorded',
    );
    expect(done).toMatchObject({ attempts: 3, lastStatusCode: 200, lastError: null });
    const hits = rx.on('/flaky');
    expect(new Set(hits.map((h) => h.headers['webhook-id']))).toEqual(new Set([row.id]));
    hits.forEach((h) => expect(verified(h, secret).data.id).toBe(job.id));
    const gap1 = hits[1]!.at - hits[0]!.at;
    const gap2 = hits[2]!.at - hits[1]!.at;
    expect(gap1).toBeGreaterThanOrEqual(BASE_MS - 50);
    expect(gap2).toBeGreaterThanOrEqual(6 * BASE_MS - 50);
    expect(gap2).toBeGreaterThan(gap1);
  });

  it('stops after the fifth attempt and marks the delivery failed', async () => {
    const u = await makeUser();
    const { job } = await succeededJob(u.id, rx.url('/down'));
    const row = await db().webhookDelivery.findFirstOrThrow({ where: { jobId: job.id } });
    await received('/down', 1, 5000);
    await waitFor(
      async () =>
        (await db().webhookDelivery.findUniqueOrThrow({ where: { id: row.id } })).status ===
        'PENDING',
      3000,
      'rescheduled',
    );
    // Skip the waits of attempts 2–4: the row is the schedule.
    await db().webhookDelivery.update({
      where: { id: row.id },
      data: { attempts: 4, nextAttemptAt: new Date(Date.now() - 2000) },
    });
    await sweepDueDeliveries();
    const failed = await waitFor(
      async () => {
        const r = await db().webhookDelivery.findUniqueOrThrow({ where: { id: row.id } });
        return r.status === 'FAILED' && r;
      },
      5000,
      'given up',
    );
    expect(failed).toMatchObject({ attempts: 5, lastStatusCode: 500 });
    // No sixth attempt is scheduled: the fifth attempt's message finishes and none follows
    // (a retry would be a waiting message with a later start), and a sweep finds nothing due.
    await settled([row.id]);
    expect(await db().webhookDelivery.count({ where: { id: row.id, status: 'PENDING' } })).toBe(0);
    expect(rx.on('/down')).toHaveLength(2);
  });

  it('replays a delivery as the same message; another user gets 404', async () => {
    const u = await makeUser();
    const key = await createApiKey(u.id, { name: 'hooks', scopes: ['webhooks:write'] });
    const reader = await createApiKey(u.id, { name: 'ro', scopes: ['webhooks:read'] });
    const other = await makeUser();
    const otherKey = await createApiKey(other.id, { name: 'x', scopes: ['webhooks:write'] });
    const { job } = await succeededJob(u.id, rx.url('/replayed'));
    await received('/replayed', 1, 5000);
    const row = await waitFor(
      () => db().webhookDelivery.findFirst({ where: { jobId: job.id, status: 'SUCCEEDED' } }),
      3000,
      'recorded',
    );
    const replay = (id: string, secret: string) =>
      replayRoute(
        new Request(`http://localhost:3000/api/v1/webhooks/deliveries/${id}/replay`, {
          method: 'POST',
          headers: bearer(secret),
        }),
        idParams(id),
      );

    expect((await replay(row.id, otherKey.secret)).status).toBe(404);
    expect((await replay('not-a-uuid', key.secret)).status).toBe(404);
    expect((await replay(row.id, reader.secret)).status).toBe(403);
    expect(rx.on('/replayed')).toHaveLength(1);

    const res = await replay(row.id, key.secret);
    expect(res.status).toBe(202);
    expect(await res.json()).toMatchObject({ id: row.id, status: 'PENDING', attempts: 0 });
    await received('/replayed', 2, 5000);
    const [first, again] = rx.on('/replayed');
    expect(again!.headers['webhook-id']).toBe(first!.headers['webhook-id']);
    const secret = await jobSecretOf(u.cookie);
    expect(verified(again!, secret)).toMatchObject({ type: 'job.succeeded', data: { id: job.id } });
    await waitFor(
      async () =>
        (await db().webhookDelivery.findUniqueOrThrow({ where: { id: row.id } })).status ===
        'SUCCEEDED',
      3000,
      'replay recorded',
    );

    // A delivery still being attempted is not replayed on top of itself.
    await db().webhookDelivery.update({
      where: { id: row.id },
      data: { status: 'PENDING', nextAttemptAt: new Date(Date.now() + 3_600_000) },
    });
    expect((await replay(row.id, key.secret)).status).toBe(409);
  });

  it('a delivery committed but never handed to the queue is sent by the sweep', async () => {
    const u = await makeUser();
    const { job } = await succeededJob(u.id);
    // As if the process died between the commit and the hand-off: a row and no notification.
    const row = await db().webhookDelivery.create({
      data: {
        userId: u.id,
        jobId: job.id,
        url: rx.url('/orphan'),
        eventType: 'job.succeeded',
        payload: {
          type: 'job.succeeded',
          timestamp: new Date().toISOString(),
          data: { id: job.id, status: 'SUCCEEDED' },
        },
      },
    });
    // Nothing queued it: it stays unsent until the sweep finds it.
    expect(await liveMessages([row.id])).toBe(0);
    expect(await db().webhookDelivery.findUniqueOrThrow({ where: { id: row.id } })).toMatchObject({
      status: 'PENDING',
      attempts: 0,
    });
    expect(rx.on('/orphan')).toHaveLength(0);
    expect(await sweepDueDeliveries()).toBeGreaterThanOrEqual(1);
    await received('/orphan', 1, 5000);
    expect(rx.on('/orphan')[0]!.headers['webhook-id']).toBe(row.id);
  });

  it('keeps delivering when the listening connection is killed', async () => {
    const killed = await db().$queryRaw<{ ok: boolean }[]>`
      SELECT pg_terminate_backend(pid) AS ok FROM pg_stat_activity
      WHERE application_name = 'adapter-studio-webhooks-listen' AND datname = current_database()`;
    expect(killed).toEqual([{ ok: true }]);
    const u = await makeUser();
    await succeededJob(u.id, rx.url('/after-kill')); // notified while nobody listens
    await received('/after-kill', 1, 15_000); // the reconnect sweeps it up (no periodic sweep here)
    const again = await makeUser();
    await succeededJob(again.id, rx.url('/after-reconnect'));
    await received('/after-reconnect', 1, 3000); // and listens again
  });

  it('a transition that rolls back leaves no delivery behind', async () => {
    const u = await makeUser();
    const { job } = await leasedJob(u.id, rx.url('/rolled-back'));
    await expect(
      db().$transaction(async (tx) => {
        const locked = (await lockJob(tx, job.id))!;
        await finishUnsuccessfully(tx, locked, 'FAILED', 'internal', 'x');
        throw new Error('the rest of the transaction failed');
      }),
    ).rejects.toThrow('the rest of the transaction failed');
    expect(await db().webhookDelivery.count({ where: { jobId: job.id } })).toBe(0);
    expect((await db().job.findUniqueOrThrow({ where: { id: job.id } })).status).toBe('RUNNING');
    expect(rx.on('/rolled-back')).toHaveLength(0); // and with no row, nothing can be sent later
  });
});
