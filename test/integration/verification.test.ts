// Verified e-mail before money, through the real mail catcher: the verification mail arrives
// (plain text and HTML), its link verifies, the starter credits appear once — in the same
// transaction as the verification —, a second click or a twin mailbox grants nothing, and an
// unverified account can look around but not spend. Password reset and the lock notice too.
import { describe, expect, it } from 'vitest';
import { GET as authGet } from '@/app/api/auth/[...all]/route';
import { verifyAndGrant } from '@/server/auth/auth';
import { grantIdentity, starterGrantKey } from '@/server/credits/starter-grant';
import { db } from '@/server/db';
import { authRequest, cookieFrom, signUp, trpcMutation, trpcQuery } from '../helpers/app';
import { waitFor } from '../helpers/live';
import { linkIn, mailsTo, waitForMail } from '../helpers/mail';

const STARTER = Number(process.env.STARTER_CREDITS ?? 50);
let n = 0;
const address = (local: string) => `${local}-${Date.now()}-${(n += 1)}@mail.example.com`;

/** Opens a link of a mail as the browser would (the app's own handler, in process). */
function open(link: string, cookie?: string) {
  const headers = new Headers();
  if (cookie) headers.set('cookie', cookie);
  return authGet(new Request(link, { headers, redirect: 'manual' }));
}

async function userOf(email: string) {
  return db().user.findUniqueOrThrow({ where: { email }, include: { ledger: true } });
}

describe('verified e-mail before money', () => {
  it('grants nothing at sign-up, mails a link, and grants once when it is opened', async () => {
    const email = address('ada');
    const { res, cookie } = await signUp(email, 'analytical engine 1843', 'Ada');
    expect(res.status).toBe(200);
    const before = await userOf(email);
    expect(before).toMatchObject({ emailVerified: false, creditBalance: 0 });
    expect(before.ledger).toHaveLength(0);

    const mail = await waitForMail(email, /confirm your e-mail/i);
    expect(mail.text).toContain('/api/auth/verify-email?token=');
    expect(mail.html).toContain('Confirm my address');
    expect(mail.text).toMatch(new RegExp(`${STARTER} free starter credits`));
    const link = linkIn(mail);
    expect(mail.html).toContain(link.replaceAll('&', '&#38;'));

    const me0 = await trpcQuery('account.me', { cookie });
    expect(me0.data).toMatchObject({ emailVerified: false, credits: { available: 0 } });

    const opened = await open(link);
    expect(opened.status).toBeLessThan(400);
    const after = await userOf(email);
    expect(after).toMatchObject({ emailVerified: true, creditBalance: STARTER });
    expect(after.ledger).toHaveLength(1);
    expect(after.ledger[0]).toMatchObject({
      kind: 'GRANT',
      amount: STARTER,
      balanceAfter: STARTER,
      idempotencyKey: starterGrantKey(email),
    });

    // A second click finds the address verified and moves nothing.
    const again = await open(link);
    expect(again.status).toBeLessThan(400);
    const still = await userOf(email);
    expect(still.creditBalance).toBe(STARTER);
    expect(still.ledger).toHaveLength(1);
  });

  it('grants once when the link is opened twice at the same moment', async () => {
    const email = address('twins');
    await signUp(email, 'simultaneous clicks 2026');
    const link = linkIn(await waitForMail(email, /confirm your e-mail/i));
    const results = await Promise.all([open(link), open(link), open(link)]);
    for (const r of results) expect(r.status).toBeLessThan(500);
    const user = await userOf(email);
    expect(user.creditBalance).toBe(STARTER);
    expect(user.ledger.filter((e) => e.kind === 'GRANT')).toHaveLength(1);
  });

  it('counts +tags and dots in the local part as the same mailbox for the grant', async () => {
    const stamp = `${Date.now()}${(n += 1)}`;
    const plain = `grace${stamp}@mail.example.com`;
    const tagged = `g.r.a.c.e${stamp}+studio@Mail.Example.com`;
    expect(grantIdentity(tagged)).toBe(grantIdentity(plain));

    await signUp(plain, 'compiler cobol 1959');
    await open(linkIn(await waitForMail(plain, /confirm/i)));
    expect((await userOf(plain)).creditBalance).toBe(STARTER);

    const { res } = await signUp(tagged, 'compiler cobol 1959 again');
    expect(res.status).toBe(200); // one account per address: a distinct address may sign up…
    const taggedStored = tagged.toLowerCase();
    await open(linkIn(await waitForMail(taggedStored, /confirm/i)));
    const twin = await userOf(taggedStored);
    expect(twin.emailVerified).toBe(true);
    expect(twin.creditBalance).toBe(0); // …but the mailbox had its starter credits already
    expect(twin.ledger).toHaveLength(0);
  });

  it('refuses an unverified account’s job with a clear message and changes nothing', async () => {
    const email = address('unverified');
    const { cookie } = await signUp(email, 'looking around only');
    const user = await userOf(email);
    // Even with credits (bought, say), spending waits for the verified address.
    await db().user.update({ where: { id: user.id }, data: { creditBalance: 100 } });

    const res = await trpcMutation('jobs.create', { cookie, input: { prompt: 'a lighthouse' } });
    expect(res.status).toBe(403);
    expect(res.error?.data).toMatchObject({ appCode: 'EMAIL_NOT_VERIFIED' });
    expect(res.error?.message).toMatch(/confirm your e-mail address/i);
    expect(res.error?.message).toContain(email);
    expect(await db().job.count({ where: { userId: user.id } })).toBe(0);
    expect(await db().creditLedgerEntry.count({ where: { userId: user.id } })).toBe(0);
    expect((await userOf(email)).creditBalance).toBe(100);

    // Looking around works.
    expect((await trpcQuery('account.me', { cookie })).status).toBe(200);
    expect((await trpcQuery('jobs.list', { cookie, input: {} })).status).toBe(200);

    // Verified, the same request is accepted.
    await verifyAndGrant(user.id, STARTER);
    const ok = await trpcMutation('jobs.create', { cookie, input: { prompt: 'a lighthouse' } });
    expect(ok.status).toBe(200);
  });

  it('resends the verification mail on request', async () => {
    const email = address('resend');
    const { cookie } = await signUp(email, 'resend me the link 1');
    await waitForMail(email, /confirm/i);
    const res = await authRequest(
      '/send-verification-email',
      { email, callbackURL: '/dashboard?verified=1' },
      { cookie },
    );
    expect(res.status).toBe(200);
    await waitFor(
      async () => (await mailsTo(email, /confirm/i)).length >= 2,
      20_000,
      'a second verification mail',
    );
  });

  it('resets a forgotten password through the mailed link, once', async () => {
    const email = address('forgetful');
    await signUp(email, 'the old password 1');
    const asked = await authRequest('/request-password-reset', {
      email,
      redirectTo: 'http://localhost:3000/reset-password',
    });
    expect(asked.status).toBe(200);
    const mail = await waitForMail(email, /reset your password/i);
    expect(mail.html).toContain('Choose a new password');
    const opened = await open(linkIn(mail));
    expect(opened.status).toBe(302);
    const location = new URL(opened.headers.get('location')!);
    expect(location.pathname).toBe('/reset-password');
    const token = location.searchParams.get('token')!;
    expect(token).toBeTruthy();

    const reset = await authRequest('/reset-password', {
      newPassword: 'a brand new password 2',
      token,
    });
    expect(reset.status).toBe(200);
    const reused = await authRequest('/reset-password', {
      newPassword: 'yet another password 3',
      token,
    });
    expect(reused.status).toBe(400);

    const oldOne = await authRequest('/sign-in/email', { email, password: 'the old password 1' });
    expect(oldOne.status).toBe(401);
    const newOne = await authRequest('/sign-in/email', {
      email,
      password: 'a brand new password 2',
    });
    expect(newOne.status).toBe(200);
    expect(cookieFrom(newOne)).toMatch(/session_token=/);
  });

  it('mails the owner once when wrong passwords pause the account', async () => {
    const email = address('locked');
    await signUp(email, 'the right password 9');
    for (let i = 0; i < 8; i += 1) {
      await authRequest('/sign-in/email', { email, password: `wrong guess ${i}` });
    }
    const notice = await waitForMail(email, /sign-in paused/i);
    expect(notice.text).toMatch(/wrong passwords/);
    expect(notice.text).toContain('/forgot-password?email=');
    expect(await mailsTo(email, /sign-in paused/i)).toHaveLength(1);
  });
});
