// The one way a request says who it is, for tRPC and REST alike: `Authorization: Bearer <key>`
// or a session cookie. Both end in the same user id, so the domain functions never know which.
import { authenticateApiKey, type ApiKeyIdentity } from '../api-keys/keys';
import { AppError } from '../errors';
import { getSessionUser } from './session';

export interface Caller {
  userId: string;
  /** The key the request came with; null for a browser session (which has every scope). */
  apiKey: ApiKeyIdentity | null;
}

const NO_KEY = 'Use an API key (Authorization: Bearer as_live_…) or sign in.';

/**
 * Null when the request carries neither credential. A request that sends an Authorization
 * header gets no fallback to its cookies: a bad key is a 401, never silently another identity.
 */
export async function resolveCaller(headers: Headers): Promise<Caller | null> {
  const authorization = headers.get('authorization');
  if (authorization) {
    const key = await authenticateApiKey(authorization);
    if (!key) throw new AppError('UNAUTHENTICATED', NO_KEY);
    return { userId: key.userId, apiKey: key };
  }
  const user = await getSessionUser(headers);
  return user ? { userId: user.id, apiKey: null } : null;
}

export async function requireCaller(headers: Headers): Promise<Caller> {
  const caller = await resolveCaller(headers);
  if (!caller) throw new AppError('UNAUTHENTICATED', NO_KEY);
  return caller;
}
