// The trusted client address against the production server (`next start`), where the socket
// peer is real (127.0.0.1 here). The findings: 8 wrong passwords with a different
// X-Forwarded-For each got eight 401s, and 6 sign-ups from one host with different header values
// made 6 accounts. Now the header changes nothing unless TRUSTED_PROXIES says a proxy sets it;
// then the right hop is used.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { db } from '@/server/db';
import { freePort, spawnNextStart, startApp, type LiveApp } from '../helpers/live';

const LIMITS = {
  SIGN_IN_RATE_LIMIT_MAX: '5',
  SIGN_UP_RATE_LIMIT_MAX: '5',
  SIGN_UP_GLOBAL_MAX: '1000',
};

let direct: LiveApp;
let proxied: LiveApp;
let n = 0;
const email = (what: string) => `${what}-${Date.now()}-${(n += 1)}@addr.example.com`;

function post(app: LiveApp, path: string, body: unknown, xff?: string) {
  const headers: Record<string, string> = { 'content-type': 'application/json', origin: app.url };
  if (xff) headers['x-forwarded-for'] = xff;
  return fetch(`${app.url}/api/auth${path}`, {
    method: 'POST',
    headers,
    body: JSON.stringify(body),
  });
}

beforeAll(async () => {
  [direct, proxied] = await Promise.all([
    startApp({ ...LIMITS, SIGN_IN_RATE_LIMIT_MAX: '10', SIGN_UP_RATE_LIMIT_MAX: '6' }),
    // A proxy on this host (nginx, say) appends the client it saw.
    startApp({ ...LIMITS, TRUSTED_PROXIES: 'loopback' }),
  ]);
}, 120_000);

afterAll(async () => {
  await Promise.all([direct?.stop(), proxied?.stop()]);
});

describe('no proxy trusted: X-Forwarded-For is not believed', () => {
  // First: it spends one sign-up and five sign-ins of this host's budget (set one higher below).
  it('logs the peer, not the claimed address', async () => {
    const who = email('locked');
    await post(direct, '/sign-up/email', { email: who, password: 'right password 1', name: 'L' });
    for (let i = 0; i < 5; i += 1) {
      await post(direct, '/sign-in/email', { email: who, password: `no ${i}` }, '6.6.6.6');
    }
    expect(direct.output()).toMatch(/\(from 127\.0\.0\.1\)/);
    expect(direct.output()).not.toMatch(/from 6\.6\.6\.6/);
  });
  it('sign-in from one host is limited whatever address each try claims', async () => {
    // One account per try, so only the per-address limit (10, 5 spent above) can answer 429.
    const statuses: number[] = [];
    for (let i = 0; i < 8; i += 1) {
      const res = await post(
        direct,
        '/sign-in/email',
        { email: email('nobody'), password: 'wrong password' },
        `203.0.113.${i + 1}`,
      );
      statuses.push(res.status);
    }
    expect(statuses).toEqual([401, 401, 401, 401, 401, 429, 429, 429]);
  });

  it('sign-up from one host stops at the per-address limit (6, 1 spent above)', async () => {
    const made: string[] = [];
    const statuses: number[] = [];
    for (let i = 0; i < 6; i += 1) {
      const who = email('farm');
      made.push(who);
      const res = await post(
        direct,
        '/sign-up/email',
        { email: who, password: 'free credits please', name: 'Farm' },
        `198.51.100.${i + 1}`,
      );
      statuses.push(res.status);
    }
    expect(statuses).toEqual([200, 200, 200, 200, 200, 429]);
    expect(await db().user.count({ where: { email: { in: made } } })).toBe(5);
    // …and none of them has credits before verifying its address.
    const users = await db().user.findMany({ where: { email: { in: made } } });
    expect(users.every((u) => u.creditBalance === 0 && !u.emailVerified)).toBe(true);
  });
});

describe('TRUSTED_PROXIES=loopback: the right hop is the client', () => {
  it('limits each client behind the proxy on its own, ignoring spoofed entries to the left', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 6; i += 1) {
      // The client put junk in front; the proxy appended 203.0.113.10.
      const res = await post(
        proxied,
        '/sign-up/email',
        { email: email('behind'), password: 'behind the proxy', name: 'B' },
        `10.9.9.${i}, 203.0.113.10`,
      );
      statuses.push(res.status);
    }
    expect(statuses).toEqual([200, 200, 200, 200, 200, 429]);
    // Another client behind the same proxy is not affected.
    const other = await post(
      proxied,
      '/sign-up/email',
      { email: email('neighbour'), password: 'behind the proxy', name: 'N' },
      '203.0.113.11',
    );
    expect(other.status).toBe(200);
    // better-auth's limiter counted the addresses this app decided, never the spoofed ones.
    const keys = (await db().rateLimit.findMany({ select: { key: true } })).map((r) => r.key);
    expect(keys.some((k) => k.startsWith('203.0.113.10|'))).toBe(true);
    expect(keys.some((k) => k.startsWith('10.9.9.'))).toBe(false);
    expect(keys.some((k) => k.startsWith('198.51.100.'))).toBe(false);
  });
});

describe('production without mail settings', () => {
  it('refuses to start and names the missing variables', async () => {
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      NODE_ENV: 'production',
      APP_URL: 'http://127.0.0.1:1',
    };
    delete env.SMTP_URL;
    delete env.MAIL_FROM;
    const child = spawnNextStart(await freePort(), env);
    let out = '';
    child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
    const code = await new Promise<number | null>((resolve) => {
      const t = setTimeout(() => {
        child.kill('SIGKILL');
        resolve(null);
      }, 60_000);
      child.once('exit', (c) => {
        clearTimeout(t);
        resolve(c);
      });
    });
    expect(code).not.toBe(0);
    expect(code).not.toBeNull();
    expect(out).toMatch(/SMTP_URL is required in production/);
    expect(out).toMatch(/MAIL_FROM is required in production/);
  }, 90_000);
});
