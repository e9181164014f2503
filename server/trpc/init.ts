// tRPC setup: the context (who is calling), the procedure kinds, and the one place where
// AppError codes become tRPC errors.
import { initTRPC, TRPCError } from '@trpc/server';
import superjson from 'superjson';
import { ZodError } from 'zod';
import { getSessionUser, type SessionUser } from '../auth/session';
import { AppError, ERROR_CODES } from '../errors';

export interface Context {
  user: SessionUser | null;
  headers: Headers;
}

export async function createContext({ headers }: { headers: Headers }): Promise<Context> {
  return { user: await getSessionUser(headers), headers };
}

const t = initTRPC.context<Context>().create({
  transformer: superjson,
  errorFormatter({ shape, error }) {
    const cause = error.cause;
    return {
      ...shape,
      data: {
        ...shape.data,
        appCode: cause instanceof AppError ? cause.code : null,
        fieldErrors: cause instanceof ZodError ? cause.flatten().fieldErrors : null,
        // Never leak internals to callers.
        stack: undefined,
      },
      message:
        shape.data.code === 'INTERNAL_SERVER_ERROR' && !(cause instanceof AppError)
          ? ERROR_CODES.INTERNAL.title
          : shape.message,
    };
  },
});

/** Converts domain errors to tRPC errors; unknown errors stay INTERNAL_SERVER_ERROR. */
const appErrors = t.middleware(async ({ next }) => {
  const result = await next();
  if (!result.ok && result.error.cause instanceof AppError) {
    const cause = result.error.cause;
    throw new TRPCError({ code: ERROR_CODES[cause.code].trpc, message: cause.message, cause });
  }
  return result;
});

export const router = t.router;
export const createCallerFactory = t.createCallerFactory;

export const publicProcedure = t.procedure.use(appErrors);

export const protectedProcedure = publicProcedure.use(({ ctx, next }) => {
  if (!ctx.user) throw new AppError('UNAUTHENTICATED', 'Sign in to continue.');
  return next({ ctx: { ...ctx, user: ctx.user } });
});
