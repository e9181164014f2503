// Prisma CLI configuration. The WASM ("js") schema engine with a driver adapter lets
// `prisma migrate` run without the native schema-engine binary, which cannot be downloaded
// here. With this file present Prisma does not read .env: DATABASE_URL comes from the
// environment (scripts/dev.mjs and scripts/test.mjs set it).
import path from 'node:path';
import { defineConfig } from 'prisma/config';
import { PrismaPgMigrate } from './prisma/pg-migrate-adapter';

export default defineConfig({
  experimental: { adapter: true },
  engine: 'js',
  schema: path.join('prisma', 'schema.prisma'),
  migrations: { path: path.join('prisma', 'migrations') },
  adapter() {
    const url = process.env.DATABASE_URL;
    if (!url) throw new Error('DATABASE_URL must be set for prisma migrate/db commands');
    return Promise.resolve(new PrismaPgMigrate(url));
  },
});
