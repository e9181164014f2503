#!/usr/bin/env node
// `npm run dev`: the whole product on this machine. Installs what is missing, starts the
// embedded PostgreSQL (data under .data/, kept between runs) unless DATABASE_URL names another,
// applies migrations, runs Next.js on :3000, and runs the Python worker on CPU with tiny
// random-weight models (built once into .data/models) under a worker token it makes itself, and a
// local mail catcher (MailDev) that receives every mail the app sends. Ctrl-C stops everything.
// The tiny set holds SD 1.5, SDXL and an X-Adapter (scripts/lib/tiny-set.mjs); a set built before
// them is built again.
// Node built-ins only until the npm packages are installed.
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import process from 'node:process';
import {
  ensureNodeDependencies,
  ensurePrismaClient,
  log,
  migrateDeploy,
  QUIET_ENV,
  ROOT,
  run,
} from './lib/bootstrap.mjs';
import {
  missingTinyEntries,
  TINY_BASE_MODELS,
  TINY_X_ADAPTER,
  TINY_X_ADAPTER_SD15_BASE,
} from './lib/tiny-set.mjs';

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

fs.mkdirSync(DATA, { recursive: true });
fs.writeFileSync(path.join(DATA, 'database-url'), databaseUrl + '\n', { mode: 0o600 });

// Mail (verification links, password resets) goes to the local catcher, unless SMTP_URL names
// a real server.
let mailCatcher = null;
if (!process.env.SMTP_URL) {
  const { startMailCatcher } = await import('./lib/mail-catcher.mjs');
  try {
    mailCatcher = await startMailCatcher({ mailDir: path.join(DATA, 'mail') });
    children.push(mailCatcher.child);
  } catch (e) {
    log(
      'dev',
      `the mail catcher could not start (${e instanceof Error ? e.message : e}); mails are printed here instead`,
    );
  }
}

const ENCODER_ONNX = path.join(DATA, 'models', 'onnx', 'encoder.onnx');
const MAP_MODELS = path.join(DATA, 'models', 'onnx', 'control-maps');
const withWorker = process.env.DEV_WORKER !== '0';
const appEnv = {
  ...process.env,
  ...QUIET_ENV,
  DATABASE_URL: databaseUrl,
  BETTER_AUTH_SECRET: localAuthSecret(),
  APP_URL: process.env.APP_URL ?? `http://localhost:${PORT}`,
  ...(mailCatcher ? { SMTP_URL: mailCatcher.smtpUrl } : {}),
  // The local worker serves the tiny model set (SD 1.5, SDXL and an X-Adapter between them); a
  // real deployment names its own models.
  BASE_MODELS: process.env.BASE_MODELS ?? (withWorker ? TINY_BASE_MODELS : 'sd15'),
  ...(withWorker
    ? {
        X_ADAPTER: process.env.X_ADAPTER ?? TINY_X_ADAPTER,
        X_ADAPTER_SD15_BASE: process.env.X_ADAPTER_SD15_BASE ?? TINY_X_ADAPTER_SD15_BASE,
        IP_ADAPTER_ENCODER_ONNX: process.env.IP_ADAPTER_ENCODER_ONNX ?? ENCODER_ONNX,
        CONTROL_MAP_MODELS_DIR: process.env.CONTROL_MAP_MODELS_DIR ?? MAP_MODELS,
      }
    : {}),
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

/** Venv, tiny models and a fresh worker token; then the worker process, restarted if it dies. */
function startWorker() {
  const workerDir = path.join(ROOT, 'gpu-worker');
  const python = path.join(workerDir, '.venv', 'bin', 'python');
  const models = path.join(DATA, 'models');
  log('dev', 'setting up the CPU worker (first run installs PyTorch: a few minutes)…');
  run('bash', [path.join(workerDir, 'scripts', 'setup.sh')]);
  // A set from before SDXL and X-Adapter has a models.json too: its entries decide. It is built
  // again whole, its ONNX exports with it (they come from its weights).
  const missing = missingTinyEntries(path.join(models, 'models.json'));
  if (missing.length) {
    if (fs.existsSync(models)) {
      log('dev', `the tiny model set lacks ${missing.join(', ')}: building it again…`);
      fs.rmSync(models, { recursive: true, force: true });
    } else {
      log('dev', 'building the tiny model set into .data/models…');
    }
    run(python, ['-m', 'adapter_worker.tiny', '--out', models], { cwd: workerDir });
    const still = missingTinyEntries(path.join(models, 'models.json'));
    if (still.length) throw new Error(`the tiny model set still lacks ${still.join(', ')}`);
  }
  // The web tier's half: the same encoder in ONNX (embeddings at upload) and a stand-in depth
  // model (so depth previews work locally; its maps are as random as its weights).
  if (!fs.existsSync(ENCODER_ONNX)) {
    fs.mkdirSync(path.dirname(ENCODER_ONNX), { recursive: true });
    log('dev', 'exporting the tiny image encoder to ONNX…');
    run(
      python,
      [
        '-m',
        'adapter_worker.export_onnx',
        '--models',
        path.join(models, 'models.json'),
        '--encoder',
        'vit-h',
        '--out',
        ENCODER_ONNX,
      ],
      { cwd: workerDir },
    );
  }
  fs.mkdirSync(MAP_MODELS, { recursive: true });
  const depth = path.join(MAP_MODELS, 'depth.onnx');
  if (!fs.existsSync(depth)) {
    run(
      python,
      [
        '-m',
        'adapter_worker.export_onnx',
        '--control-map',
        '--control-type',
        'depth',
        '--size',
        '256',
        '--out',
        depth,
      ],
      { cwd: workerDir },
    );
  }
  const tokenFile = path.join(DATA, 'worker-token.json');
  const tsx = path.join(ROOT, 'node_modules', '.bin', 'tsx');
  if (fs.existsSync(tokenFile)) {
    const old = JSON.parse(fs.readFileSync(tokenFile, 'utf8'));
    spawnSync(tsx, ['scripts/worker-token.ts', 'revoke', old.id], {
      cwd: ROOT,
      env: appEnv,
      stdio: 'ignore',
    });
  }
  const made = spawnSync(
    tsx,
    ['scripts/worker-token.ts', 'create', '--pool', 'local', '--name', 'npm run dev', '--json'],
    {
      cwd: ROOT,
      env: appEnv,
      encoding: 'utf8',
    },
  );
  if (made.status !== 0) throw new Error(`could not create a worker token: ${made.stderr}`);
  const token = JSON.parse(made.stdout.trim().split('\n').pop());
  fs.writeFileSync(tokenFile, JSON.stringify({ id: token.id }) + '\n', { mode: 0o600 });

  const spawnWorker = () => {
    const worker = spawn(
      python,
      [
        '-m',
        'adapter_worker',
        '--server',
        `http://127.0.0.1:${PORT}`,
        '--models',
        path.join(models, 'models.json'),
        '--worker-id',
        'local-cpu',
        '--health-file',
        path.join(os.tmpdir(), 'adapter-studio-worker.alive'),
      ],
      {
        cwd: workerDir,
        env: { ...process.env, ADAPTER_WORKER_TOKEN: token.token, HF_HUB_OFFLINE: '1' },
        stdio: 'inherit',
      },
    );
    children.push(worker);
    worker.on('exit', (code) => {
      if (stopping) return;
      log('dev', `worker exited (${code ?? 'signal'}); restarting in 3 s`);
      setTimeout(() => !stopping && spawnWorker(), 3000);
    });
  };
  spawnWorker();
}

if (withWorker) {
  try {
    startWorker();
  } catch (e) {
    log('dev', `the worker could not start: ${e instanceof Error ? e.message : e}`);
    log(
      'dev',
      'the app runs on; jobs wait in the queue until a worker connects (DEV_WORKER=0 skips it)',
    );
  }
}
if (mailCatcher) log('dev', `Mail catcher (verification and reset mails): ${mailCatcher.webUrl}`);
log('dev', `Adapter Studio: http://localhost:${PORT}  (Ctrl-C stops)`);
