// A migrated PostgreSQL and a storage folder that exist for one benchmark run only. Sets
// DATABASE_URL and STORAGE_DIR: import server modules after calling it.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

interface EmbeddedPg {
  adminUrl: string;
  url(db: string): string;
  stop(): Promise<void>;
}

export async function throwawayDatabase(): Promise<{ stop(): Promise<void> }> {
  const pgLib = (await import('../../scripts/lib/postgres.mjs')) as {
    startPostgres(o: { dataDir: string; fresh: boolean }): Promise<EmbeddedPg>;
    createDatabase(admin: string, db: string): Promise<void>;
  };
  const boot = (await import('../../scripts/lib/bootstrap.mjs')) as { migrateDeploy(url: string): void };
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'as-bench-'));
  const pg = await pgLib.startPostgres({ dataDir: path.join(dir, 'data'), fresh: true });
  await pgLib.createDatabase(pg.adminUrl, 'bench');
  process.env.DATABASE_URL = pg.url('bench');
  process.env.STORAGE_DIR = path.join(dir, 'storage');
  boot.migrateDeploy(process.env.DATABASE_URL);
  return {
    async stop() {
      await pg.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
