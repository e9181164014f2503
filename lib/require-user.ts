import { headers } from 'next/headers';
import { redirect } from 'next/navigation';
import { getSessionUser, type SessionUser } from '@/server/auth/session';

/** For server components of signed-in pages: the user, or a redirect to sign-in. */
export async function requireUser(): Promise<SessionUser> {
  const user = await getSessionUser(await headers());
  if (!user) redirect('/sign-in');
  return user;
}
