// The one way a request says who it is, for tRPC and REST alike: `Authorization: Bearer <key>`
// or a session cookie. Both end in the same user id, so the domain functions never know which.
import { authenticateApiKey, type ApiKeyIdentity } from '../api-keys/keys';
import { AppError } from '../errors';
import { assertNotForged, type ForgeryRules } from './forgery';
import { getSessionUser, type SessionUser } from './session';

export interface Caller {
  userId: string;
  /** The key the request came with; null for a browser session (which has every scope). */
  apiKey: ApiKeyIdentity | null;
}

const NO_KEY = 'Use an API key (Authorization: Bearer as_live_…) or sign in.';

/** What resolveCaller reads of a request: its method and headers, and whether it has a body. */
export type CallerRequest = Pick<Request, 'method' | 'headers'> & { body?: unknown };

/**
 * The signed-in user behind the request's session cookie, or null; a state-changing request from
 * a page that is not this site's is refused first (403/415, server/auth/forgery.ts). Every cookie
 * caller passes here, so this is the one place the forgery rules are enforced.
 */
export async function sessionCaller(
  req: CallerRequest,
  rules?: ForgeryRules,
): Promise<SessionUser | null> {
  const user = await getSessionUser(req.headers);
  if (user) assertNotForged(req, rules);
  return user;
}

/**
 * Null when the request carries neither credential. A request that sends an Authorization
 * header gets no fallback to its cookies: a bad key is a 401, never silently another identity.
 * `rules` says what the route reads (its body's content type) for the cookie branch's checks.
 */
export async function resolveCaller(
  req: CallerRequest,
  rules?: ForgeryRules,
): Promise<Caller | null> {
  const authorization = req.headers.get('authorization');
  if (authorization) {
    const key = await authenticateApiKey(authorization);
    if (!key) throw new AppError('UNAUTHENTICATED', NO_KEY);
    return { userId: key.userId, apiKey: key };
  }
  const user = await sessionCaller(req, rules);
  return user ? { userId: user.id, apiKey: null } : null;
}

export async function requireCaller(req: CallerRequest, rules?: ForgeryRules): Promise<Caller> {
  const caller = await resolveCaller(req, rules);
  if (!caller) throw new AppError('UNAUTHENTICATED', NO_KEY);
  return caller;
}
