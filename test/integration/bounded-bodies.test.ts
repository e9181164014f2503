// Bounded bodies (issue 09, item 5): every route that reads a body holds its limit on the stream.
// For each route family: a chunked body over the limit (made lazily, no Content-Length) is
// refused with 413 problem+json after about `limit` bytes were pulled, and changes nothing; a
// Content-Length over the limit is refused before a byte is pulled; a chunked body within the
// limit still works. The headline: a 2 GB chunked body to the anonymous Stripe webhook is refused
// with memory growth under 64 MB. (test/integration/bounded-bodies.e2e.test.ts does the same over
// HTTP against `next start`.)
import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { POST as authRoute } from '@/app/api/auth/[...all]/route';
import { POST as stripeRoute } from '@/app/api/stripe/webhook/route';
import { POST as trpcRoute } from '@/app/api/trpc/[trpc]/route';
import { POST as adaptersRoute } from '@/app/api/v1/adapters/route';
import { POST as referencesRoute } from '@/app/api/v1/references/route';
import { POST as webhooksRoute } from '@/app/api/v1/webhooks/route';
import { POST as heartbeatRoute } from '@/app/api/worker/v1/jobs/[id]/heartbeat/route';
import { POST as leaseRoute } from '@/app/api/worker/v1/lease/route';
import { MAX_ADAPTER_BYTES } from '@/server/adapters/inspect';
import { MAX_JSON_BYTES } from '@/server/api-keys/rest';
import { db } from '@/server/db';
import { multipartBodyLimit } from '@/server/multipart';
import { MAX_UPLOAD_BYTES } from '@/server/references/image-safety';
import { HEARTBEAT_BODY_MAX_BYTES, WORKER_BODY_MAX_BYTES } from '@/server/workers/http';
import { ORIGIN } from '../helpers/app';
import { photoPng } from '../helpers/hostile-files';
import { bearer, jsonHeaders, routeParams, sessionJsonHeaders, userWithKey } from '../helpers/rest';
import { payload, event, objects, signatureOf, stripeEnv } from '../helpers/stripe-events';
import { leaseBody, makeUser } from '../helpers/users';
import { makeWorker } from '../helpers/workers';

stripeEnv();

const MB = 2 ** 20;
const CHUNK = 64 * 1024;
/** Far past every limit here: a handler still reading at this point reads without bound. */
const RUNAWAY = 256 * MB;

interface Lazy {
  stream: ReadableStream<Uint8Array>;
  /** Bytes the handler has pulled so far. */
  pulled: () => number;
  cancelled: () => boolean;
}

/**
 * A body that exists only as it is pulled (`prefix`, then spaces up to `total` bytes), with no
 * Content-Length: what a chunked upload looks like to a handler. Were a handler to keep reading
 * past RUNAWAY, the stream errors instead of feeding it gigabytes.
 */
function lazyBody(total: number, prefix: Uint8Array | string = ''): Lazy {
  const head = typeof prefix === 'string' ? new TextEncoder().encode(prefix) : prefix;
  let pulled = 0;
  let cancelled = false;
  const stream = new ReadableStream<Uint8Array>(
    {
      pull(c) {
        if (pulled >= total) return c.close();
        if (pulled >= RUNAWAY) return c.error(new Error('the handler read past every limit'));
        const piece =
          pulled < head.length
            ? head.subarray(pulled, pulled + CHUNK)
            : new Uint8Array(Math.min(CHUNK, total - pulled)).fill(0x20);
        pulled += piece.byteLength;
        c.enqueue(piece);
      },
      cancel() {
        cancelled = true;
      },
    },
    { highWaterMark: 0 },
  );
  return { stream, pulled: () => pulled, cancelled: () => cancelled };
}

/** A real body sent in small pieces without a Content-Length. */
function chunked(bytes: Uint8Array | string): ReadableStream<Uint8Array> {
  return lazyBody(
    typeof bytes === 'string' ? new TextEncoder().encode(bytes).length : bytes.length,
    bytes,
  ).stream;
}

function post(url: string, body: ReadableStream<Uint8Array>, headers: Record<string, string>) {
  return new Request(url, { method: 'POST', headers, body, duplex: 'half' } as RequestInit);
}

/** 413 problem+json naming the limit; the handler pulled about `limit` bytes and stopped. */
async function expectRefused(res: Response, body: Lazy, limit: number) {
  expect(res.status).toBe(413);
  expect(res.headers.get('content-type')).toBe('application/problem+json');
  const problem = (await res.json()) as { code: string; detail: string };
  expect(problem.code).toBe('PAYLOAD_TOO_LARGE');
  expect(problem.detail).toMatch(/at most \d+(\.\d+)? (MB|KB)/);
  expect(body.pulled()).toBeGreaterThan(limit);
  expect(body.pulled()).toBeLessThanOrEqual(limit + 2 * CHUNK);
  expect(body.cancelled()).toBe(true);
}

/** 413 on the declared length alone: not a byte pulled. */
async function expectRefusedUnread(res: Response, body: Lazy) {
  expect(res.status).toBe(413);
  expect(res.headers.get('content-type')).toBe('application/problem+json');
  expect(((await res.json()) as { code: string }).code).toBe('PAYLOAD_TOO_LARGE');
  expect(body.pulled()).toBe(0);
}

describe("Stripe's webhook (anonymous until the signature is checked): 1 MB", () => {
  const LIMIT = MB;
  const url = `${ORIGIN}/api/stripe/webhook`;

  it('a chunked 2 GB body is refused after ~1 MB is pulled, with memory growth under 64 MB', async () => {
    const events = await db().stripeEvent.count();
    const body = lazyBody(2 * 2 ** 30, '{"id":"evt_big","object":"event","data":"');
    const rssBefore = process.memoryUsage().rss;
    const res = await stripeRoute(post(url, body.stream, { 'stripe-signature': 't=1,v1=00' }));
    const growth = process.memoryUsage().rss - rssBefore;
    await expectRefused(res, body, LIMIT);
    expect(growth).toBeLessThan(64 * MB);
    expect(await db().stripeEvent.count()).toBe(events);
  });

  it('a Content-Length over 1 MB is refused before reading', async () => {
    const body = lazyBody(2 * 2 ** 30);
    const res = await stripeRoute(
      post(url, body.stream, { 'content-length': String(LIMIT + 1), 'stripe-signature': 'x' }),
    );
    await expectRefusedUnread(res, body);
  });

  it('a genuine event sent chunked is verified on its raw bytes and handled', async () => {
    const u = await makeUser();
    const cus = `cus_bounded_${Date.now()}`;
    await db().stripeCustomer.create({ data: { userId: u.id, stripeCustomerId: cus } });
    const e = event(
      'checkout.session.completed',
      objects.packCheckout(cus, `pi_${cus}`, 'pack-100', 900),
    );
    const raw = payload(e);
    const res = await stripeRoute(
      post(url, chunked(raw), { 'stripe-signature': signatureOf(raw) }),
    );
    expect(res.status, await res.clone().text()).toBe(200);
    expect(await db().stripeEvent.count({ where: { id: e.id } })).toBe(1);
  });
});

describe('REST JSON routes (restRoute + jsonBody) and the idempotency fingerprint: 1 MB', () => {
  const LIMIT = MAX_JSON_BYTES;
  const url = `${ORIGIN}/api/v1/webhooks`;
  const prefix = '{"url":"https://hooks.example.com/in","description":"';
  let secret = '';
  let userId = '';
  const headers = (extra: Record<string, string> = {}) => jsonHeaders(secret, extra);
  const endpoints = () => db().webhookEndpoint.count({ where: { userId } });
  const records = () => db().idempotencyRecord.count({ where: { userId } });

  beforeAll(async () => {
    ({ secret, userId } = await userWithKey(['webhooks:read', 'webhooks:write']));
  });

  it('a chunked body over 1 MB is refused while read and stores nothing', async () => {
    const body = lazyBody(2 * 2 ** 30, prefix);
    await expectRefused(
      await webhooksRoute(post(url, body.stream, headers()), undefined),
      body,
      LIMIT,
    );
    expect(await endpoints()).toBe(0);
  });

  it('with an Idempotency-Key the fingerprint reads the body bounded: 413, no key claimed', async () => {
    const body = lazyBody(2 * 2 ** 30, prefix);
    const req = post(url, body.stream, headers({ 'idempotency-key': 'bounded-1' }));
    await expectRefused(await webhooksRoute(req, undefined), body, LIMIT);
    expect(await records()).toBe(0);
    expect(await endpoints()).toBe(0);
  });

  it('a Content-Length over 1 MB is refused before reading, with or without a key', async () => {
    for (const extra of [{}, { 'idempotency-key': 'bounded-2' }] as Record<string, string>[]) {
      const body = lazyBody(2 * 2 ** 30, prefix);
      const req = post(
        url,
        body.stream,
        headers({ 'content-length': String(LIMIT + 1), ...extra }),
      );
      await expectRefusedUnread(await webhooksRoute(req, undefined), body);
    }
    expect(await records()).toBe(0);
  });

  it('a caller without a key is refused before its body is read', async () => {
    const body = lazyBody(2 * 2 ** 30, prefix);
    const res = await webhooksRoute(
      post(url, body.stream, { 'content-type': 'application/json' }),
      undefined,
    );
    expect(res.status).toBe(401);
    expect(body.pulled()).toBe(0);
  });

  it('a chunked body within the limit works, and its idempotent retry replays', async () => {
    // 900 KB of JSON (whitespace is JSON too): near the limit, still under it.
    const json = `{"url":"https://hooks.example.com/in"${' '.repeat(900_000)}}`;
    const first = await webhooksRoute(
      post(url, chunked(json), headers({ 'idempotency-key': 'bounded-ok' })),
      undefined,
    );
    expect(first.status, await first.clone().text()).toBe(201);
    const again = await webhooksRoute(
      post(url, chunked(json), headers({ 'idempotency-key': 'bounded-ok' })),
      undefined,
    );
    expect(again.status).toBe(201);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(await endpoints()).toBe(1);
  });
});

describe('multipart uploads: the file limit + 64 KB of form framing', () => {
  const boundary = 'bounded-bodies-boundary';
  const head = `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="a.png"\r\nContent-Type: image/png\r\n\r\n`;
  let secret = '';
  let userId = '';
  const headers = (extra: Record<string, string> = {}) =>
    bearer(secret, { 'content-type': `multipart/form-data; boundary=${boundary}`, ...extra });
  const stored = () => {
    const dir = path.join(process.env.STORAGE_DIR!, 'users', userId);
    return fs.existsSync(dir) ? fs.readdirSync(dir, { recursive: true }).length : 0;
  };

  beforeAll(async () => {
    ({ secret, userId } = await userWithKey([
      'references:read',
      'references:write',
      'adapters:write',
    ]));
  });

  it('a chunked library upload over 20 MB is refused while read and stores nothing', async () => {
    const limit = multipartBodyLimit(MAX_UPLOAD_BYTES);
    const body = lazyBody(2 * 2 ** 30, head);
    const res = await referencesRoute(
      post(`${ORIGIN}/api/v1/references`, body.stream, headers()),
      undefined,
    );
    await expectRefused(res, body, limit);
    expect(await db().referenceImage.count({ where: { userId } })).toBe(0);
    expect(stored()).toBe(0);
  });

  it('a Content-Length over the limit is refused before reading (library images, adapter imports)', async () => {
    for (const [route, url, limit] of [
      [referencesRoute, '/api/v1/references', multipartBodyLimit(MAX_UPLOAD_BYTES)],
      [adaptersRoute, '/api/v1/adapters', multipartBodyLimit(MAX_ADAPTER_BYTES)],
    ] as const) {
      const body = lazyBody(2 * 2 ** 30, head);
      const res = await route(
        post(`${ORIGIN}${url}`, body.stream, headers({ 'content-length': String(limit + 1) })),
        undefined,
      );
      await expectRefusedUnread(res, body);
    }
  });

  it('an idempotent upload over the limit is refused by the bounded fingerprint read', async () => {
    const limit = multipartBodyLimit(MAX_UPLOAD_BYTES);
    const body = lazyBody(2 * 2 ** 30, head);
    const res = await referencesRoute(
      post(`${ORIGIN}/api/v1/references`, body.stream, headers({ 'idempotency-key': 'up-1' })),
      undefined,
    );
    await expectRefused(res, body, limit);
    expect(await db().idempotencyRecord.count({ where: { userId } })).toBe(0);
  });

  it('a chunked upload within the limit is stored', async () => {
    const form = new FormData();
    form.set('file', new Blob([new Uint8Array(await photoPng())], { type: 'image/png' }), 'a.png');
    const framed = new Response(form);
    const bytes = new Uint8Array(await framed.arrayBuffer());
    const res = await referencesRoute(
      post(
        `${ORIGIN}/api/v1/references`,
        chunked(bytes),
        bearer(secret, { 'content-type': framed.headers.get('content-type')! }),
      ),
      undefined,
    );
    expect(res.status, await res.clone().text()).toBe(201);
    expect(await db().referenceImage.count({ where: { userId } })).toBe(1);
  });
});

describe('worker protocol routes: 1 MB, heartbeats 4 MB (preview PNG)', () => {
  let token = '';
  const auth = () => jsonHeaders(token);
  const jobCtx = routeParams('00000000-0000-4000-8000-000000000000');

  beforeAll(async () => {
    ({ token } = await makeWorker('bounded'));
  });

  it('chunked lease and heartbeat bodies over their limits are refused while read', async () => {
    const lease = lazyBody(2 * 2 ** 30, '{"worker_id":"');
    await expectRefused(
      await leaseRoute(post(`${ORIGIN}/api/worker/v1/lease`, lease.stream, auth())),
      lease,
      WORKER_BODY_MAX_BYTES,
    );
    const beat = lazyBody(2 * 2 ** 30, '{"preview_png_base64":"');
    await expectRefused(
      await heartbeatRoute(
        post(`${ORIGIN}/api/worker/v1/jobs/x/heartbeat`, beat.stream, auth()),
        jobCtx,
      ),
      beat,
      HEARTBEAT_BODY_MAX_BYTES,
    );
  });

  it('a Content-Length over the limit is refused before reading; a bad token before reading too', async () => {
    const declared = lazyBody(2 * 2 ** 30);
    await expectRefusedUnread(
      await leaseRoute(
        post(`${ORIGIN}/api/worker/v1/lease`, declared.stream, {
          ...auth(),
          'content-length': String(WORKER_BODY_MAX_BYTES + 1),
        }),
      ),
      declared,
    );
    const anon = lazyBody(2 * 2 ** 30);
    const res = await leaseRoute(
      post(`${ORIGIN}/api/worker/v1/lease`, anon.stream, jsonHeaders('aswk_wrong')),
    );
    expect(res.status).toBe(401);
    expect(anon.pulled()).toBe(0);
  });

  it('a chunked lease within the limit is served (no job: 204)', async () => {
    const res = await leaseRoute(
      post(
        `${ORIGIN}/api/worker/v1/lease`,
        chunked(JSON.stringify(leaseBody('bounded', 0))),
        auth(),
      ),
    );
    expect(res.status, await res.clone().text()).toBe(204);
  });
});

describe('better-auth: 64 KB, then a Request rebuilt from those bytes', () => {
  const LIMIT = 64 * 1024;
  const headers = (extra: Record<string, string> = {}) => ({
    'content-type': 'application/json',
    origin: ORIGIN,
    'x-forwarded-for': '198.51.100.250',
    ...extra,
  });

  it('a chunked sign-up over 64 KB is refused while read and makes no account', async () => {
    const email = `huge-${Date.now()}@example.com`;
    const body = lazyBody(
      2 * 2 ** 30,
      `{"email":"${email}","password":"a perfectly fine password","name":"`,
    );
    const res = await authRoute(post(`${ORIGIN}/api/auth/sign-up/email`, body.stream, headers()));
    await expectRefused(res, body, LIMIT);
    expect(await db().user.count({ where: { email } })).toBe(0);
  });

  it('a Content-Length over 64 KB is refused before reading', async () => {
    const body = lazyBody(2 * 2 ** 30);
    const res = await authRoute(
      post(
        `${ORIGIN}/api/auth/sign-in/email`,
        body.stream,
        headers({ 'content-length': String(LIMIT + 1) }),
      ),
    );
    await expectRefusedUnread(res, body);
  });

  it('a chunked sign-in within the limit signs in', async () => {
    const u = await makeUser();
    const res = await authRoute(
      post(
        `${ORIGIN}/api/auth/sign-in/email`,
        chunked(JSON.stringify({ email: u.email, password: 'a perfectly fine password' })),
        headers(),
      ),
    );
    expect(res.status, await res.clone().text()).toBe(200);
    expect(res.headers.getSetCookie().join(';')).toMatch(/session_token/);
  });
});

describe('tRPC: 1 MB, then a Request rebuilt from those bytes', () => {
  const LIMIT = MB;
  let user: { id: string; cookie: string };
  const headers = (extra: Record<string, string> = {}) => sessionJsonHeaders(user.cookie, extra);
  const url = `${ORIGIN}/api/trpc/apiKeys.create`;
  const keys = () => db().apiKey.count({ where: { userId: user.id } });

  beforeAll(async () => {
    user = await makeUser();
  });

  it('a chunked mutation over 1 MB is refused while read and changes nothing', async () => {
    const body = lazyBody(2 * 2 ** 30, '{"json":{"name":"');
    await expectRefused(await trpcRoute(post(url, body.stream, headers())), body, LIMIT);
    expect(await keys()).toBe(0);
  });

  it('a Content-Length over 1 MB is refused before reading', async () => {
    const body = lazyBody(2 * 2 ** 30);
    const res = await trpcRoute(
      post(url, body.stream, headers({ 'content-length': String(LIMIT + 1) })),
    );
    await expectRefusedUnread(res, body);
  });

  it('a chunked mutation within the limit runs', async () => {
    const res = await trpcRoute(
      post(
        url,
        chunked(JSON.stringify({ json: { name: 'chunked', scopes: ['jobs:read'] } })),
        headers(),
      ),
    );
    expect(res.status, await res.clone().text()).toBe(200);
    expect(await keys()).toBe(1);
  });
});
