#!/usr/bin/env node
// `npm test`: installs what is missing and runs every suite: type check, lint, the production
// build, vitest (against throwaway databases on an embedded PostgreSQL; the end-to-end tests run
// `next start` and the real Python worker; test/browser drives Chromium through the product) and
// the GPU worker's own suite (ruff, types, pytest). Every suite runs even when an earlier one
// fails; the exit code is non-zero when any failed.
import { spawn, spawnSync } from 'node:child_process';
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
} from './lib/bootstrap.mjs';
import { requireTool } from './lib/tools.mjs';

// While working on one area: `npm test -- --only=vitest test/integration/auth.test.ts` runs just
// the named suites (typecheck, lint, worker, build, vitest, pytest) with the other arguments
// handed to vitest. With no arguments every suite runs, which is what CI does.
const argv = process.argv.slice(2);
const onlyArg = argv.find((a) => a.startsWith('--only='));
const ONLY = onlyArg ? new Set(onlyArg.slice('--only='.length).split(',')) : null;
const VITEST_ARGS = argv.filter((a) => a !== onlyArg);
const wanted = (name) => !ONLY || ONLY.has(name);
// A partial run keeps its reports apart, so several can run at once.
const ARTIFACTS = ONLY
  ? fs.mkdtempSync(path.join(os.tmpdir(), 'adapter-studio-test-'))
  : path.join(ROOT, '.test-artifacts');
const bin = (name) => path.join(ROOT, 'node_modules', '.bin', name);

ensureNodeDependencies();
const { createDatabase, startPostgres } = await import('./lib/postgres.mjs');

fs.rmSync(ARTIFACTS, { recursive: true, force: true });
fs.mkdirSync(ARTIFACTS, { recursive: true });
const pgDir = fs.mkdtempSync(path.join(os.tmpdir(), 'adapter-studio-pg-'));
log('test', 'starting a throwaway embedded PostgreSQL…');
const postgres = await startPostgres({ dataDir: path.join(pgDir, 'data'), fresh: true });

// Every test file gets its own database, copied from this migrated template (fast).
const TEMPLATE = 'adapter_studio_template';
await createDatabase(postgres.adminUrl, TEMPLATE);
const templateUrl = postgres.url(TEMPLATE);

const results = [];
let mailCatcher = null;
let exitCode = 0;

// Asynchronous, so this process keeps serving its children while a suite runs: PostgreSQL's log
// goes to a pipe this process reads, and a blocked event loop (spawnSync) lets that pipe fill, at
// which point every database backend that logs (any error, e.g. a unique violation) blocks.
async function suite(name, cmd, args, { env = {}, counts } = {}) {
  log('test', `── ${name} ──`);
  const t0 = Date.now();
  const status = await new Promise((resolve) => {
    const child = spawn(cmd, args, {
      cwd: ROOT,
      stdio: 'inherit',
      env: { ...process.env, ...QUIET_ENV, ...env },
    });
    child.on('error', () => resolve(null));
    child.on('exit', (code) => resolve(code));
  });
  const ok = status === 0;
  if (!ok) exitCode = 1;
  results.push({ name, ok, seconds: (Date.now() - t0) / 1000, counts: counts?.() ?? null });
}

/**
 * stripe-mock (Stripe's official API mock, a Go program) for the checkout tests: built once with
 * `go install` into node_modules/.cache. Where Go is absent: null with the reason printed, or, with
 * CI set, a failed run (requireTool, scripts/lib/tools.mjs).
 */
function buildStripeMock() {
  const version = 'v0.203.0';
  const binDir = path.join(ROOT, 'node_modules', '.cache', 'stripe-mock', version);
  const bin = path.join(binDir, 'stripe-mock');
  if (fs.existsSync(bin)) return bin;
  const go = spawnSync('go', ['version'], { encoding: 'utf8' });
  if (go.status !== 0) {
    return requireTool('Go (to build stripe-mock)', null, {
      skips: 'the checkout tests against stripe-mock will be skipped',
      install: 'Install Go (go.dev/dl) and run npm test again.',
    });
  }
  log('test', `building stripe-mock ${version} with go install…`);
  const res = spawnSync('go', ['install', `github.com/stripe/stripe-mock@${version}`], {
    stdio: 'inherit',
    env: { ...process.env, GOBIN: binDir, GOFLAGS: '-mod=mod' },
  });
  if (res.status !== 0 || !fs.existsSync(bin)) throw new Error('go install of stripe-mock failed');
  return bin;
}

/**
 * Debian's Chromium for the browser tests (test/browser, playwright-core): CHROMIUM_PATH when set,
 * else /usr/bin/chromium, installed with apt-get when missing and we are root. Anywhere else the
 * reason is printed and the browser walk is skipped (counted as skipped in the summary), or, with
 * CI set, the run fails (requireTool, scripts/lib/tools.mjs).
 */
async function ensureChromium() {
  if (process.env.CHROMIUM_PATH) return process.env.CHROMIUM_PATH;
  const debian = '/usr/bin/chromium';
  if (fs.existsSync(debian)) return debian;
  const apt = fs.existsSync('/usr/bin/apt-get');
  if (apt && process.getuid?.() === 0) {
    await suite(
      'chromium install',
      'bash',
      ['-c', 'apt-get update && apt-get install -y --no-install-recommends chromium'],
      { env: { DEBIAN_FRONTEND: 'noninteractive' } },
    );
    if (fs.existsSync(debian)) return debian;
  }
  return requireTool('Chromium', null, {
    skips: 'the browser walk (test/browser) will be skipped',
    install:
      'Install it ' +
      (apt
        ? 'as root: apt-get update && apt-get install -y --no-install-recommends chromium'
        : 'from your package manager') +
      ', or set CHROMIUM_PATH to a Chromium or Chrome binary.',
  });
}

function vitestCounts() {
  const file = path.join(ARTIFACTS, 'vitest.json');
  if (!fs.existsSync(file)) return null;
  const r = JSON.parse(fs.readFileSync(file, 'utf8'));
  return {
    passed: r.numPassedTests,
    failed: r.numFailedTests,
    skipped: r.numPendingTests + r.numTodoTests,
  };
}

function junitCounts(file) {
  if (!fs.existsSync(file)) return null;
  const xml = fs.readFileSync(file, 'utf8');
  const attr = (n) =>
    [...xml.matchAll(new RegExp(`<testsuite\\b[^>]*\\b${n}="(\\d+)"`, 'g'))].reduce(
      (s, m) => s + Number(m[1]),
      0,
    );
  const tests = attr('tests');
  const failed = attr('failures') + attr('errors');
  const skipped = attr('skipped');
  return { passed: tests - failed - skipped, failed, skipped };
}

try {
  ensurePrismaClient(templateUrl);
  migrateDeploy(templateUrl);

  // Tools only the vitest suite uses: checked (and, with CI set, required) only when it runs.
  const stripeMock = wanted('vitest') ? buildStripeMock() : null;
  // The mail catcher every test reads verification and reset mails from (through its API).
  if (wanted('vitest')) {
    const { startMailCatcher } = await import('./lib/mail-catcher.mjs');
    mailCatcher = await startMailCatcher({
      smtpPort: 41025,
      webPort: 41080,
      mailDir: path.join(pgDir, 'mail'),
    });
  }

  const chromium = wanted('vitest') ? await ensureChromium() : null;
  if (wanted('typecheck'))
    await suite('typecheck', bin('tsc'), ['--noEmit', '-p', 'tsconfig.json']);
  if (wanted('lint')) await suite('lint', bin('eslint'), ['.', '--max-warnings', '0']);
  // The end-to-end tests run the production build and the real Python worker.
  if (wanted('worker'))
    await suite('worker setup', 'bash', [path.join(ROOT, 'gpu-worker', 'scripts', 'setup.sh')]);
  // The typecheck suite above already covered every file: the build skips its own pass.
  if (wanted('build'))
    await suite('next build', bin('next'), ['build'], {
      env: { DATABASE_URL: templateUrl, NEXT_SKIP_TYPECHECK: '1' },
    });
  if (wanted('vitest'))
    await suite(
      'vitest',
      bin('vitest'),
      [
        'run',
        '--reporter=default',
        '--reporter=json',
        `--outputFile.json=${path.join(ARTIFACTS, 'vitest.json')}`,
        ...VITEST_ARGS,
      ],
      {
        env: {
          TEST_PG_ADMIN_URL: postgres.adminUrl,
          TEST_PG_TEMPLATE: TEMPLATE,
          NODE_ENV: 'test',
          ...(stripeMock ? { STRIPE_MOCK_BIN: stripeMock } : {}),
          ...(mailCatcher
            ? { SMTP_URL: mailCatcher.smtpUrl, MAIL_CATCHER_URL: mailCatcher.webUrl }
            : {}),
          ...(chromium ? { CHROMIUM_PATH: chromium } : {}),
        },
        counts: vitestCounts,
      },
    );
  const workerTests = path.join(ROOT, 'gpu-worker', 'scripts', 'test.sh');
  if (wanted('pytest') && fs.existsSync(workerTests)) {
    const junit = path.join(ARTIFACTS, 'pytest.xml');
    await suite('pytest (gpu-worker)', 'bash', [workerTests], {
      env: { PYTEST_ADDOPTS: `--junitxml=${junit}` },
      counts: () => junitCounts(junit),
    });
  }
} catch (e) {
  exitCode = 1;
  log('test', e instanceof Error ? e.message : String(e));
} finally {
  await mailCatcher?.stop();
  await postgres.stop().catch(() => {});
  fs.rmSync(pgDir, { recursive: true, force: true });
}

console.log('\n══════ npm test summary ══════');
const total = { passed: 0, failed: 0, skipped: 0 };
for (const r of results) {
  const c = r.counts;
  if (c) for (const k of Object.keys(total)) total[k] += c[k];
  const detail = c ? `  (${c.passed} passed, ${c.failed} failed, ${c.skipped} skipped)` : '';
  console.log(
    `${r.ok ? 'PASS' : 'FAIL'}  ${r.name.padEnd(22)} ${r.seconds.toFixed(1).padStart(6)}s${detail}`,
  );
}
// A failing check without test counts (type check, lint, a crashed runner, set-up) counts as one.
let failed = total.failed + results.filter((r) => !r.ok && !(r.counts?.failed > 0)).length;
if (exitCode !== 0 && failed === 0) failed = 1;
console.log(`tests: ${total.passed} passed, ${failed} failed, ${total.skipped} skipped`);
process.exit(exitCode);
