// better-auth: email + password, OAuth providers only when their env is set, cookie sessions,
// sign-in attempts rate-limited in Postgres (holds across serverless instances).
import { randomUUID } from 'node:crypto';
import { betterAuth } from 'better-auth';
import { prismaAdapter } from 'better-auth/adapters/prisma';
import { APIError, createAuthMiddleware } from 'better-auth/api';
import { nextCookies } from 'better-auth/next-js';
import type { Prisma } from '@prisma/client';
import { withStarterGrant } from '../credits/starter-grant';
import { db } from '../db';
import { env, type Env } from '../env';
import { PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH, passwordWeakness } from './password-policy';

/** The Prisma client better-auth writes through: every user it creates gets the starter grant. */
function authClient(e: Env) {
  return db().$extends({
    query: {
      user: {
        async create({ args, query }) {
          const data: Prisma.UserCreateInput = { ...args.data };
          data.id ??= randomUUID();
          args.data = withStarterGrant(data, e.STARTER_CREDITS);
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

function createAuth(e: Env) {
  return betterAuth({
    appName: 'Adapter Studio',
    baseURL: e.APP_URL,
    secret: e.BETTER_AUTH_SECRET,
    database: prismaAdapter(authClient(e), { provider: 'postgresql', transaction: true }),
    emailAndPassword: {
      enabled: true,
      autoSignIn: true,
      minPasswordLength: PASSWORD_MIN_LENGTH,
      maxPasswordLength: PASSWORD_MAX_LENGTH,
    },
    socialProviders: socialProviders(e),
    session: { expiresIn: 60 * 60 * 24 * 30, updateAge: 60 * 60 * 24 },
    rateLimit: {
      enabled: true,
      storage: 'database',
      window: 60,
      max: 100,
      customRules: {
        '/sign-in/email': { window: e.SIGN_IN_RATE_LIMIT_WINDOW_S, max: e.SIGN_IN_RATE_LIMIT_MAX },
        '/sign-up/email': { window: 60, max: 10 },
      },
    },
    hooks: {
      before: createAuthMiddleware((ctx) => {
        if (ctx.path !== '/sign-up/email') return Promise.resolve();
        const body = ctx.body as { password?: unknown; email?: unknown } | undefined;
        if (typeof body?.password !== 'string') return Promise.resolve();
        const weakness = passwordWeakness(
          body.password,
          typeof body.email === 'string' ? body.email : undefined,
        );
        if (weakness)
          throw new APIError('BAD_REQUEST', { message: weakness, code: 'WEAK_PASSWORD' });
        return Promise.resolve();
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
