// Request forgery (issue 14, item 4): a state-changing request signed in by the session cookie must
// come from this site's pages (Origin of APP_URL or TRUSTED_ORIGINS, or Sec-Fetch-Site:
// same-origin) and carry its route's content type; Bearer-key callers are unaffected. Every route
// file under app/api and every tRPC mutation is walked, so a new route is covered or named here.
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { POST as authPost } from '@/app/api/auth/[...all]/route';
import { GET as controlMap } from '@/app/api/references/[id]/control-map/route';
import { POST as trpcPost } from '@/app/api/trpc/[trpc]/route';
import { POST as createWebhook } from '@/app/api/v1/webhooks/route';
import { POST as generations } from '@/app/api/v1/generations/route';
import { createApiKey } from '@/server/api-keys/keys';
import { db } from '@/server/db';
import { parseEnv, resetEnv } from '@/server/env';
import { createGenerateJob } from '@/server/jobs/create';
import { addLibraryImage } from '@/server/references/library';
import { appRouter } from '@/server/trpc/router';
import { createEndpoint } from '@/server/webhooks/endpoints';
import { freshIp, ORIGIN, trpcQuery } from '../helpers/app';
import { photoPng } from '../helpers/hostile-files';
import { makeUser } from '../helpers/users';

const ROOT = path.resolve(import.meta.dirname, '..', '..');
const EVIL = 'https://evil.example';
const STATE_CHANGING = ['POST', 'PUT', 'PATCH', 'DELETE'] as const;
type Method = (typeof STATE_CHANGING)[number];
type Handler = (req: Request, ctx: unknown) => Promise<Response>;

/**
 * Route files that never take the session cookie as a credential, and what they take instead.
 * The walk checks that a cookie alone still changes nothing there.
 */
const NOT_BY_COOKIE: Record<string, string> = {
  'stripe/webhook': 'the Stripe-Signature of the raw body',
  'storage/[...key]': 'an HMAC-signed URL',
  'worker/v1/lease': 'a worker token',
  'worker/v1/jobs/[id]/complete': 'a worker token',
  'worker/v1/jobs/[id]/fail': 'a worker token',
  'worker/v1/jobs/[id]/heartbeat': 'a worker token',
  'worker/v1/jobs/[id]/release': 'a worker token',
};
/** Walked by their own cases below (better-auth; tRPC per mutation). */
const OWN_CASES = new Set(['auth/[...all]', 'trpc/[trpc]']);
/** The routes that read multipart bodies (restRoute's `body: 'multipart'`). */
const MULTIPART = new Set(['v1/references', 'v1/adapters']);

interface RouteMethod {
  route: string;
  method: Method;
  handler: Handler;
}

/** Every app/api/**\/route.ts and its exported state-changing methods, as the server serves them. */
async function stateChangingRoutes(): Promise<RouteMethod[]> {
  const dir = path.join(ROOT, 'app', 'api');
  const out: RouteMethod[] = [];
  for (const file of (fs.readdirSync(dir, { recursive: true }) as string[]).sort()) {
    if (!file.endsWith('route.ts')) continue;
    const route = path.dirname(file);
    const src = fs.readFileSync(path.join(dir, file), 'utf8');
    const mod = (await import(/* @vite-ignore */ path.join(dir, file))) as Record<string, Handler>;
    for (const method of STATE_CHANGING) {
      const exported =
        new RegExp(`export (const|function|async function) ${method}\\b`).test(src) ||
        new RegExp(`export const \\{[^}]*\\b${method}\\b[^}]*\\}`).test(src) ||
        new RegExp(`export \\{[^}]*\\bas ${method}\\b[^}]*\\}`).test(src);
      if (exported) {
        expect(mod[method], `${route} exports ${method}`).toBeTypeOf('function');
        out.push({ route, method, handler: mod[method]! });
      }
    }
  }
  return out;
}

/** What a user owns: none of it may change when a request is refused. */
async function holdings(userId: string) {
  const where = { userId };
  const user = await db().user.findUniqueOrThrow({ where: { id: userId } });
  return {
    jobs: await db().job.findMany({ where, select: { id: true, status: true } }),
    endpoints: await db().webhookEndpoint.count({ where }),
    references: await db().referenceImage.count({ where }),
    adapters: await db().adapter.count({ where }),
    keys: await db().apiKey.count({ where: { ...where, revokedAt: null } }),
    ledger: await db().creditLedgerEntry.count({ where }),
    sessions: await db().session.count({ where }),
    credits: [user.creditBalance, user.creditHeld],
    storedFiles: storedFiles(userId),
  };
}

function storedFiles(userId: string): number {
  const dir = path.join(process.env.STORAGE_DIR!, 'users', userId);
  if (!fs.existsSync(dir)) return 0;
  return fs.readdirSync(dir, { recursive: true, withFileTypes: true }).filter((d) => d.isFile())
    .length;
}

interface Victim {
  id: string;
  cookie: string;
  job: string;
  endpoint: string;
  reference: string;
}

let victim: Victim;

beforeAll(async () => {
  const u = await makeUser({ credits: 1000 });
  const job = await createGenerateJob(u.id, { prompt: 'a queued kite' });
  const endpoint = await createEndpoint(u.id, { url: 'https://hooks.example.com/in' });
  const reference = await addLibraryImage(u.id, await photoPng(96, 72));
  victim = { ...u, job: job.id, endpoint: endpoint.id, reference: reference.image.id };
});

afterEach(() => {
  delete process.env.TRUSTED_ORIGINS;
  resetEnv();
});

/** Real ids of the victim's things, so a request that got through would change something. */
function params(route: string) {
  const id = route.includes('webhooks/[id]')
    ? victim.endpoint
    : route.includes('references/[id]')
      ? victim.reference
      : route.includes('jobs/[id]')
        ? victim.job
        : randomUUID();
  return { params: Promise.resolve({ id, key: ['users', victim.id, 'x.png'] }) };
}

/** A body the route would accept from its owner, in the route's own content type. */
async function bodyFor(route: string): Promise<{ body: BodyInit; type: string | null }> {
  if (MULTIPART.has(route)) {
    const form = new FormData();
    form.set('file', new Blob([new Uint8Array(await photoPng(80, 64))]), 'a.png');
    form.set('name', 'forged');
    return { body: form, type: null }; // the Request sets multipart/form-data with its boundary
  }
  const json: Record<string, unknown> = route.endsWith('webhooks')
    ? { url: `${EVIL}/collect` }
    : route.endsWith('generations')
      ? { prompt: 'forged' }
      : route.includes('adapters/[id]')
        ? { name: 'forged' }
        : {};
  return { body: JSON.stringify(json), type: 'application/json' };
}

function request(
  route: string,
  method: string,
  headers: Record<string, string>,
  body?: BodyInit,
): Request {
  return new Request(`${ORIGIN}/api/${route.replace(/\[\.\.\.\w+\]|\[\w+\]/g, 'x')}`, {
    method,
    headers,
    body: method === 'GET' ? undefined : body,
  });
}

async function detailOf(res: Response): Promise<string> {
  const text = await res.text();
  try {
    const j = JSON.parse(text) as { detail?: string; error?: { json?: { message?: string } } };
    return j.detail ?? j.error?.json?.message ?? text;
  } catch {
    return text;
  }
}

describe('cookie callers on every state-changing route', () => {
  it('refuses another site’s Origin (403) and a body without its content type (415), changing nothing', async () => {
    const routes = await stateChangingRoutes();
    const covered = new Set(routes.map((r) => r.route));
    for (const name of [...Object.keys(NOT_BY_COOKIE), ...OWN_CASES]) {
      expect(covered, `${name} is still a state-changing route`).toContain(name);
    }
    const walked = routes.filter((r) => !OWN_CASES.has(r.route) && !(r.route in NOT_BY_COOKIE));
    expect(walked.length).toBeGreaterThanOrEqual(12);
    const before = await holdings(victim.id);
    for (const { route, method, handler } of walked) {
      const what = `${method} /api/${route}`;
      const { body, type } = await bodyFor(route);
      const typed: Record<string, string> = type ? { 'content-type': type } : {};

      const evil = await handler(
        request(route, method, { cookie: victim.cookie, origin: EVIL, ...typed }, body),
        params(route),
      );
      expect(evil.status, what).toBe(403);
      expect(await detailOf(evil), what).toMatch(/this site’s own pages/);

      // A sibling subdomain (same-site) is not this site either; nor is a request that names none.
      const sibling = await handler(
        request(
          route,
          method,
          {
            cookie: victim.cookie,
            origin: 'https://blog.localhost:3000',
            'sec-fetch-site': 'same-site',
            ...typed,
          },
          body,
        ),
        params(route),
      );
      expect(sibling.status, `${what} from a sibling`).toBe(403);
      const nameless = await handler(
        request(route, method, { cookie: victim.cookie, ...typed }, body),
        params(route),
      );
      expect(nameless.status, `${what} without Origin`).toBe(403);

      // From the app's own origin, a body needs its content type: none, or text/plain (what
      // fetch and a <form enctype="text/plain"> send) is 415.
      const raw = new TextEncoder().encode('{"prompt":"forged","url":"https://evil.example/x"}');
      const untyped = await handler(
        request(route, method, { cookie: victim.cookie, origin: ORIGIN }, raw),
        params(route),
      );
      expect(untyped.status, `${what} body without Content-Type`).toBe(415);
      expect(await detailOf(untyped), what).toMatch(/Content-Type: (application\/json|multipart)/);
      const plain = await handler(
        request(
          route,
          method,
          { cookie: victim.cookie, origin: ORIGIN, 'content-type': 'text/plain' },
          raw,
        ),
        params(route),
      );
      expect(plain.status, `${what} text/plain`).toBe(415);
    }
    expect(await holdings(victim.id)).toEqual(before);
  });

  it('leaves the routes that take other credentials closed to a cookie alone', async () => {
    const routes = (await stateChangingRoutes()).filter((r) => r.route in NOT_BY_COOKIE);
    const before = await holdings(victim.id);
    for (const { route, method, handler } of routes) {
      const res = await handler(
        request(
          route,
          method,
          { cookie: victim.cookie, origin: ORIGIN, 'content-type': 'application/json' },
          '{}',
        ),
        params(route),
      );
      expect(res.ok, `${method} /api/${route} with a cookie (${NOT_BY_COOKIE[route]})`).toBe(false);
    }
    expect(await holdings(victim.id)).toEqual(before);
  });

  it('refuses every tRPC mutation from another site’s page and one without JSON', async () => {
    const procedures = appRouter._def.procedures as unknown as Record<
      string,
      { _def: { type: string } }
    >;
    const mutations = Object.entries(procedures)
      .filter(([, p]) => p._def.type === 'mutation')
      .map(([name]) => name);
    expect(mutations).toContain('jobs.create');
    expect(mutations).toContain('apiKeys.create');
    expect(mutations).toContain('billing.checkout');
    const before = await holdings(victim.id);
    for (const name of mutations) {
      const body = JSON.stringify({
        json: { prompt: 'forged', name: 'forged', outputId: randomUUID() },
      });
      const evil = await trpcPost(
        new Request(`${ORIGIN}/api/trpc/${name}`, {
          method: 'POST',
          headers: { cookie: victim.cookie, origin: EVIL, 'content-type': 'application/json' },
          body,
        }),
      );
      expect(evil.status, name).toBe(403);
      expect(await detailOf(evil), name).toMatch(/this site’s own pages/);
      const plain = await trpcPost(
        new Request(`${ORIGIN}/api/trpc/${name}`, {
          method: 'POST',
          headers: { cookie: victim.cookie, origin: ORIGIN, 'content-type': 'text/plain' },
          body,
        }),
      );
      expect(plain.status, `${name} text/plain`).toBe(415);
    }
    expect(await holdings(victim.id)).toEqual(before);
    // Reading stays open to the signed-in page (queries are GETs).
    expect((await trpcQuery('account.me', { cookie: victim.cookie })).status).toBe(200);
  });
});

describe('the reported forgeries (POST /api/v1/webhooks, /api/v1/generations)', () => {
  const forged = (url: string, body: string, headers: Record<string, string>) =>
    new Request(`${ORIGIN}/api/v1/${url}`, {
      method: 'POST',
      headers,
      body: new TextEncoder().encode(body), // no Content-Type at all, as reported
    });

  it('with the cookie, no Content-Type and Origin https://evil.example: 403, nothing registered or created', async () => {
    const u = await makeUser({ credits: 100 });
    const before = await holdings(u.id);
    const hook = await createWebhook(
      forged('webhooks', `{"url":"${EVIL}/collect"}`, { cookie: u.cookie, origin: EVIL }),
      undefined,
    );
    expect(hook.status).toBe(403);
    const gen = await generations(
      forged('generations', '{"prompt":"forged"}', { cookie: u.cookie, origin: EVIL }),
      undefined,
    );
    expect(gen.status).toBe(403);
    expect(await holdings(u.id)).toEqual(before);
  });

  it('with a Bearer key the same requests still work (keys cannot be forged by a page)', async () => {
    const u = await makeUser({ credits: 100 });
    const { secret } = await createApiKey(u.id, {
      name: 'cli',
      scopes: ['jobs:write', 'webhooks:write'],
    });
    const auth = {
      authorization: `Bearer ${secret}`,
      origin: EVIL,
      'sec-fetch-site': 'cross-site',
    };
    const hook = await createWebhook(
      forged('webhooks', '{"url":"https://hooks.example.com/cli"}', auth),
      undefined,
    );
    expect(hook.status).toBe(201);
    const gen = await generations(forged('generations', '{"prompt":"a kite"}', auth), undefined);
    expect(gen.status).toBe(201);
    expect(await db().job.count({ where: { userId: u.id } })).toBe(1);
  });

  it('passes the app’s own pages: its Origin, Sec-Fetch-Site: same-origin, or its Referer', async () => {
    const u = await makeUser({ credits: 100 });
    const json = { 'content-type': 'application/json' };
    const post = (headers: Record<string, string>, n: number) =>
      createWebhook(
        new Request(`${ORIGIN}/api/v1/webhooks`, {
          method: 'POST',
          headers: { cookie: u.cookie, ...json, ...headers },
          body: JSON.stringify({ url: `https://hooks.example.com/${n}` }),
        }),
        undefined,
      );
    expect((await post({ origin: ORIGIN }, 1)).status).toBe(201);
    expect((await post({ 'sec-fetch-site': 'same-origin' }, 2)).status).toBe(201);
    expect((await post({ referer: `${ORIGIN}/developers` }, 3)).status).toBe(201);
    expect((await post({ referer: `${EVIL}/page` }, 4)).status).toBe(403);
    expect((await post({ origin: 'null' }, 5)).status).toBe(403);
    expect(await db().webhookEndpoint.count({ where: { userId: u.id } })).toBe(3);
  });

  it('a body-less POST (cancel) needs no Content-Type, but still the app’s Origin', async () => {
    const u = await makeUser({ credits: 100 });
    const job = await createGenerateJob(u.id, { prompt: 'to cancel' });
    const { POST: cancel } = await import('@/app/api/v1/jobs/[id]/cancel/route');
    const ctx = { params: Promise.resolve({ id: job.id }) };
    const url = `${ORIGIN}/api/v1/jobs/${job.id}/cancel`;
    const evil = await cancel(
      new Request(url, { method: 'POST', headers: { cookie: u.cookie, origin: EVIL } }),
      ctx,
    );
    expect(evil.status).toBe(403);
    expect((await db().job.findUniqueOrThrow({ where: { id: job.id } })).status).toBe('QUEUED');
    const own = await cancel(
      new Request(url, {
        method: 'POST',
        headers: { cookie: u.cookie, origin: ORIGIN, 'content-length': '0' },
      }),
      ctx,
    );
    expect(own.status).toBe(200);
    expect((await db().job.findUniqueOrThrow({ where: { id: job.id } })).status).toBe('CANCELED');
  });

  it('honours TRUSTED_ORIGINS (and refuses a setting that is not a list of origins)', async () => {
    const u = await makeUser({ credits: 100 });
    const from = (origin: string) =>
      createWebhook(
        new Request(`${ORIGIN}/api/v1/webhooks`, {
          method: 'POST',
          headers: { cookie: u.cookie, origin, 'content-type': 'application/json' },
          body: JSON.stringify({ url: 'https://hooks.example.com/studio' }),
        }),
        undefined,
      );
    expect((await from('https://studio.example.com')).status).toBe(403);
    process.env.TRUSTED_ORIGINS = 'https://studio.example.com, https://admin.example.com:8443/';
    resetEnv();
    expect((await from('https://studio.example.com')).status).toBe(201);
    expect((await from('https://admin.example.com:8443')).status).toBe(201);
    expect((await from('https://studio.example.com:444')).status).toBe(403);
    expect((await from(EVIL)).status).toBe(403);

    const base = { DATABASE_URL: 'postgresql://x@127.0.0.1/x' };
    for (const bad of ['*', 'studio.example.com', 'https://a.example.com/app', 'ftp://a.example']) {
      expect(() => parseEnv({ ...base, TRUSTED_ORIGINS: bad }), bad).toThrow(/TRUSTED_ORIGINS/);
    }
    expect(
      parseEnv({ ...base, TRUSTED_ORIGINS: 'HTTPS://A.example.com:443' }).TRUSTED_ORIGINS,
    ).toEqual(['https://a.example.com']);
  });
});

describe('the control-map preview (a GET that computes and stores a map)', () => {
  it('is refused to another site’s <img> and to a request that names no page; served to the app’s own', async () => {
    const u = await makeUser();
    const image = (await addLibraryImage(u.id, await photoPng(96, 64))).image.id;
    const get = (headers: Record<string, string>) =>
      controlMap(
        new Request(`${ORIGIN}/api/references/${image}/control-map?kind=canny&low=10&high=20`, {
          headers: { cookie: u.cookie, ...headers },
        }),
        { params: Promise.resolve({ id: image }) },
      );
    const files = storedFiles(u.id);
    expect((await get({ 'sec-fetch-site': 'cross-site' })).status).toBe(403);
    expect(
      (await get({ 'sec-fetch-site': 'same-site', referer: 'https://blog.localhost/' })).status,
    ).toBe(403);
    expect((await get({})).status).toBe(403);
    expect(storedFiles(u.id)).toBe(files);
    const own = await get({ 'sec-fetch-site': 'same-origin' });
    expect(own.status).toBe(200);
    expect(own.headers.get('content-type')).toBe('image/png');
    expect((await get({ referer: `${ORIGIN}/generate` })).status).toBe(200);
  });
});

describe('the better-auth routes (sign-in, sign-up, sign-out)', () => {
  const post = (p: string, body: BodyInit, headers: Record<string, string>) =>
    authPost(
      new Request(`${ORIGIN}/api/auth${p}`, {
        method: 'POST',
        headers: { 'x-forwarded-for': freshIp(), ...headers },
        body,
      }),
    );

  it('refuses a sign-up or sign-in from another site’s page (login CSRF), making no user or session', async () => {
    const email = `csrf-${Date.now()}@example.com`;
    const creds = JSON.stringify({ email, password: 'a perfectly fine password', name: 'X' });
    const json = { 'content-type': 'application/json' };
    const up = await post('/sign-up/email', creds, { ...json, origin: EVIL });
    expect(up.status).toBe(403);
    expect(up.headers.getSetCookie()).toEqual([]);
    expect(await db().user.count({ where: { email } })).toBe(0);

    const u = await makeUser();
    const login = JSON.stringify({ email: u.email, password: 'a perfectly fine password' });
    const sessions = await db().session.count({ where: { userId: u.id } });
    const forms: [string, Record<string, string>, BodyInit][] = [
      ['foreign Origin', { ...json, origin: EVIL }, login],
      ['cross-site, no Origin', { ...json, 'sec-fetch-site': 'cross-site' }, login],
      ['foreign Referer', { ...json, referer: `${EVIL}/login` }, login],
      [
        'a urlencoded form post',
        { 'content-type': 'application/x-www-form-urlencoded' },
        new URLSearchParams({ email: u.email, password: 'a perfectly fine password' }).toString(),
      ],
      ['a text/plain body', { 'content-type': 'text/plain', origin: ORIGIN }, login],
    ];
    for (const [what, headers, body] of forms) {
      const res = await post('/sign-in/email', body, headers);
      expect(res.status, what).toBeGreaterThanOrEqual(400);
      expect([403, 415], what).toContain(res.status);
      expect(res.headers.getSetCookie(), what).toEqual([]);
    }
    expect(await db().session.count({ where: { userId: u.id } })).toBe(sessions);

    // The app's own page, and a client that is no browser at all (no cookie, no Origin), sign in.
    const own = await post('/sign-in/email', login, { ...json, origin: ORIGIN });
    expect(own.status).toBe(200);
    const cli = await post('/sign-in/email', login, json);
    expect(cli.status).toBe(200);
  });

  it('refuses a sign-out with the cookie from another site or from nowhere; the session stays', async () => {
    const u = await makeUser();
    const json = { 'content-type': 'application/json' };
    for (const headers of [{ origin: EVIL }, {}] as Record<string, string>[]) {
      const out = await post('/sign-out', '{}', { ...json, ...headers, cookie: u.cookie });
      expect(out.status).toBe(403);
    }
    expect((await trpcQuery('account.me', { cookie: u.cookie })).status).toBe(200);
    const own = await post('/sign-out', '{}', { ...json, origin: ORIGIN, cookie: u.cookie });
    expect(own.status).toBe(200);
    expect((await trpcQuery('account.me', { cookie: u.cookie })).status).toBe(401);
  });
});
