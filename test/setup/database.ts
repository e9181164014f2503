// Runs before each test file: gives the file its own database, copied from the migrated
// template that scripts/test.mjs prepared, so files never see each other's rows.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll } from 'vitest';
import pg from 'pg';

const adminUrl = process.env.TEST_PG_ADMIN_URL;
const template = process.env.TEST_PG_TEMPLATE;
if (!adminUrl || !template) {
  throw new Error(
    'Run the tests with `npm test`: it starts PostgreSQL and sets TEST_PG_ADMIN_URL.',
  );
}

const name = `test_${randomBytes(6).toString('hex')}`;
const admin = new pg.Client({ connectionString: adminUrl });
await admin.connect();
await admin.query(`CREATE DATABASE "${name}" TEMPLATE "${template}"`);
await admin.end();

const url = new URL(adminUrl);
url.pathname = `/${name}`;
url.searchParams.set('schema', 'public');
process.env.DATABASE_URL = url.toString();
process.env.BETTER_AUTH_SECRET ??= 'test-secret-test-secret-test-secret-0123';
process.env.APP_URL ??= 'http://localhost:3000';
// Storage of this file's run, never the developer's .data/.
process.env.STORAGE_DIR = fs.mkdtempSync(path.join(os.tmpdir(), 'as-test-storage-'));

// Fresh clients for this file (a forked worker may have run another file before).
const g = globalThis as Record<string, unknown>;
delete g.__prisma;
delete g.__auth;
delete g.__pgPool;
delete g.__storage;

afterAll(async () => {
  const prisma = g.__prisma as { $disconnect(): Promise<void> } | undefined;
  await prisma?.$disconnect();
  const { closePgPool } = await import('@/server/db-pool');
  const { stopQueueListener } = await import('@/server/jobs/queue-signal');
  await closePgPool();
  await stopQueueListener();
  const c = new pg.Client({ connectionString: adminUrl });
  await c.connect();
  await c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  await c.end();
  fs.rmSync(process.env.STORAGE_DIR!, { recursive: true, force: true });
});
