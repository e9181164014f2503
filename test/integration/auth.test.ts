import { describe, expect, it } from 'vitest';
import { db } from '@/server/db';
import { starterGrantKey } from '@/server/credits/starter-grant';
import { authRequest, cookieFrom, freshIp, signUp, trpcQuery } from '../helpers/app';

const STARTER = Number(process.env.STARTER_CREDITS ?? 50);

describe('sign-up → session → me', () => {
  it('creates the user with the starter grant and a working session', async () => {
    const { res, cookie } = await signUp('ada@example.com', 'analytical engine 1843', 'Ada');
    expect(res.status).toBe(200);
    expect(cookie).toMatch(/session_token=/);

    const me = await trpcQuery('account.me', { cookie });
    expect(me.status).toBe(200);
    expect(me.data).toMatchObject({
      email: 'ada@example.com',
      name: 'Ada',
      plan: 'free',
      credits: { available: STARTER, held: 0 },
    });

    const user = await db().user.findUniqueOrThrow({
      where: { email: 'ada@example.com' },
      include: { ledger: true },
    });
    expect(user.ledger).toHaveLength(1);
    expect(user.ledger[0]).toMatchObject({
      kind: 'GRANT',
      amount: STARTER,
      balanceAfter: STARTER,
      idempotencyKey: starterGrantKey(user.id),
    });
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
    ).toBe(1);
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

  it('rate-limits repeated sign-in attempts from one address', async () => {
    await signUp('margaret@example.com', 'apollo guidance 1969');
    const ip = freshIp();
    const statuses: number[] = [];
    for (let i = 0; i < 7; i += 1) {
      const res = await authRequest(
        '/sign-in/email',
        { email: 'margaret@example.com', password: `wrong guess ${i}` },
        { ip },
      );
      statuses.push(res.status);
    }
    const max = Number(process.env.SIGN_IN_RATE_LIMIT_MAX ?? 5);
    expect(statuses.slice(0, max).every((s) => s === 401)).toBe(true);
    expect(statuses.slice(max).every((s) => s === 429)).toBe(true);
    // Even the right password is refused while limited…
    const blocked = await authRequest(
      '/sign-in/email',
      { email: 'margaret@example.com', password: 'apollo guidance 1969' },
      { ip },
    );
    expect(blocked.status).toBe(429);
    // …but another address is not affected.
    const other = await authRequest(
      '/sign-in/email',
      { email: 'margaret@example.com', password: 'apollo guidance 1969' },
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
