import { describe, expect, it } from 'vitest';
import { verifyAndGrant } from '@/server/auth/auth';
import { db } from '@/server/db';
import { starterGrantKey } from '@/server/credits/starter-grant';
import { authRequest, cookieFrom, freshIp, signUp, trpcQuery } from '../helpers/app';

const STARTER = Number(process.env.STARTER_CREDITS ?? 50);

describe('sign-up → session → me', () => {
  it('creates the user and a working session; credits wait for the verified address', async () => {
    const { res, cookie } = await signUp('ada@example.com', 'analytical engine 1843', 'Ada');
    expect(res.status).toBe(200);
    expect(cookie).toMatch(/session_token=/);

    const me = await trpcQuery('account.me', { cookie });
    expect(me.status).toBe(200);
    expect(me.data).toMatchObject({
      email: 'ada@example.com',
      emailVerified: false,
      name: 'Ada',
      plan: 'free',
      credits: { available: 0, held: 0 },
    });

    const user = await db().user.findUniqueOrThrow({
      where: { email: 'ada@example.com' },
      include: { ledger: true },
    });
    expect(user.ledger).toHaveLength(0);

    // The verification (test/integration/verification.test.ts opens the real mailed link).
    expect(await verifyAndGrant(user.id, STARTER)).toBe(true);
    const verified = await db().user.findUniqueOrThrow({
      where: { email: 'ada@example.com' },
      include: { ledger: true },
    });
    expect(verified.ledger).toHaveLength(1);
    expect(verified.ledger[0]).toMatchObject({
      kind: 'GRANT',
      amount: STARTER,
      balanceAfter: STARTER,
      idempotencyKey: starterGrantKey('ada@example.com'),
    });
    expect((await trpcQuery('account.me', { cookie })).data).toMatchObject({
      emailVerified: true,
      credits: { available: STARTER, held: 0 },
    });
    expect(await verifyAndGrant(user.id, STARTER)).toBe(false);
  });

  it('signs in again with the right password and out again', async () => {
    await signUp('grace@example.com', 'compiler cobol 1959');
    const res = await authRequest(
      '/sign-in/email',
      { email: 'grace@example.com', password: 'compiler cobol 1959' },
      { ip: freshIp() },
    );
    expect(res.status).toBe(200);
    const cookie = cookieFrom(res);
    expect((await trpcQuery('account.me', { cookie })).status).toBe(200);

    const out = await authRequest('/sign-out', {}, { cookie, ip: freshIp() });
    expect(out.status).toBe(200);
    expect((await trpcQuery('account.me', { cookie })).status).toBe(401);
  });
});

describe('sign-up and sign-in errors are clear and change nothing', () => {
  it('refuses a duplicate email without a second user or grant', async () => {
    await signUp('dup@example.com');
    const { res } = await signUp('dup@example.com', 'another good password');
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
    const body = (await res.json()) as { message: string };
    expect(body.message).toMatch(/already exists/i);
    expect(await db().user.count({ where: { email: 'dup@example.com' } })).toBe(1);
    expect(
      await db().creditLedgerEntry.count({ where: { user: { email: 'dup@example.com' } } }),
    ).toBe(0);
  });

  it.each([
    ['short', 'abc12', /at least 10 characters/i],
    ['common', 'password123', /too common/i],
    ['repetitive', 'aaaaaaaaaaaa', /different characters/i],
    ['contains the email', 'weakling-secret-1', /email/i],
  ])('refuses a weak password (%s) and creates no user', async (_label, password, message) => {
    const { res } = await signUp('weakling@example.com', password);
    expect(res.status).toBe(400);
    const body = (await res.json()) as { message: string };
    expect(body.message).toMatch(message);
    expect(await db().user.count({ where: { email: 'weakling@example.com' } })).toBe(0);
  });

  it('refuses a wrong password with a clear message', async () => {
    await signUp('linus@example.com', 'kernel hacking 1991');
    const res = await authRequest(
      '/sign-in/email',
      { email: 'linus@example.com', password: 'not the password' },
      { ip: freshIp() },
    );
    expect(res.status).toBe(401);
    expect(((await res.json()) as { message: string }).message).toMatch(
      /invalid email or password/i,
    );
    expect(
      res.headers
        .getSetCookie()
        .some((c) => c.includes('session_token=') && !c.includes('Max-Age=0')),
    ).toBe(false);
  });

  it('pauses an account after repeated wrong passwords, even for the right one', async () => {
    // Per account (server/auth/throttle.ts); the per-address limit is in sign-in-limits.test.ts
    // and, against the real server, client-address.e2e.test.ts.
    await signUp('margaret@example.com', 'apollo guidance 1969');
    const statuses: number[] = [];
    for (let i = 0; i < 7; i += 1) {
      const res = await authRequest(
        '/sign-in/email',
        { email: 'margaret@example.com', password: `wrong guess ${i}` },
        { ip: freshIp() },
      );
      statuses.push(res.status);
    }
    const free = Number(process.env.SIGN_IN_ACCOUNT_FREE_TRIES ?? 5);
    expect(statuses.slice(0, free).every((s) => s === 401)).toBe(true);
    expect(statuses.slice(free).every((s) => s === 429)).toBe(true);
    const blocked = await authRequest(
      '/sign-in/email',
      { email: 'margaret@example.com', password: 'apollo guidance 1969' },
      { ip: freshIp() },
    );
    expect(blocked.status).toBe(429);
    // Another account is not affected.
    await signUp('katherine@example.com', 'orbital mechanics 1962');
    const other = await authRequest(
      '/sign-in/email',
      { email: 'katherine@example.com', password: 'orbital mechanics 1962' },
      { ip: freshIp() },
    );
    expect(other.status).toBe(200);
  });
});

describe('protected procedures', () => {
  it('refuse anonymous callers with UNAUTHENTICATED', async () => {
    const res = await trpcQuery('account.me');
    expect(res.status).toBe(401);
    expect(res.error?.data).toMatchObject({ code: 'UNAUTHORIZED', appCode: 'UNAUTHENTICATED' });
  });

  it('refuse a forged session cookie', async () => {
    const res = await trpcQuery('account.me', {
      cookie: 'better-auth.session_token=forged.value',
    });
    expect(res.status).toBe(401);
  });
});
