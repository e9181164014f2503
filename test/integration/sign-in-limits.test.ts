// Limits that hold without a trusted client address. Handlers run in process here, so there is
// no socket peer: with no proxy trusted, the address is unknown and X-Forwarded-For must change
// nothing; the per-account lock and the global sign-up ceiling hold anyway. With
// TRUSTED_PROXIES=1 (one proxy in front), the nearest hop's entry is the client.
import { describe, expect, it } from 'vitest';
import { db } from '@/server/db';
import { env, resetEnv } from '@/server/env';
import { accountKey, lockSeconds } from '@/server/auth/throttle';
import { authRequest, signUp } from '../helpers/app';

// This file's settings, before anything reads the environment.
process.env.SIGN_UP_GLOBAL_MAX = '12';
process.env.SIGN_UP_GLOBAL_WINDOW_S = '86400';
resetEnv();
delete (globalThis as Record<string, unknown>).__auth;

let n = 0;
const email = (local: string) => `${local}-${(n += 1)}@limits.example.com`;
const signIn = (address: string, password: string, ip: string) =>
  authRequest('/sign-in/email', { email: address, password }, { ip });

/** A fresh auth instance reading the current environment (settings changed mid-file). */
function withSettings(vars: Record<string, string | undefined>) {
  for (const [k, v] of Object.entries(vars)) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
  resetEnv();
  delete (globalThis as Record<string, unknown>).__auth;
}

describe('sign-in: a spoofed X-Forwarded-For buys nothing', () => {
  it('locks the account after the free tries, whatever address each try claims', async () => {
    withSettings({ TRUSTED_PROXIES: undefined });
    const who = email('margaret');
    await signUp(who, 'apollo guidance 1969');
    const free = env().SIGN_IN_ACCOUNT_FREE_TRIES;
    const statuses: number[] = [];
    let lastBody: { code?: string; message?: string } = {};
    let retryAfter: string | null = null;
    for (let i = 0; i < 8; i += 1) {
      const res = await signIn(who, `wrong guess ${i}`, `203.0.113.${i + 1}`);
      statuses.push(res.status);
      if (res.status === 429) {
        lastBody = (await res.json()) as typeof lastBody;
        retryAfter = res.headers.get('retry-after');
      }
    }
    expect(statuses).toEqual([
      ...Array.from({ length: free }, () => 401),
      ...Array.from({ length: 8 - free }, () => 429),
    ]);
    expect(lastBody.code).toBe('ACCOUNT_LOCKED');
    expect(lastBody.message).toMatch(/paused for \d+ s.*reset your password/i);
    expect(Number(retryAfter)).toBeGreaterThan(0);
    expect(Number(retryAfter)).toBeLessThanOrEqual(lockSeconds(0));

    // While locked even the right password waits…
    expect((await signIn(who, 'apollo guidance 1969', '198.51.100.77')).status).toBe(429);
    // …and once the wait is over (moved into the past here), the right one gets in and clears.
    await db().signInThrottle.update({
      where: { key: accountKey(who) },
      data: { lockedUntil: new Date(Date.now() - 1000) },
    });
    expect((await signIn(who, 'apollo guidance 1969', '198.51.100.77')).status).toBe(200);
    expect(await db().signInThrottle.count({ where: { key: accountKey(who) } })).toBe(0);
  });

  it('makes each wait longer: 30 s, then doubling, at most an hour', async () => {
    expect([0, 1, 2, 3, 6, 7, 20].map(lockSeconds)).toEqual([30, 60, 120, 240, 1920, 3600, 3600]);
    withSettings({ TRUSTED_PROXIES: undefined });
    const who = email('grows');
    await signUp(who, 'patient person 2026');
    const free = env().SIGN_IN_ACCOUNT_FREE_TRIES;
    const waits: number[] = [];
    for (let i = 0; i < free + 2; i += 1) {
      await db().signInThrottle.updateMany({
        where: { key: accountKey(who) },
        data: { lockedUntil: null },
      });
      await signIn(who, `wrong ${i}`, '203.0.113.50');
      const row = await db().signInThrottle.findUniqueOrThrow({ where: { key: accountKey(who) } });
      waits.push(row.lockedUntil ? Math.round((row.lockedUntil.getTime() - Date.now()) / 1000) : 0);
    }
    expect(waits.slice(0, free - 1).every((w) => w === 0)).toBe(true);
    expect(waits.slice(free - 1).map((w) => Math.round(w / 10) * 10)).toEqual([30, 60, 120]);
  });

  it('counts concurrent guesses one after another: no more than the free tries get through', async () => {
    withSettings({ TRUSTED_PROXIES: undefined });
    const who = email('burst');
    await signUp(who, 'burst of guesses 1');
    const free = env().SIGN_IN_ACCOUNT_FREE_TRIES;
    const res = await Promise.all(
      Array.from({ length: 12 }, (_, i) => signIn(who, `parallel ${i}`, `192.0.2.${i + 1}`)),
    );
    const statuses = res.map((r) => r.status).sort();
    expect(statuses.filter((s) => s === 401)).toHaveLength(free);
    expect(statuses.filter((s) => s === 429)).toHaveLength(12 - free);
  });
});

describe('per address, only where the address can be trusted', () => {
  it('with TRUSTED_PROXIES=1, limits by the nearest hop’s entry and spares other addresses', async () => {
    withSettings({ TRUSTED_PROXIES: '1' });
    const max = env().SIGN_IN_RATE_LIMIT_MAX;
    const accounts = await Promise.all(
      Array.from({ length: max + 2 }, async (_, i) => {
        const who = email(`addr${i}`);
        await signUp(who, 'per address limit 1');
        return who;
      }),
    );
    const statuses: number[] = [];
    // One account per try, so only the address is shared; the client puts junk in front.
    for (const [i, who] of accounts.entries()) {
      const res = await signIn(who, 'wrong', `10.${i}.0.1, 203.0.113.200`);
      statuses.push(res.status);
    }
    expect(statuses.slice(0, max).every((s) => s === 401)).toBe(true);
    expect(statuses.slice(max).every((s) => s === 429)).toBe(true);
    // Another client behind the same proxy is not affected.
    expect((await signIn(accounts[0]!, 'per address limit 1', '203.0.113.201')).status).toBe(200);
  });
});

describe('sign-up', () => {
  it('ignores X-Forwarded-For and stops at the global ceiling', async () => {
    withSettings({ TRUSTED_PROXIES: undefined, SIGN_UP_GLOBAL_MAX: '3' });
    await db().rateLimitWindow.deleteMany({ where: { key: { startsWith: 'long:sign-up' } } });
    const statuses: number[] = [];
    const made: string[] = [];
    for (let i = 0; i < 6; i += 1) {
      const who = email(`ceiling${i}`);
      made.push(who);
      const { res } = await signUp(who, 'ceiling test password');
      statuses.push(res.status);
      if (res.status === 429) {
        const body = (await res.json()) as { code: string };
        expect(body.code).toBe('SIGN_UPS_PAUSED');
        expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
      }
    }
    expect(statuses).toEqual([200, 200, 200, 429, 429, 429]);
    expect(await db().user.count({ where: { email: { in: made } } })).toBe(3);
  });
});
