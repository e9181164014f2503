// The developer's path with nothing faked, as the "done when" puts it: the OpenAPI
// document from the production server, a client generated from it (openapi-typescript +
// openapi-fetch) that creates a generation and fetches it, the real worker running it, a signed
// webhook verified with the Standard Webhooks library, and the image fetched. Plus the rate limit
// holding across two app processes on one database.
import http from 'node:http';
import { Validator } from '@seriousme/openapi-schema-validator';
import sharp from 'sharp';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiClient } from '@/lib/api-client';
import { createApiKey } from '@/server/api-keys/keys';
import { createWorkerToken, revokeWorkerToken } from '@/server/workers/tokens';
import {
  startApp,
  startWorker,
  tinyModels,
  waitFor,
  type LiveApp,
  type LiveWorker,
} from '../helpers/live';
import { makeUser } from '../helpers/users';

let a: LiveApp;
let b: LiveApp;
let worker: LiveWorker | null = null;
let token: { id: string; token: string };

interface Received {
  headers: http.IncomingHttpHeaders;
  body: string;
}
const received: Received[] = [];
let receiver: http.Server;
let receiverUrl = '';

beforeAll(async () => {
  tinyModels();
  receiver = http.createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString()));
    req.on('end', () => {
      received.push({ headers: req.headers, body });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
  receiverUrl = `http://127.0.0.1:${(receiver.address() as { port: number }).port}/hook`;
  // Loopback receivers are allowed by this explicit, test-only setting.
  const env = { WEBHOOK_ALLOW_LOOPBACK: '1', WEBHOOK_RETRY_BASE_MS: '200', WEBHOOK_SWEEP_S: '1' };
  [a, b] = await Promise.all([startApp(env), startApp(env)]);
  token = await createWorkerToken('api-live', 'api live test');
}, 240_000);

afterAll(async () => {
  await worker?.stop('SIGKILL');
  await Promise.all([a?.stop(), b?.stop()]);
  await new Promise((r) => receiver?.close(r));
  if (token) await revokeWorkerToken(token.id);
});

describe('a developer with only the OpenAPI document', () => {
  it('creates a key, submits a generation, receives a verified webhook and fetches the image', async () => {
    const doc = (await (await fetch(`${a.url}/api/v1/openapi.json`)).json()) as Record<
      string,
      unknown
    >;
    expect((await new Validator().validate(doc)).valid).toBe(true);
    const docs = await fetch(`${a.url}/docs/api`);
    expect(docs.status).toBe(200);
    expect((await fetch(`${a.url}/docs/api/swagger/swagger-ui-bundle.js`)).status).toBe(200);

    const user = await makeUser({ credits: 100 });
    const key = await createApiKey(user.id, {
      name: 'my app',
      scopes: ['jobs:read', 'jobs:write', 'webhooks:write'],
    });
    const api = createApiClient(a.url, key.secret);
    const secret = await api.GET('/webhooks/job-secret');
    expect(secret.response.status).toBe(200);

    worker = startWorker(a.url, token.token, 'api-live-w');
    const created = await api.POST('/generations', {
      body: {
        prompt: 'a lighthouse at dusk',
        steps: 2,
        width: 256,
        height: 256,
        webhook: receiverUrl,
      },
      headers: { 'Idempotency-Key': 'first-try', Prefer: 'wait=60' },
    });
    expect(created.error).toBeUndefined();
    const jobId = created.data!.id;
    const done = await waitFor(
      async () => {
        const got = await api.GET('/jobs/{id}', { params: { path: { id: jobId } } });
        return got.data && ['SUCCEEDED', 'FAILED'].includes(got.data.status) ? got.data : null;
      },
      120_000,
      'the job to finish',
    );
    expect(done.status).toBe('SUCCEEDED');
    expect(done.outputs).toHaveLength(1);

    const image = await fetch(done.outputs[0]!.url);
    expect(image.status).toBe(200);
    const meta = await sharp(Buffer.from(await image.arrayBuffer())).metadata();
    expect([meta.format, meta.width, meta.height]).toEqual(['png', 256, 256]);

    const hook = await waitFor(
      () => Promise.resolve(received.find((r) => r.body.includes(jobId))),
      30_000,
      'the webhook',
    );
    const verified = new Webhook(secret.data!.secret).verify(hook.body, {
      'webhook-id': String(hook.headers['webhook-id']),
      'webhook-timestamp': String(hook.headers['webhook-timestamp']),
      'webhook-signature': String(hook.headers['webhook-signature']),
    }) as { type: string; data: { id: string; status: string } };
    expect(verified).toMatchObject({
      type: 'job.succeeded',
      data: { id: jobId, status: 'SUCCEEDED' },
    });
    // A tampered body fails verification.
    expect(() =>
      new Webhook(secret.data!.secret).verify(hook.body.replace('SUCCEEDED', 'FAILED'), {
        'webhook-id': String(hook.headers['webhook-id']),
        'webhook-timestamp': String(hook.headers['webhook-timestamp']),
        'webhook-signature': String(hook.headers['webhook-signature']),
      }),
    ).toThrow();
    // Replaying the creation with the same key gives the same job, not a second one.
    const replay = await api.POST('/generations', {
      body: {
        prompt: 'a lighthouse at dusk',
        steps: 2,
        width: 256,
        height: 256,
        webhook: receiverUrl,
      },
      headers: { 'Idempotency-Key': 'first-try', Prefer: 'wait=60' },
    });
    expect(replay.data?.id).toBe(jobId);
  });
});

describe('rate limits across app processes', () => {
  it('one key gets its plan limit in total, however the requests are spread over instances', async () => {
    // Start well inside a minute window so the count is not split by a window boundary.
    const intoMinute = (Date.now() / 1000) % 60;
    if (intoMinute > 40) await new Promise((r) => setTimeout(r, (61 - intoMinute) * 1000));
    const user = await makeUser();
    const key = await createApiKey(user.id, { name: 'spread', scopes: ['account:read'] });
    const call = (app: LiveApp) =>
      fetch(`${app.url}/api/v1/account`, { headers: { authorization: `Bearer ${key.secret}` } });
    const responses: Response[] = [];
    for (let i = 0; i < 35; i++) responses.push(...(await Promise.all([call(a), call(b)])));
    const statuses = responses.map((r) => r.status);
    expect(statuses.filter((s) => s === 200)).toHaveLength(60);
    expect(statuses.filter((s) => s === 429)).toHaveLength(10);
    for (const r of responses) {
      expect(r.headers.get('ratelimit-limit')).toBe('60');
      expect(r.headers.get('ratelimit-remaining')).toMatch(/^\d+$/);
    }
    const limited = responses.find((r) => r.status === 429)!;
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(limited.headers.get('content-type')).toBe('application/problem+json');
  });
});
