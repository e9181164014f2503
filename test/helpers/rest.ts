// Calling the REST API's route handlers as a developer would: a user with an API key, Bearer
// headers, route params, and problem+json answers read back.
import { expect } from 'vitest';
import { createApiKey } from '@/server/api-keys/keys';
import { sessionHeaders } from './app';
import { makeUser } from './users';

export const API_BASE = 'http://localhost:3000/api/v1';

/** A fresh user (credits, plan as asked) holding one key with these scopes (live unless asked). */
export async function userWithKey(
  scopes: readonly string[],
  { mode, ...opts }: { credits?: number; plan?: string; mode?: 'live' | 'test' } = {},
) {
  const user = await makeUser(opts);
  const key = await createApiKey(user.id, { name: 'test', scopes, mode });
  return { user, userId: user.id, secret: key.secret, keyId: key.id };
}

export const bearer = (secret: string, extra: Record<string, string> = {}) => ({
  authorization: `Bearer ${secret}`,
  ...extra,
});

export const jsonHeaders = (secret: string, extra: Record<string, string> = {}) =>
  bearer(secret, { 'content-type': 'application/json', ...extra });

/** A signed-in page's JSON request: session cookie, the app's Origin, application/json. */
export const sessionJsonHeaders = (cookie: string, extra: Record<string, string> = {}) =>
  sessionHeaders(cookie, { 'content-type': 'application/json', ...extra });

/** The second argument Next.js passes a dynamic route handler. */
export const routeParams = (id: string) => ({ params: Promise.resolve({ id }) });

/** Asserts a problem+json answer and returns its body. */
export async function problemOf(res: Response) {
  expect(res.headers.get('content-type')).toBe('application/problem+json');
  return (await res.json()) as { code: string; detail: string; status: number };
}
