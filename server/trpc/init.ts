// tRPC setup: the context (who is calling), the procedure kinds, and the one place where
// AppError codes become tRPC errors.
import { initTRPC, TRPCError } from '@trpc/server';
import superjson from 'superjson';
import { ZodError } from 'zod';
import { API_SCOPES, requireScope, type ApiKeyIdentity, type ApiScope } from '../api-keys/keys';
import { resolveCaller } from '../auth/caller';
import { AppError, ERROR_CODES } from '../errors';

export interface Context {
  user: { id: string } | null;
  /** Set when the request came with an API key rather than a session cookie. */
  apiKey?: ApiKeyIdentity | null;
  /** Why the request's credentials were refused (a bad key): raised by protected procedures. */
  authError?: AppError | null;
  headers: Headers;
}

/**
 * Session cookie or Bearer key: the same resolution as the REST face (server/auth/caller.ts),
 * forgery rules included (a cookie mutation from another site's page is refused; tRPC bodies are
 * JSON).
 */
export async function createContext({ req }: { req: Request }): Promise<Context> {
  const headers = req.headers;
  try {
    const caller = await resolveCaller(req, { body: 'json' });
    return { user: caller ? { id: caller.userId } : null, apiKey: caller?.apiKey ?? null, headers };
  } catch (e) {
    // Thrown here it would be a 500; the procedure turns it into the 401 it is.
    if (e instanceof AppError) return { user: null, apiKey: null, authError: e, headers };
    throw e;
  }
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

/**
 * The scope an API key needs for a procedure: `<router>.<name>` reads need `<router>:read`,
 * writes `<router>:write`. Keys never reach key management or billing.
 */
export function scopeForProcedure(path: string, type: string): ApiScope | null {
  const router = path.split('.')[0] ?? '';
  const scope = `${router}:${type === 'query' ? 'read' : 'write'}`;
  return (API_SCOPES as readonly string[]).includes(scope) ? (scope as ApiScope) : null;
}

export const protectedProcedure = publicProcedure.use(({ ctx, next, path, type }) => {
  if (ctx.authError) throw ctx.authError;
  if (!ctx.user) throw new AppError('UNAUTHENTICATED', 'Sign in to continue.');
  if (ctx.apiKey) {
    const scope = scopeForProcedure(path, type);
    if (!scope) throw new AppError('FORBIDDEN', 'API keys cannot call this; sign in instead.');
    requireScope(ctx.apiKey, scope);
  }
  return next({ ctx: { ...ctx, user: ctx.user } });
});
