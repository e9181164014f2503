// better-auth: email + password, OAuth providers only when their env is set, cookie sessions.
// Abuse limits: per client address (better-auth's limiter in Postgres, keyed by
// server/auth/client-address.ts), per account and a global sign-up ceiling (throttle.ts).
// Starter credits are granted when the e-mail address is verified (starter-grant.ts).
import { randomUUID } from 'node:crypto';
import { betterAuth } from 'better-auth';
import { prismaAdapter } from 'better-auth/adapters/prisma';
import { APIError, createAuthMiddleware } from 'better-auth/api';
import { nextCookies } from 'better-auth/next-js';
import type { Prisma } from '@prisma/client';
import { moveCredits } from '../credits/ledger';
import { starterGrantData, starterGrantKey } from '../credits/starter-grant';
import { db } from '../db';
import { env, type Env } from '../env';
import { sendMail } from '../mail/mailer';
import { passwordResetMail, signInLockedMail, verificationMail } from '../mail/templates';
import { addressForLog, clientAddress } from './client-address';
import { PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH, passwordWeakness } from './password-policy';
import { claimLockNotice, claimSignInAttempt, clearSignInThrottle } from './throttle';
import { countInWindow } from '../limits/window';

/**
 * The header that carries `clientAddress` to better-auth's limiter. The auth route sets it on
 * every request (removing any copy the client sent), so better-auth never reads a client header.
 */
export const CLIENT_ADDRESS_HEADER = 'x-adapter-studio-client-address';

/** The request better-auth sees: the client's address as this app decided it, or none. */
export function withClientAddress(req: Request): Request {
  const headers = new Headers(req.headers);
  headers.delete(CLIENT_ADDRESS_HEADER);
  const address = clientAddress(req.headers);
  if (address) headers.set(CLIENT_ADDRESS_HEADER, address);
  return new Request(req, { headers });
}

/**
 * Marks a user's address verified and grants the starter credits in one transaction. The
 * conditional UPDATE makes a second (or concurrent) verification a no-op, and the grant's key is
 * the normalised mailbox, so one mailbox is granted once whatever accounts it had.
 */
export async function verifyAndGrant(userId: string, amount: number): Promise<boolean> {
  return db().$transaction(async (tx) => {
    const rows = await tx.$queryRaw<{ email: string }[]>`
      UPDATE "user" SET "emailVerified" = true, "updatedAt" = now()
       WHERE "id" = ${userId} AND NOT "emailVerified"
   RETURNING "email"`;
    const email = rows[0]?.email;
    if (!email || amount <= 0) return false;
    const { applied } = await moveCredits(tx, {
      userId,
      kind: 'GRANT',
      amount,
      idempotencyKey: starterGrantKey(email),
      reason: 'Starter credits (e-mail verified)',
    });
    return applied;
  });
}

/** The Prisma client better-auth writes through: a verification goes through verifyAndGrant. */
function authClient(e: Env) {
  const base = db();
  const verifyFirst = async (where: Prisma.UserWhereInput | undefined) => {
    const users = await base.user.findMany({
      where: { AND: [where ?? {}, { emailVerified: false }] },
      select: { id: true },
    });
    for (const u of users) await verifyAndGrant(u.id, e.STARTER_CREDITS);
  };
  return base.$extends({
    query: {
      user: {
        // An OAuth provider that vouches for the address: the grant is a nested write of the
        // user's own INSERT (skipped when this mailbox was granted before).
        async create({ args, query }) {
          const data: Prisma.UserCreateInput = { ...args.data, id: args.data.id ?? randomUUID() };
          if (data.emailVerified === true && e.STARTER_CREDITS > 0) {
            const key = starterGrantKey(data.email);
            const seen = await base.creditLedgerEntry.findUnique({
              where: { idempotencyKey: key },
            });
            if (!seen) Object.assign(data, starterGrantData(data.email, e.STARTER_CREDITS, 0));
          }
          args.data = data;
          return query(args);
        },
        async update({ args, query }) {
          if (args.data.emailVerified === true) await verifyFirst(args.where);
          return query(args);
        },
        async updateMany({ args, query }) {
          if (args.data.emailVerified === true) await verifyFirst(args.where);
          return query(args);
        },
      },
    },
  });
}

function socialProviders(e: Env) {
  const providers: Record<string, { clientId: string; clientSecret: string }> = {};
  if (e.GITHUB_CLIENT_ID && e.GITHUB_CLIENT_SECRET) {
    providers.github = { clientId: e.GITHUB_CLIENT_ID, clientSecret: e.GITHUB_CLIENT_SECRET };
  }
  if (e.GOOGLE_CLIENT_ID && e.GOOGLE_CLIENT_SECRET) {
    providers.google = { clientId: e.GOOGLE_CLIENT_ID, clientSecret: e.GOOGLE_CLIENT_SECRET };
  }
  return providers;
}

const hasAddress = (req: Request) => req.headers.has(CLIENT_ADDRESS_HEADER);

/** A per-address rule that applies only where the client's address is known (else: skipped). */
const perAddress = (window: number, max: number) => (req: Request) =>
  hasAddress(req) ? { window, max } : (false as const);

function bodyEmail(body: unknown): string | null {
  const email = (body as { email?: unknown } | undefined)?.email;
  return typeof email === 'string' && email.length <= 320 ? email : null;
}

/** Sends a mail without failing the request that caused it (the user can ask again). */
async function sendQuietly(to: string, mail: Parameters<typeof sendMail>[1], why: string) {
  try {
    await sendMail(to, mail);
  } catch (err) {
    console.error(`[mail] ${why} mail to ${to} failed: ${(err as Error).message}`);
  }
}

function createAuth(e: Env) {
  const resetPageUrl = (email?: string) =>
    `${e.APP_URL}/forgot-password${email ? `?email=${encodeURIComponent(email)}` : ''}`;
  return betterAuth({
    appName: 'Adapter Studio',
    baseURL: e.APP_URL,
    secret: e.BETTER_AUTH_SECRET,
    trustedOrigins: e.TRUSTED_ORIGINS ?? [],
    database: prismaAdapter(authClient(e), { provider: 'postgresql', transaction: true }),
    emailAndPassword: {
      enabled: true,
      autoSignIn: true,
      // Unverified users may sign in and look around; spending needs a verified address
      // (server/credits/ledger.ts holdForJob).
      requireEmailVerification: false,
      minPasswordLength: PASSWORD_MIN_LENGTH,
      maxPasswordLength: PASSWORD_MAX_LENGTH,
      resetPasswordTokenExpiresIn: 3600,
      revokeSessionsOnPasswordReset: true,
      sendResetPassword: ({ user, url }) =>
        sendQuietly(user.email, passwordResetMail(url), 'password reset'),
      onPasswordReset: ({ user }) => clearSignInThrottle(user.email),
    },
    emailVerification: {
      sendOnSignUp: true,
      autoSignInAfterVerification: true,
      expiresIn: 60 * 60 * 24,
      sendVerificationEmail: ({ user, url }) =>
        sendQuietly(user.email, verificationMail(url, e.STARTER_CREDITS), 'verification'),
    },
    socialProviders: socialProviders(e),
    session: { expiresIn: 60 * 60 * 24 * 30, updateAge: 60 * 60 * 24 },
    advanced: { ipAddress: { ipAddressHeaders: [CLIENT_ADDRESS_HEADER] } },
    rateLimit: {
      enabled: true,
      storage: 'database',
      window: 60,
      max: 100,
      // Per address, and only where the address is known: without one these rules are skipped
      // (a shared bucket would let one caller lock everyone out); the per-account and global
      // limits below hold either way.
      customRules: {
        '/sign-in/email': perAddress(e.SIGN_IN_RATE_LIMIT_WINDOW_S, e.SIGN_IN_RATE_LIMIT_MAX),
        '/sign-up/email': perAddress(e.SIGN_UP_RATE_LIMIT_WINDOW_S, e.SIGN_UP_RATE_LIMIT_MAX),
        '/request-password-reset': perAddress(3600, 10),
        '/send-verification-email': perAddress(3600, 10),
        '/**': (req: Request, current) => (hasAddress(req) ? current : (false as const)),
      },
    },
    hooks: {
      before: createAuthMiddleware(async (ctx) => {
        if (ctx.path === '/sign-in/email') {
          const email = bodyEmail(ctx.body);
          if (!email) return;
          const claim = await claimSignInAttempt(email, e.SIGN_IN_ACCOUNT_FREE_TRIES);
          if (!claim.allowed) {
            console.warn(
              `[auth] sign-in refused: account locked for ${claim.retryAfterS} s (from ${ctx.request ? addressForLog(ctx.request.headers) : 'unknown'})`,
            );
            throw new APIError(
              'TOO_MANY_REQUESTS',
              {
                code: 'ACCOUNT_LOCKED',
                message: `Too many wrong passwords for this account: sign-in is paused for ${claim.retryAfterS} s. Wait, or reset your password.`,
              },
              { 'Retry-After': String(claim.retryAfterS) },
            );
          }
          return;
        }
        if (ctx.path !== '/sign-up/email') return;
        const { count, resetS } = await countInWindow(
          `long:sign-up:global:${e.SIGN_UP_GLOBAL_WINDOW_S}`,
          e.SIGN_UP_GLOBAL_WINDOW_S,
        );
        if (count > e.SIGN_UP_GLOBAL_MAX) {
          console.warn(
            `[auth] sign-up refused: global ceiling of ${e.SIGN_UP_GLOBAL_MAX} per ${e.SIGN_UP_GLOBAL_WINDOW_S} s reached (from ${ctx.request ? addressForLog(ctx.request.headers) : 'unknown'})`,
          );
          throw new APIError(
            'TOO_MANY_REQUESTS',
            {
              code: 'SIGN_UPS_PAUSED',
              message: `Sign-ups are paused for a moment (too many at once). Try again in ${resetS} s.`,
            },
            { 'Retry-After': String(resetS) },
          );
        }
        const body = ctx.body as { password?: unknown; email?: unknown } | undefined;
        if (typeof body?.password !== 'string') return;
        const weakness = passwordWeakness(
          body.password,
          typeof body.email === 'string' ? body.email : undefined,
        );
        if (weakness)
          throw new APIError('BAD_REQUEST', { message: weakness, code: 'WEAK_PASSWORD' });
      }),
      after: createAuthMiddleware(async (ctx) => {
        if (ctx.path !== '/sign-in/email') return;
        const email = bodyEmail(ctx.body);
        if (!email) return;
        const returned = ctx.context.returned;
        if (!(returned instanceof APIError)) {
          await clearSignInThrottle(email);
          return;
        }
        // A wrong password that started a lock: tell the owner, once per series.
        if (returned.statusCode !== 401) return;
        const lockedUntil = await claimLockNotice(email);
        if (!lockedUntil) return;
        const user = await db().user.findUnique({
          where: { email: email.trim().toLowerCase() },
          select: { email: true },
        });
        if (!user) return;
        const lockedForS = Math.ceil((lockedUntil.getTime() - Date.now()) / 1000);
        const from = ctx.request ? addressForLog(ctx.request.headers) : 'unknown';
        console.warn(
          `[auth] account sign-in locked for ${lockedForS} s after wrong passwords (from ${from})`,
        );
        await sendQuietly(
          user.email,
          signInLockedMail(resetPageUrl(user.email), lockedForS, from),
          'lock notice',
        );
      }),
    },
    plugins: [nextCookies()],
  });
}

export type Auth = ReturnType<typeof createAuth>;

const globalForAuth = globalThis as unknown as { __auth?: Auth };

export function auth(): Auth {
  globalForAuth.__auth ??= createAuth(env());
  return globalForAuth.__auth;
}
