// The REST face (/api/v1): one caller model for an API key or a session cookie, ending in the
// same user and the same domain functions as tRPC. Errors are problem+json (server/http.ts).
import { getSessionUser } from '../auth/session';
import { db } from '../db';
import { AppError } from '../errors';
import { handle } from '../http';
import { authenticateApiKey, requireScope, type ApiScope } from './keys';

export interface RestCaller {
  userId: string;
  apiKeyId: string | null;
}

export async function restCaller(req: Request, scope: ApiScope): Promise<RestCaller> {
  const key = await authenticateApiKey(req.headers.get('authorization'));
  if (key) {
    requireScope(key, scope);
    await countRequest(key.keyId);
    return { userId: key.userId, apiKeyId: key.keyId };
  }
  if (req.headers.get('authorization')) {
    throw new AppError('UNAUTHENTICATED', 'Use an API key: Authorization: Bearer as_live_…');
  }
  const user = await getSessionUser(req.headers);
  if (!user)
    throw new AppError('UNAUTHENTICATED', 'Use an API key: Authorization: Bearer as_live_…');
  return { userId: user.id, apiKeyId: null };
}

/** Requests per key per day, for the usage view. */
async function countRequest(apiKeyId: string): Promise<void> {
  const day = new Date(new Date().toISOString().slice(0, 10));
  await db().apiKeyUsageDay.upsert({
    where: { apiKeyId_day: { apiKeyId, day } },
    create: { apiKeyId, day, requests: 1 },
    update: { requests: { increment: 1 } },
  });
}

export async function jsonBody(req: Request): Promise<unknown> {
  const text = await req.text();
  if (text.length > 1_000_000) throw new AppError('PAYLOAD_TOO_LARGE', 'Request body too large.');
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
  return (req: Request, ctx: C) => handle(async () => fn(req, await restCaller(req, scope), ctx));
}
