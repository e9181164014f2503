// For server components of signed-in pages: call tRPC procedures in-process (no HTTP) so the first
// paint already has the data; the client's queries then start from it instead of a skeleton.
import { headers } from 'next/headers';
import type { SessionUser } from '@/server/auth/session';
import { createCaller } from '@/server/trpc/router';

export async function serverCaller(user: SessionUser) {
  return createCaller({ user, headers: await headers() });
}

/** A procedure's result, or undefined when it fails: the client then fetches and shows its error. */
export function orUndefined<T>(p: Promise<T>): Promise<T | undefined> {
  return p.catch(() => undefined);
}
