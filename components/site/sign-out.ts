'use client';

/**
 * Ends the session with better-auth's endpoint. A plain fetch keeps the auth client library out of
 * the header's JavaScript, which every page loads.
 */
export async function signOutAndLeave(): Promise<void> {
  await fetch('/api/auth/sign-out', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: '{}',
    credentials: 'same-origin',
  }).catch(() => undefined);
  // A full load: every cached query and the server-rendered header start over signed out.
  window.location.assign('/sign-in');
}
