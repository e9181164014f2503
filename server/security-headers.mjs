// The security headers of every answer, in one list: next.config.mjs `headers()` puts them on
// everything Next.js serves, and server/route-methods.ts on the 405 it answers in front of
// Next.js. Plain JavaScript so that next.config.mjs can import it. Pages also get their
// per-request CSP with a nonce (server/csp.ts, proxy.ts).

/**
 * nosniff, Referrer-Policy, Permissions-Policy, X-Frame-Options, COOP; HSTS in production
 * builds only (a development server on http://localhost must stay reachable).
 * @param {boolean} production
 * @returns {{ key: string, value: string }[]}
 */
export function securityHeaders(production) {
  return [
    { key: 'X-Content-Type-Options', value: 'nosniff' },
    { key: 'Referrer-Policy', value: 'strict-origin-when-cross-origin' },
    {
      key: 'Permissions-Policy',
      value: 'camera=(), microphone=(), geolocation=(), payment=(), usb=()',
    },
    { key: 'X-Frame-Options', value: 'DENY' },
    { key: 'Cross-Origin-Opener-Policy', value: 'same-origin' },
    ...(production
      ? [{ key: 'Strict-Transport-Security', value: 'max-age=63072000; includeSubDomains' }]
      : []),
  ];
}

/** API answers are data, never documents to render: nothing may load, nothing may frame them. */
export const API_CSP =
  "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";
