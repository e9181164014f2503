// Where webhooks may not go, over real sockets: with the test-only loopback setting OFF, every
// internal target is refused before a connection is made (a receiver listening on loopback sees
// nothing), names are judged by what they resolve to, and the connection goes to the address
// that was checked. Then the receiver's side: redirects are not followed, slow receivers time
// out, and huge answers are cut off.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { POST as generations } from '@/app/api/v1/generations/route';
import {
  GET as listEndpointsRoute,
  POST as createEndpointRoute,
} from '@/app/api/v1/webhooks/route';
import { db } from '@/server/db';
import { resetEnv } from '@/server/env';
import { attemptDelivery } from '@/server/webhooks/attempt';
import { newEndpointSecret } from '@/server/webhooks/secrets';
import { sendWebhook } from '@/server/webhooks/send';
import type { WebhookPolicy } from '@/server/webhooks/ssrf';
import { sessionHeaders } from '../helpers/app';
import { makeUser } from '../helpers/users';

const strict: WebhookPolicy = {
  allowLoopback: false,
  timeoutMs: 2000,
  maxResponseBytes: 64 * 1024,
};
const loopbackOk: WebhookPolicy = { ...strict, allowLoopback: true };

let hits = 0;
let hugeFinished = false;
/** Resolves when the server's side of the /huge answer is closed (finished or hung up on). */
let hugeClosed: Promise<void> = Promise.resolve();
const server = http.createServer((req, res) => {
  hits += 1;
  req.resume();
  if (req.url === '/redirect') {
    res.writeHead(302, { location: 'http://10.0.0.1/' }).end();
  } else if (req.url === '/slow') {
    // Never answers.
  } else if (req.url === '/slow-body') {
    res.writeHead(200);
    res.write('a');
  } else if (req.url === '/huge') {
    const chunk = Buffer.alloc(64 * 1024, 'x');
    let sent = 0;
    res.on('finish', () => (hugeFinished = true));
    hugeClosed = new Promise((r) => res.on('close', () => r()));
    res.writeHead(200, { 'content-type': 'text/plain' });
    const pump = () => {
      while (sent < 512 && !res.destroyed) {
        sent += 1;
        if (!res.write(chunk)) return void res.once('drain', pump);
      }
      if (!res.destroyed) res.end();
    };
    pump();
  } else {
    res.writeHead(200).end('ok');
  }
});
let port = 0;
const msg = (url: string) => ({
  url,
  messageId: 'msg_test',
  secret: newEndpointSecret(),
  body: JSON.stringify({ type: 'job.succeeded' }),
});

beforeAll(async () => {
  process.env.WEBHOOK_ALLOW_LOOPBACK = '0';
  resetEnv();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as AddressInfo).port;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

describe('refused targets (loopback not allowed)', () => {
  it.each([
    ['loopback', () => `https://127.0.0.1:${port}/`, /loopback address/],
    ['private', () => 'https://10.0.0.1/', /private address/],
    ['metadata', () => 'https://169.254.169.254/latest/meta-data/', /link-local address/],
    ['IPv6 loopback', () => `https://[::1]:${port}/`, /loopback address/],
    ['IPv4-mapped loopback', () => `https://[::ffff:127.0.0.1]:${port}/`, /loopback address/],
    ['decimal loopback', () => `https://2130706433:${port}/`, /loopback address/],
    ['localhost', () => `https://localhost:${port}/`, /localhost/],
    // Resolved through the system resolver (/etc/hosts): a name for a local address.
    ['this machine by name', () => `https://${os.hostname()}:${port}/`, /resolves to/],
    ['plain http', () => `http://127.0.0.1:${port}/`, /https/],
    ['plain http, public host', () => 'http://example.com/', /https/],
  ])('%s is refused without connecting', async (_what, url, why) => {
    const before = hits;
    const out = await sendWebhook(msg(url()), strict);
    expect(out).toMatchObject({ ok: false, retryable: false, statusCode: null });
    expect(out.error).toMatch(/^refused/);
    expect(out.error).toMatch(why);
    expect(hits).toBe(before);
  });

  it('refuses a name if ANY of its addresses is internal, and explains which', async () => {
    const out = await sendWebhook(msg('https://hooks.example.com/'), strict, () =>
      Promise.resolve([
        { address: '93.184.215.14', family: 4 },
        { address: '10.1.2.3', family: 4 },
      ]),
    );
    expect(out.error).toBe('refused: hooks.example.com resolves to 10.1.2.3 (private)');
    const mapped = await sendWebhook(msg('https://hooks.example.com/'), strict, () =>
      Promise.resolve([{ address: '::ffff:169.254.169.254', family: 6 }]),
    );
    expect(mapped.error).toMatch(/link-local/);
  });

  it('connects to the address it checked, not to a second DNS answer', async () => {
    // `rebind.invalid` has no DNS at all: the request can only arrive through the checked address.
    const before = hits;
    const out = await sendWebhook(msg(`http://rebind.invalid:${port}/ok`), loopbackOk, () =>
      Promise.resolve([{ address: '127.0.0.1', family: 4 }]),
    );
    expect(out).toMatchObject({ ok: true, statusCode: 200 });
    expect(hits).toBe(before + 1);
  });

  it('refuses these targets at registration and on a job, storing nothing', async () => {
    const u = await makeUser();
    const headers = sessionHeaders(u.cookie, { 'content-type': 'application/json' });
    for (const url of [
      `https://127.0.0.1:${port}/`,
      'https://10.0.0.1/',
      'https://169.254.169.254/',
      'https://[::1]/',
      'https://localhost/',
      'http://hooks.example.com/',
      'https://user:pw@hooks.example.com/',
    ]) {
      const res = await createEndpointRoute(
        new Request('http://localhost:3000/api/v1/webhooks', {
          method: 'POST',
          headers,
          body: JSON.stringify({ url }),
        }),
        undefined,
      );
      expect(res.status, url).toBe(422);
      const job = await generations(
        new Request('http://localhost:3000/api/v1/generations', {
          method: 'POST',
          headers,
          body: JSON.stringify({ prompt: 'x', webhook: url }),
        }),
        undefined,
      );
      expect(job.status, url).toBe(422);
      expect(((await job.json()) as { detail: string }).detail).toMatch(/^webhook: /);
    }
    expect(await db().webhookEndpoint.count({ where: { userId: u.id } })).toBe(0);
    expect(await db().job.count({ where: { userId: u.id } })).toBe(0);
    const list = await listEndpointsRoute(
      new Request('http://localhost:3000/api/v1/webhooks', { headers }),
      undefined,
    );
    expect(await list.json()).toEqual({ items: [] });
  });

  it('a stored URL that is refused at send time fails at once, without retries', async () => {
    const u = await makeUser();
    // As if the setting was on when it was registered (or its DNS changed since).
    const endpoint = await db().webhookEndpoint.create({
      data: {
        userId: u.id,
        url: `https://localhost:${port}/`,
        secret: newEndpointSecret(),
        eventTypes: ['job.failed'],
      },
    });
    const row = await db().webhookDelivery.create({
      data: {
        userId: u.id,
        endpointId: endpoint.id,
        url: endpoint.url,
        eventType: 'job.failed',
        payload: {
          type: 'job.failed',
          timestamp: new Date().toISOString(),
          data: { id: 'x', status: 'FAILED' },
        },
      },
    });
    const before = hits;
    const result = await attemptDelivery(row.id, { policy: strict });
    expect(result).toMatchObject({ status: 'FAILED', attempt: 1, nextAttemptAt: null });
    expect(await db().webhookDelivery.findUniqueOrThrow({ where: { id: row.id } })).toMatchObject({
      status: 'FAILED',
      attempts: 1,
      lastStatusCode: null,
      lastError: expect.stringMatching(/^refused/) as string,
    });
    expect(hits).toBe(before);
    // Not due any more: a second trigger does nothing.
    expect(await attemptDelivery(row.id, { policy: strict })).toBeNull();
  });
});

describe("the receiver's side", () => {
  it('does not follow a redirect (here to a private address)', async () => {
    const before = hits;
    const out = await sendWebhook(msg(`http://127.0.0.1:${port}/redirect`), loopbackOk);
    expect(out).toMatchObject({ ok: false, retryable: true, statusCode: 302 });
    expect(out.error).toBe('HTTP 302: redirect not followed');
    expect(hits).toBe(before + 1);
  });

  it('times out a receiver that does not answer, or answers too slowly', async () => {
    const quick = { ...loopbackOk, timeoutMs: 400 };
    for (const path of ['/slow', '/slow-body']) {
      // These never finish answering: only the deadline ends the call (the test's own timeout
      // would catch a hang), and it does not fire early.
      const t0 = Date.now();
      const out = await sendWebhook(msg(`http://127.0.0.1:${port}${path}`), quick);
      expect(out).toMatchObject({ ok: false, retryable: true, error: 'timed out after 400 ms' });
      expect(Date.now() - t0).toBeGreaterThanOrEqual(350);
    }
  });

  it('bounds name resolution by the same deadline', async () => {
    // The resolver never answers: only the deadline can end the call.
    const out = await sendWebhook(
      msg('https://slow-dns.example.com/'),
      { ...strict, timeoutMs: 300 },
      () => new Promise(() => {}),
    );
    expect(out).toMatchObject({ ok: false, retryable: true });
    expect(out.error).toBe('timed out after 300 ms (DNS)');
  });

  it('reads at most a bounded amount of a huge answer, then hangs up', async () => {
    const out = await sendWebhook(msg(`http://127.0.0.1:${port}/huge`), loopbackOk);
    expect(out).toMatchObject({ ok: true, statusCode: 200, truncated: true });
    expect(out.bytesRead).toBeGreaterThan(64 * 1024);
    expect(out.bytesRead).toBeLessThanOrEqual(64 * 1024 + 64 * 1024);
    await hugeClosed; // the connection ends: finished, or hung up on
    expect(hugeFinished).toBe(false); // 32 MiB were offered; the sender hung up before the end
  });
});
