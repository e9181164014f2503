#!/usr/bin/env node
// `npm run dev`: the whole product on this machine. Installs what is missing, starts the
// embedded PostgreSQL (data under .data/, kept between runs) unless DATABASE_URL names another,
// applies migrations, and runs Next.js on :3000. Ctrl-C stops everything.
// Node built-ins only until the npm packages are installed.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import process from 'node:process';
import {
  ensureNodeDependencies,
  ensurePrismaClient,
  log,
  migrateDeploy,
  QUIET_ENV,
  ROOT,
} from './lib/bootstrap.mjs';

const DATA = path.join(ROOT, '.data');
const PORT = Number(process.env.PORT ?? 3000);

/** A stable local auth secret, generated once, so sessions survive restarts. */
function localAuthSecret() {
  if (process.env.BETTER_AUTH_SECRET) return process.env.BETTER_AUTH_SECRET;
  const file = path.join(DATA, 'auth-secret');
  if (!fs.existsSync(file)) {
    fs.mkdirSync(DATA, { recursive: true });
    fs.writeFileSync(file, randomBytes(32).toString('hex') + '\n', { mode: 0o600 });
  }
  return fs.readFileSync(file, 'utf8').trim();
}

ensureNodeDependencies();
const { createDatabase, startPostgres } = await import('./lib/postgres.mjs');

let postgres = null;
let databaseUrl = process.env.DATABASE_URL;
if (!databaseUrl) {
  log('dev', 'starting embedded PostgreSQL (data in .data/postgres)…');
  postgres = await startPostgres({ dataDir: path.join(DATA, 'postgres'), preferredPort: 54329 });
  await createDatabase(postgres.adminUrl, 'adapter_studio');
  databaseUrl = postgres.url('adapter_studio');
}

const children = [];
let stopping = false;

async function shutdown(code) {
  if (stopping) return;
  stopping = true;
  log('dev', 'stopping…');
  await Promise.all(
    children.map(
      (child) =>
        new Promise((resolve) => {
          if (child.exitCode !== null || child.signalCode !== null) return resolve();
          child.once('exit', resolve);
          child.kill('SIGTERM');
          setTimeout(() => child.kill('SIGKILL'), 10_000).unref();
        }),
    ),
  );
  if (postgres) await postgres.stop();
  process.exit(code);
}
process.on('SIGINT', () => void shutdown(0));
process.on('SIGTERM', () => void shutdown(0));

try {
  ensurePrismaClient(databaseUrl);
  log('dev', 'applying migrations…');
  migrateDeploy(databaseUrl);
} catch (e) {
  log('dev', e instanceof Error ? e.message : String(e));
  await shutdown(1);
}

const appEnv = {
  ...process.env,
  ...QUIET_ENV,
  DATABASE_URL: databaseUrl,
  BETTER_AUTH_SECRET: localAuthSecret(),
  APP_URL: process.env.APP_URL ?? `http://localhost:${PORT}`,
};

const next = spawn(
  process.execPath,
  [path.join(ROOT, 'node_modules', 'next', 'dist', 'bin', 'next'), 'dev', '--port', String(PORT)],
  { cwd: ROOT, env: appEnv, stdio: 'inherit' },
);
children.push(next);
next.on('exit', (code) => {
  if (!stopping) {
    log('dev', `Next.js exited (${code ?? 'signal'})`);
    void shutdown(code ?? 1);
  }
});
log('dev', `Adapter Studio: http://localhost:${PORT}  (Ctrl-C stops)`);
