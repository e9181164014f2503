import { connection } from 'next/server';
import { env } from '@/server/env';
import type { OAuthProvider } from './auth-form';

/** The OAuth sign-in buttons to show: only providers configured on this server (server/auth). */
export async function oauthProviders(): Promise<OAuthProvider[]> {
  await connection(); // settings are read per request, never at build time
  const e = env();
  const out: OAuthProvider[] = [];
  if (e.GITHUB_CLIENT_ID && e.GITHUB_CLIENT_SECRET) out.push('github');
  if (e.GOOGLE_CLIENT_ID && e.GOOGLE_CLIENT_SECRET) out.push('google');
  return out;
}
