// Test-mode keys (as_test_…), the way payment APIs' test modes work: a generation through REST or
// tRPC is accepted already SUCCEEDED with deterministic placeholder PNGs marked TEST, spends
// nothing (no ledger entry, balance untouched), is never leased by a waiting worker, and still
// fires its webhook — whose URL is logged without its query string.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import sharp from 'sharp';
import superjson from 'superjson';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { POST as generations } from '@/app/api/v1/generations/route';
import { GET as getJobRoute } from '@/app/api/v1/jobs/[id]/route';
import { POST as trpcPost } from '@/app/api/trpc/[trpc]/route';
import { db } from '@/server/db';
import { resetEnv } from '@/server/env';
import { createGenerateJob } from '@/server/jobs/create';
import { placeholderPng } from '@/server/jobs/test-mode';
import { storage } from '@/server/storage';
import { attemptDelivery } from '@/server/webhooks/attempt';
import { loggableUrl } from '@/server/webhooks/redact';
import { jobUrlSecret } from '@/server/webhooks/secrets';
import { startWebhookWorker, stopWebhookWorker } from '@/server/webhooks/worker';
import { waitFor } from '../helpers/live';
import { API_BASE, jsonHeaders, routeParams, userWithKey } from '../helpers/rest';
import { balanceOf, makeUser } from '../helpers/users';
import { leaseAs, makeWorker } from '../helpers/workers';

interface Hit {
  path: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}
const hits: Hit[] = [];
const server = http.createServer((req, res) => {
  let body = '';
  req.on('data', (c: Buffer) => (body += c.toString()));
  req.on('end', () => {
    hits.push({ path: req.url ?? '/', headers: req.headers, body });
    res.writeHead(200).end('ok');
  });
});
const hookUrl = (path: string) =>
  `http://127.0.0.1:${(server.address() as AddressInfo).port}${path}`;

beforeAll(async () => {
  process.env.WEBHOOK_ALLOW_LOOPBACK = '1';
  process.env.WEBHOOK_SWEEP_S = '3600';
  resetEnv();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  await startWebhookWorker();
});

afterAll(async () => {
  await stopWebhookWorker();
  await new Promise<void>((r) => server.close(() => r()));
});

/** A verified user (jobs need it) with 50 credits, holding a test-mode key. */
const testKeyUser = () => userWithKey(['jobs:read', 'jobs:write'], { credits: 50, mode: 'test' });

interface JobWire {
  id: string;
  status: string;
  livemode: boolean;
  price: number;
  outputs: { id: string; url: string; width: number; height: number }[];
}

const REQUEST = { prompt: 'a lighthouse at dusk', width: 512, height: 768, numImages: 2, seed: 7 };

describe('test-mode keys', () => {
  it('spend nothing, never reach a worker, answer a TEST placeholder, and fire the webhook', async () => {
    const { user, secret } = await testKeyUser();
    const before = await balanceOf(user.id);
    const ledgerBefore = await db().creditLedgerEntry.count({ where: { userId: user.id } });

    // A worker is already waiting for work when the test job arrives.
    const worker = await makeWorker();
    const waiting = leaseAs(worker, 30);

    const hook = `/hook?token=s3cret-receiver-token&tenant=42`;
    const res = await generations(
      new Request(`${API_BASE}/generations`, {
        method: 'POST',
        headers: jsonHeaders(secret),
        body: JSON.stringify({ ...REQUEST, webhook: hookUrl(hook) }),
      }),
      undefined,
    );
    expect(res.status, await res.clone().text()).toBe(201);
    const created = (await res.json()) as JobWire;
    expect(created).toMatchObject({ status: 'SUCCEEDED', livemode: false, price: 0 });

    // Nothing spent: no ledger entry at all, balance and holds untouched.
    expect(await balanceOf(user.id)).toEqual(before);
    expect(await db().creditLedgerEntry.count({ where: { userId: user.id } })).toBe(ledgerBefore);
    expect(await db().creditLedgerEntry.count({ where: { jobId: created.id } })).toBe(0);

    // The waiting worker is handed the next LIVE job, never the test one.
    const live = await createGenerateJob((await makeUser({ credits: 50 })).id, {
      prompt: 'a real one',
    });
    const leased = await waiting;
    expect(leased?.id).toBe(live.id);
    const row = await db().job.findUniqueOrThrow({ where: { id: created.id } });
    expect(row).toMatchObject({ status: 'SUCCEEDED', leaseId: null, attempts: 0, livemode: false });

    // The job reads as a finished test job with two placeholder PNGs of the asked size.
    const got = await getJobRoute(
      new Request(`${API_BASE}/jobs/${created.id}`, { headers: jsonHeaders(secret) }),
      routeParams(created.id),
    );
    const job = (await got.json()) as JobWire;
    expect(job).toMatchObject({ status: 'SUCCEEDED', livemode: false, price: 0 });
    expect(job.outputs.map((o) => [o.width, o.height])).toEqual([
      [512, 768],
      [512, 768],
    ]);
    const outputs = await db().jobOutput.findMany({
      where: { jobId: created.id },
      orderBy: { index: 'asc' },
    });
    // Stored like outputs, so counted in the user's storage (and refused past the quota).
    expect(
      Number((await db().user.findUniqueOrThrow({ where: { id: user.id } })).storageUsedBytes),
    ).toBe(outputs.reduce((n, o) => n + o.bytes, 0));
    for (const o of outputs) {
      const png = (await storage().get(o.storageKey))!;
      const meta = await sharp(png).metadata();
      expect([meta.format, meta.width, meta.height]).toEqual(['png', 512, 768]);
      expect(png.toString('latin1')).toContain('Adapter Studio test mode');
      // "TEST" is drawn: the middle row crosses the white plate and the black letters.
      const { data, info } = await sharp(png)
        .extract({ left: 0, top: 384, width: 512, height: 1 })
        .raw()
        .toBuffer({ resolveWithObject: true });
      const px = Array.from({ length: info.width }, (_, x) => data[x * info.channels]!);
      expect(px.some((v) => v === 255)).toBe(true);
      expect(px.some((v) => v === 20)).toBe(true);
    }
    // Deterministic: the same request makes the same bytes; another one different bytes.
    const again = await generations(
      new Request(`${API_BASE}/generations`, {
        method: 'POST',
        headers: jsonHeaders(secret),
        body: JSON.stringify({ ...REQUEST, webhook: hookUrl(hook) }),
      }),
      undefined,
    );
    const second = (await again.json()) as JobWire;
    const firstOf = async (jobId: string) =>
      storage().get(
        (await db().jobOutput.findFirstOrThrow({ where: { jobId, index: 0 } })).storageKey,
      );
    expect((await firstOf(second.id))!.equals((await firstOf(created.id))!)).toBe(true);
    expect(
      placeholderPng(512, 768, 'one request').equals(placeholderPng(512, 768, 'another')),
    ).toBe(false);

    // The webhook fires, signed, with the test job in it.
    const delivered = await waitFor(
      () =>
        Promise.resolve(
          hits.find(
            (h) => (JSON.parse(h.body) as { data?: { id?: string } }).data?.id === created.id,
          ),
        ),
      20_000,
      'the test job webhook',
    );
    expect(delivered.path).toBe(hook);
    const event = new Webhook(jobUrlSecret(user.id)).verify(
      delivered.body,
      delivered.headers as Record<string, string>,
    ) as { type: string; data: JobWire };
    expect(event.type).toBe('job.succeeded');
    expect(event.data).toMatchObject({ id: created.id, livemode: false, status: 'SUCCEEDED' });
  });

  it('through tRPC with the same key: the same test job', async () => {
    const { user, secret, keyId } = await testKeyUser();
    const before = await balanceOf(user.id);
    const res = await trpcPost(
      new Request('http://localhost:3000/api/trpc/jobs.create', {
        method: 'POST',
        headers: jsonHeaders(secret),
        body: JSON.stringify(superjson.serialize({ prompt: 'via trpc' })),
      }),
    );
    expect(res.status, await res.clone().text()).toBe(200);
    const { id } = superjson.deserialize<{ id: string }>(
      ((await res.json()) as { result: { data: Parameters<typeof superjson.deserialize>[0] } })
        .result.data,
    );
    const row = await db().job.findUniqueOrThrow({ where: { id } });
    expect(row).toMatchObject({ status: 'SUCCEEDED', livemode: false, price: 0, apiKeyId: keyId });
    expect(await balanceOf(user.id)).toEqual(before);
    expect(await db().jobOutput.count({ where: { jobId: id } })).toBe(1);
  });

  it('a live key still queues, holds and reads livemode: true', async () => {
    const { user, secret } = await userWithKey(['jobs:write'], { credits: 50 });
    const res = await generations(
      new Request(`${API_BASE}/generations`, {
        method: 'POST',
        headers: jsonHeaders(secret),
        body: JSON.stringify({ prompt: 'live' }),
      }),
      undefined,
    );
    const job = (await res.json()) as JobWire;
    expect(job).toMatchObject({ status: 'QUEUED', livemode: true });
    expect((await balanceOf(user.id)).held).toBe(job.price);
  });
});

describe('webhook URLs in logs', () => {
  it('are logged without query string, fragment or credentials', async () => {
    const user = await makeUser();
    const info = vi.spyOn(console, 'info');
    try {
      const urls = [
        hookUrl('/logged?token=s3cret-in-query#frag-s3cret'),
        hookUrl('/creds').replace('http://', 'http://alice:s3cret-password@'),
      ];
      for (const url of urls) {
        const d = await db().webhookDelivery.create({
          data: { userId: user.id, url, eventType: 'job.succeeded', payload: { data: {} } },
        });
        expect(await attemptDelivery(d.id)).not.toBeNull();
      }
      const lines = info.mock.calls.map((c) => c.join(' ')).filter((l) => l.includes('[webhooks]'));
      expect(lines.some((l) => l.includes('/logged'))).toBe(true);
      expect(lines.some((l) => l.includes('/creds'))).toBe(true);
      for (const l of lines) {
        expect(l).not.toMatch(/s3cret|token=|alice/);
      }
    } finally {
      info.mockRestore();
    }
    expect(loggableUrl('https://u:p@hooks.example.com:8443/a/b?x=1#y')).toBe(
      'https://hooks.example.com:8443/a/b (query, fragment or credentials removed)',
    );
    expect(loggableUrl('https://hooks.example.com/a')).toBe('https://hooks.example.com/a');
  });
});
