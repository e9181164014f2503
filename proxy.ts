// Pages only: a fresh nonce and the page Content-Security-Policy (server/csp.ts) for every page
// response. Next.js reads the nonce from the request's CSP header and puts it on its scripts.
// The matcher leaves out /api (a proxy in front of a route makes Next buffer its body; API answers
// get their fixed policy from next.config.mjs), Next's static files and image optimiser, and any
// path with a file extension (public files, Swagger UI's files, share images). The other
// security headers come from next.config.mjs `headers()` for every path.
import { NextResponse, type NextRequest } from 'next/server';
import { newNonce, pageContentSecurityPolicy } from './server/csp';
import { env } from './server/env';

export function proxy(request: NextRequest) {
  const nonce = newNonce();
  const csp = pageContentSecurityPolicy(nonce, env());
  const headers = new Headers(request.headers);
  headers.set('content-security-policy', csp);
  const res = NextResponse.next({ request: { headers } });
  res.headers.set('Content-Security-Policy', csp);
  return res;
}

export const config = {
  matcher: [
    '/((?!api(?:/|$)|_next/static/|_next/image|favicon\\.ico$|icon\\.svg$|landing/|.*\\.\\w+$).*)',
  ],
};
