import { auth } from './auth';

export interface SessionUser {
  id: string;
  email: string;
  name: string;
}

/** The signed-in user behind a request's cookies, or null. */
export async function getSessionUser(headers: Headers): Promise<SessionUser | null> {
  const session = await auth().api.getSession({ headers });
  if (!session) return null;
  const { id, email, name } = session.user;
  return { id, email, name };
}
