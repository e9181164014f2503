// The REST face (/api/v1): who is calling (server/auth/caller.ts, shared with tRPC), the key's
// scope, the rate limit, `Idempotency-Key` on POST, and problem+json errors (server/http.ts).
// Route handlers only parse, call one domain function and shape the response.
import { requireCaller, type Caller } from '../auth/caller';
import { AppError } from '../errors';
import { handle } from '../http';
import { idempotencyKeyOf, withIdempotency } from './idempotency';
import { requireScope, type ApiScope } from './keys';
import { consumeRateLimit, rateLimitHeaders, type RateLimitState } from './rate-limit';

export type RestCaller = Caller;

export const MAX_JSON_BYTES = 1_000_000;

export async function jsonBody(req: Request): Promise<unknown> {
  if (Number(req.headers.get('content-length') ?? 0) > MAX_JSON_BYTES) {
    throw new AppError('PAYLOAD_TOO_LARGE', 'Request body too large (at most 1 MB of JSON).');
  }
  const text = await req.text();
  if (text.length > MAX_JSON_BYTES) {
    throw new AppError('PAYLOAD_TOO_LARGE', 'Request body too large (at most 1 MB of JSON).');
  }
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

export function restRoute<C>(
  scope: ApiScope,
  fn: (req: Request, caller: RestCaller, ctx: C) => Promise<Response>,
) {
  return async (req: Request, ctx: C): Promise<Response> => {
    let limit: RateLimitState | null = null;
    const res = await handle(async () => {
      const caller = await requireCaller(req.headers);
      if (caller.apiKey) requireScope(caller.apiKey, scope);
      await consumeRateLimit(caller, (s) => (limit = s));
      const key = req.method === 'POST' ? idempotencyKeyOf(req) : null;
      if (key) return withIdempotency(req, caller.userId, key, (r) => fn(r, caller, ctx));
      return fn(req, caller, ctx);
    });
    if (limit) {
      const state: RateLimitState = limit;
      for (const [k, v] of Object.entries(rateLimitHeaders(state))) res.headers.set(k, v);
      if (res.status === 429) res.headers.set('Retry-After', String(state.resetS));
    }
    return res;
  };
}
