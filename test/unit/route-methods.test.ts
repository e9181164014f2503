// The method table in front of Next.js (server/route-methods.ts) is the route files' own exports,
// routes match with Next.js's precedence, and an unserved method gets 405 + Allow from a real
// Node.js server (TRACE included); served ones pass through untouched.
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  allowOf,
  matchRoute,
  refuseUnservedMethod,
  ROUTE_METHODS,
} from '@/server/route-methods';

const ROOT = path.resolve(import.meta.dirname, '..', '..');
const METHODS = ['GET', 'HEAD', 'OPTIONS', 'POST', 'PUT', 'PATCH', 'DELETE'];

/** Every app/**\/route.ts → the HTTP methods it exports, in any of the forms used. */
function routeFiles(): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  const dir = path.join(ROOT, 'app');
  for (const file of fs.readdirSync(dir, { recursive: true }) as string[]) {
    if (!/(^|\/)route\.tsx?$/.test(file)) continue;
    const src = fs.readFileSync(path.join(dir, file), 'utf8');
    const found = new Set<string>();
    for (const m of METHODS) {
      const direct = new RegExp(`export (const|function|async function) ${m}\\b`);
      const destructured = new RegExp(`export const \\{[^}]*\\b${m}\\b[^}]*\\}`);
      const renamed = new RegExp(`export \\{[^}]*\\bas ${m}\\b[^}]*\\}`);
      if ([direct, destructured, renamed].some((r) => r.test(src))) found.add(m);
    }
    out[`/${path.dirname(file)}`] = [...found].sort();
  }
  return out;
}

describe('ROUTE_METHODS', () => {
  it('lists every route file of app/ with exactly the methods it exports', () => {
    const table = Object.fromEntries(
      Object.entries(ROUTE_METHODS).map(([r, m]) => [r, [...m].sort()]),
    );
    expect(table).toEqual(routeFiles());
  });

  it('matches paths with Next.js precedence: static, then [x], then [...x]', () => {
    expect(matchRoute('/api/v1/webhooks/deliveries')).toBe('/api/v1/webhooks/deliveries');
    expect(matchRoute('/api/v1/webhooks/job-secret')).toBe('/api/v1/webhooks/job-secret');
    expect(matchRoute('/api/v1/webhooks/abc')).toBe('/api/v1/webhooks/[id]');
    expect(matchRoute('/api/v1/webhooks/abc/secret')).toBe('/api/v1/webhooks/[id]/secret');
    expect(matchRoute('/api/v1/jobs/')).toBe('/api/v1/jobs');
    expect(matchRoute('/api/auth/sign-in/email')).toBe('/api/auth/[...all]');
    expect(matchRoute('/api/storage/u/1/a.png')).toBe('/api/storage/[...key]');
    expect(matchRoute('/api/auth')).toBeNull();
    expect(matchRoute('/api/v1/nothing')).toBeNull();
    expect(matchRoute('/s/abc')).toBeNull();
    expect(matchRoute('/')).toBeNull();
  });

  it('says HEAD with GET and always OPTIONS in Allow', () => {
    expect(allowOf('/api/v1/jobs')).toBe('GET, HEAD, OPTIONS');
    expect(allowOf('/api/v1/adapters/[id]')).toBe('DELETE, OPTIONS, PATCH');
  });
});

describe('refuseUnservedMethod on a Node.js server', () => {
  let server: http.Server;
  let port = 0;
  beforeAll(async () => {
    server = http.createServer((req, res) => {
      if (refuseUnservedMethod(req, res)) return;
      res.writeHead(200).end('served');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as { port: number }).port;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  /** A raw request (fetch refuses TRACE), answered as status, headers and body. */
  function send(method: string, pathname: string) {
    return new Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }>(
      (resolve, reject) => {
        const req = http.request({ port, host: '127.0.0.1', method, path: pathname }, (res) => {
          let body = '';
          res.on('data', (d: Buffer) => (body += d.toString()));
          res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body }));
        });
        req.on('error', reject);
        req.end();
      },
    );
  }

  it('answers TRACE, PUT and the like with 405, Allow and problem+json on every route', async () => {
    for (const route of Object.keys(ROUTE_METHODS)) {
      const p = route.replace(/\[\.\.\.\w+\]/, 'a/b').replace(/\[\w+\]/g, 'x');
      for (const method of ['TRACE', 'PUT', 'PATCH', 'DELETE', 'POST', 'GET']) {
        if (ROUTE_METHODS[route]!.includes(method)) continue;
        const res = await send(method, p);
        expect([route, method, res.status]).toEqual([route, method, 405]);
        expect(res.headers.allow).toBe(allowOf(route));
        expect(res.headers['content-type']).toBe('application/problem+json');
        expect(JSON.parse(res.body)).toMatchObject({ status: 405, code: 'METHOD_NOT_ALLOWED' });
      }
    }
  });

  it('passes served methods, HEAD of GET routes, OPTIONS and unknown paths to the app', async () => {
    expect((await send('GET', '/api/v1/jobs')).status).toBe(200);
    expect((await send('HEAD', '/api/v1/jobs')).status).toBe(200);
    expect((await send('OPTIONS', '/api/v1/generations')).status).toBe(200);
    expect((await send('PATCH', '/api/v1/adapters/x')).status).toBe(200);
    expect((await send('TRACE', '/gallery')).status).toBe(200);
    expect((await send('PUT', '/api/v1/nothing')).status).toBe(200);
  });
});
