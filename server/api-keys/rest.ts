// The REST face (/api/v1): who is calling (server/auth/caller.ts, shared with tRPC), the key's
// scope, the rate limit, `Idempotency-Key` on POST, and problem+json errors (server/http.ts).
// Route handlers only parse, call one domain function and shape the response.
import { requireCaller, type Caller } from '../auth/caller';
import type { BodyKind } from '../auth/forgery';
import { readBody } from '../body';
import { AppError } from '../errors';
import { handle } from '../http';
import { idempotencyKeyOf, withIdempotency } from './idempotency';
import { requireScope, type ApiScope } from './keys';
import { consumeRateLimit, rateLimitHeaders, type RateLimitState } from './rate-limit';

export type RestCaller = Caller;

/** The limit of a JSON body, and of any REST route's body unless the route declares its own. */
export const MAX_JSON_BYTES = 2 ** 20;

/** The body as JSON, read with its limit held on the stream (server/body.ts). */
export async function jsonBody(req: Request): Promise<unknown> {
  const text = (await readBody(req, MAX_JSON_BYTES, 'JSON bodies')).toString('utf8');
  const type = req.headers.get('content-type');
  if (text && type && !/^application\/(.+\+)?json\b/i.test(type)) {
    throw new AppError('UNSUPPORTED_MEDIA_TYPE', 'Send the body as application/json.');
  }
  try {
    return text ? (JSON.parse(text) as unknown) : {};
  } catch {
    throw new AppError('VALIDATION_FAILED', 'The body must be JSON.');
  }
}

export interface RestRouteOptions {
  /** The most bytes this route's body may have (default MAX_JSON_BYTES): the idempotency
   * fingerprint reads the body with this bound before the handler runs (the handler's own
   * reader bounds it again). Upload routes declare theirs with multipartBodyLimit. */
  maxBodyBytes?: number;
  /** The content type the route reads its body as (default json): a cookie caller's body must
   * declare it (server/auth/forgery.ts). The upload routes say multipart. */
  body?: BodyKind;
}

export function restRoute<C>(
  scope: ApiScope,
  fn: (req: Request, caller: RestCaller, ctx: C) => Promise<Response>,
  { maxBodyBytes = MAX_JSON_BYTES, body = 'json' }: RestRouteOptions = {},
) {
  return async (req: Request, ctx: C): Promise<Response> => {
    let limit: RateLimitState | null = null;
    const res = await handle(async () => {
      const caller = await requireCaller(req, { body });
      if (caller.apiKey) requireScope(caller.apiKey, scope);
      await consumeRateLimit(caller, (s) => (limit = s));
      const key = req.method === 'POST' ? idempotencyKeyOf(req) : null;
      if (key)
        return withIdempotency(req, caller.userId, key, maxBodyBytes, (r) => fn(r, caller, ctx));
      return fn(req, caller, ctx);
    });
    if (limit) {
      const state: RateLimitState = limit;
      for (const [k, v] of Object.entries(rateLimitHeaders(state))) res.headers.set(k, v);
      if (res.status === 429 && !res.headers.has('Retry-After'))
        res.headers.set('Retry-After', String(state.resetS));
    }
    return res;
  };
}
