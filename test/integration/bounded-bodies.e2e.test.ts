// Bounded bodies against the production server (`next start`), over real HTTP: an anonymous 2 GB
// chunked POST to /api/stripe/webhook (payments not configured, as in the report) is answered
// 413 problem+json after the server read about its 1 MB limit, the server's memory stays within
// 64 MB of where it was, and the server still answers. It also shows that Next.js does not
// buffer API bodies itself: with a proxy (proxy.ts) in front of a route, Next reads the whole
// body (keeping up to `proxyClientMaxBodySize`) before the route runs, so the answer would only
// come after the client had sent everything, and Next would print "Request body exceeded".
import fs from 'node:fs';
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApp, type LiveApp } from '../helpers/live';

const MB = 2 ** 20;
const TOTAL = 2 * 2 ** 30;
const CHUNK = 64 * 1024;

/** Resident memory of a process and its descendants, from /proc (bytes). */
function treeRss(root: number): number {
  const children = new Map<number, number[]>();
  for (const name of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${name}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      children.set(ppid, [...(children.get(ppid) ?? []), Number(name)]);
    } catch {
      // the process ended meanwhile
    }
  }
  let total = 0;
  const todo = [root];
  while (todo.length) {
    const pid = todo.pop()!;
    try {
      const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
      total += m ? Number(m[1]) * 1024 : 0;
    } catch {
      // ended
    }
    todo.push(...(children.get(pid) ?? []));
  }
  return total;
}

interface Sent {
  status: number;
  contentType: string | undefined;
  body: string;
  /** Bytes the client had written when the answer came. */
  sent: number;
}

/**
 * POSTs `total` bytes chunked (no Content-Length), written as fast as the socket takes them,
 * and stops sending as soon as the server answers or closes.
 */
function postChunked(url: string, total: number): Promise<Sent> {
  return new Promise((resolve, reject) => {
    let sent = 0;
    let answered = false;
    const piece = Buffer.alloc(CHUNK, 0x20);
    const req = http.request(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'stripe-signature': 't=1,v1=00' },
    });
    req.on('response', (res) => {
      answered = true;
      const atAnswer = sent;
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () => {
        req.destroy();
        resolve({
          status: res.statusCode ?? 0,
          contentType: res.headers['content-type'],
          body,
          sent: atAnswer,
        });
      });
    });
    req.on('error', (e) => {
      if (!answered) reject(new Error(`no answer after sending ${sent} bytes: ${e.message}`));
    });
    const pump = () => {
      while (!answered && sent < total) {
        sent += CHUNK;
        if (!req.write(piece)) return void req.once('drain', pump);
      }
      if (!answered) req.end();
    };
    pump();
  });
}

describe('a 2 GB chunked POST to the production server', () => {
  let app: LiveApp;

  beforeAll(async () => {
    app = await startApp();
  });
  afterAll(async () => {
    await app?.stop();
  });

  it('is refused with 413 after ~1 MB, memory growth under 64 MB, and the server still answers', async () => {
    const url = `${app.url}/api/stripe/webhook`;
    // Load the route once so its code is not counted as growth.
    const warm = await fetch(url, { method: 'POST', body: '{}' });
    expect([400, 503]).toContain(warm.status); // not configured here (503), or a bad signature
    const before = treeRss(app.pid);
    let peak = before;
    const sampler = setInterval(() => (peak = Math.max(peak, treeRss(app.pid))), 20);
    let res: Sent;
    try {
      res = await postChunked(url, TOTAL);
    } finally {
      clearInterval(sampler);
    }
    const after = treeRss(app.pid);
    peak = Math.max(peak, after);
    console.log(
      `2 GB chunked → ${res.status} after the client sent ${(res.sent / MB).toFixed(1)} MB; ` +
        `server RSS ${(before / MB).toFixed(0)} MB before, ${(after / MB).toFixed(0)} MB after, ` +
        `peak ${(peak / MB).toFixed(0)} MB`,
    );

    expect(res.status, res.body).toBe(413);
    expect(res.contentType).toBe('application/problem+json');
    expect(JSON.parse(res.body)).toMatchObject({ code: 'PAYLOAD_TOO_LARGE', status: 413 });
    expect(peak - before).toBeLessThan(64 * MB);
    expect(after - before).toBeLessThan(64 * MB);
    // The answer came while the client was still sending: nothing in front of the route (Next's
    // proxy body cloning) read the body through first.
    expect(res.sent).toBeLessThan(64 * MB);
    expect(app.output()).not.toMatch(/Request body exceeded/);

    const health = await fetch(`${app.url}/api/health`);
    expect(health.status).toBe(200);
  });
});
