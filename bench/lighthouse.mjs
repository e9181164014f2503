#!/usr/bin/env node
// npm run bench:lighthouse [-- --runs N --skip-build --desktop --chunks]
// Lighthouse 12 (mobile profile by default: Moto G Power, slow 4G, 4× CPU slowdown) on Debian's
// Chromium against the production build, with a throwaway PostgreSQL: the landing page, Generate
// signed in (the session cookie goes in extraHeaders) and a share page. Prints performance,
// accessibility and best practices (median of N runs) and each page's first-load JS: the gzipped
// total of the JavaScript files its HTML loads (Next 16's build no longer prints sizes).
/* global fetch */
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import process from 'node:process';
import { gzipSync } from 'node:zlib';
import { parseArgs } from 'node:util';
import {
  ensureNodeDependencies,
  ensurePrismaClient,
  log,
  migrateDeploy,
  QUIET_ENV,
  ROOT,
} from '../scripts/lib/bootstrap.mjs';

const { values: args } = parseArgs({
  options: {
    runs: { type: 'string', default: '3' },
    'skip-build': { type: 'boolean', default: false },
    desktop: { type: 'boolean', default: false },
    chunks: { type: 'boolean', default: false },
  },
});
const RUNS = Math.max(1, Number(args.runs) || 1);
const DIST = process.env.NEXT_DIST_DIR || '.next-lighthouse';
const CHROME = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
const REPORTS = path.join(ROOT, 'test-results', 'lighthouse');
const GOALS = { performance: 90, accessibility: 95, firstLoadKb: 200 };

ensureNodeDependencies();
if (!fs.existsSync(CHROME)) {
  console.error(
    `No Chromium at ${CHROME}: apt-get install --no-install-recommends chromium, or set CHROMIUM_PATH.`,
  );
  process.exit(1);
}
const { createDatabase, freePort, startPostgres } = await import('../scripts/lib/postgres.mjs');
const { default: lighthouse } = await import('lighthouse');
const chromeLauncher = await import('chrome-launcher');
const { default: pg } = await import('pg');
const { default: sharp } = await import('sharp');
const { default: superjson } = await import('superjson');

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'as-lighthouse-'));
const cleanups = [];
const cleanup = async () => {
  for (const fn of cleanups.reverse()) await fn().catch(() => {});
  fs.rmSync(work, { recursive: true, force: true });
};

try {
  log('lighthouse', 'starting a throwaway PostgreSQL…');
  const postgres = await startPostgres({ dataDir: path.join(work, 'pg'), fresh: true });
  cleanups.push(() => postgres.stop());
  await createDatabase(postgres.adminUrl, 'bench');
  const databaseUrl = postgres.url('bench');
  ensurePrismaClient(databaseUrl);
  migrateDeploy(databaseUrl);

  const env = {
    ...process.env,
    ...QUIET_ENV,
    NEXT_DIST_DIR: DIST,
    DATABASE_URL: databaseUrl,
    NEXT_TELEMETRY_DISABLED: '1',
  };
  if (!args['skip-build']) {
    log('lighthouse', `building the app into ${DIST}…`);
    const b = spawnSync(path.join(ROOT, 'node_modules', '.bin', 'next'), ['build'], {
      cwd: ROOT,
      stdio: 'inherit',
      env,
    });
    if (b.status !== 0) throw new Error('next build failed');
  } else if (!fs.existsSync(path.join(ROOT, DIST, 'BUILD_ID'))) {
    throw new Error(`--skip-build, but there is no build in ${DIST}`);
  }

  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const storageDir = path.join(work, 'storage');
  const server = spawn(
    process.execPath,
    [path.join(ROOT, 'node_modules', 'next', 'dist', 'bin', 'next'), 'start', '-p', String(port)],
    {
      cwd: ROOT,
      env: {
        ...env,
        NODE_ENV: 'production',
        // Production needs mail settings; the one mail (verification) is not read here.
        SMTP_URL: process.env.SMTP_URL ?? 'smtp://127.0.0.1:9',
        MAIL_FROM: process.env.MAIL_FROM ?? 'Adapter Studio <bench@localhost>',
        APP_URL: base,
        STORAGE_DIR: storageDir,
        BASE_MODELS: 'tiny-sd15',
        BETTER_AUTH_SECRET: 'lighthouse-secret-lighthouse-secret-000',
      },
      stdio: ['ignore', 'ignore', 'inherit'],
    },
  );
  cleanups.push(
    () =>
      new Promise((resolve) => {
        server.once('exit', resolve);
        server.kill('SIGTERM');
      }),
  );
  await waitUntil(async () => (await fetch(`${base}/sign-in`)).ok, 60_000, 'next start');

  const { cookie, userId } = await signUp(base);
  const slug = await seedShare(base, databaseUrl, storageDir, userId, cookie);
  const pages = [
    { name: 'landing', path: '/', cookie: null },
    { name: 'generate (signed in)', path: '/generate', cookie },
    { name: 'share page', path: `/s/${slug}`, cookie: null },
  ];

  // Warm the server (first requests compile nothing, but fill caches and JIT).
  for (const p of pages) await get(`${base}${p.path}`, p.cookie);

  const chrome = await chromeLauncher.launch({
    chromePath: CHROME,
    chromeFlags: ['--headless=new', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
  });
  cleanups.push(async () => chrome.kill());
  fs.mkdirSync(REPORTS, { recursive: true });

  const rows = [];
  for (const p of pages) {
    const runs = [];
    for (let i = 0; i < RUNS; i++) {
      const result = await lighthouse(
        `${base}${p.path}`,
        {
          port: chrome.port,
          output: 'html',
          logLevel: 'error',
          onlyCategories: ['performance', 'accessibility', 'best-practices'],
          ...(p.cookie ? { extraHeaders: { Cookie: p.cookie } } : {}),
        },
        args.desktop
          ? (await import('lighthouse/core/config/desktop-config.js')).default
          : undefined,
      );
      if (!result) throw new Error(`lighthouse gave no result for ${p.path}`);
      const lhr = result.lhr;
      if (lhr.runtimeError) throw new Error(`${p.path}: ${lhr.runtimeError.message}`);
      if (lhr.finalDisplayedUrl.includes('/sign-in') && p.cookie)
        throw new Error(`${p.path} redirected to sign-in: the session cookie was not sent`);
      runs.push(lhr);
      if (i === 0) {
        const file = path.join(REPORTS, `${p.name.split(' ')[0]}.report.html`);
        fs.writeFileSync(file, result.report);
      }
    }
    runs.sort((a, b) => a.categories.performance.score - b.categories.performance.score);
    const lhr = runs[Math.floor(runs.length / 2)];
    const score = (c) => Math.round(lhr.categories[c].score * 100);
    const audit = (id) => lhr.audits[id]?.displayValue ?? '';
    rows.push({
      page: p.name,
      benchmarkIndex: lhr.environment.benchmarkIndex,
      performance: score('performance'),
      accessibility: score('accessibility'),
      bestPractices: score('best-practices'),
      lcp: audit('largest-contentful-paint'),
      tbt: audit('total-blocking-time'),
      cls: audit('cumulative-layout-shift'),
      firstLoadKb: await firstLoadJsKb(base, p.path, p.cookie),
      failing: Object.values(lhr.audits)
        .filter(
          (a) =>
            a.score !== null &&
            a.score < 0.9 &&
            ['binary', 'numeric', 'metricSavings'].includes(a.scoreDisplayMode) &&
            lhr.categories.accessibility.auditRefs.some((r) => r.id === a.id && r.weight > 0),
        )
        .map((a) => a.id),
    });
  }
  print(rows);
} catch (e) {
  console.error(e instanceof Error ? e.message : e);
  process.exitCode = 1;
} finally {
  await cleanup();
}

function print(rows) {
  const profile = args.desktop ? 'desktop' : 'mobile (slow 4G, 4× CPU)';
  // Simulated throttling scales the CPU work it observed: a busy or slow machine scores lower.
  const index = Math.round(Math.min(...rows.map((r) => r.benchmarkIndex)));
  console.log(
    `\nLighthouse 12.8.2, ${profile}, median of ${RUNS} run(s); first-load JS gzipped;` +
      ` machine benchmark index ${index} (${os.loadavg()[0].toFixed(1)} load, ${os.cpus().length} CPUs)\n`,
  );
  const head = ['page', 'perf', 'a11y', 'best pr.', 'LCP', 'TBT', 'CLS', 'first-load JS'];
  const body = rows.map((r) => [
    r.page,
    r.performance,
    r.accessibility,
    r.bestPractices,
    r.lcp,
    r.tbt,
    r.cls,
    `${r.firstLoadKb.toFixed(1)} kB`,
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((r) => String(r[i]).length)));
  const line = (cells) => `| ${cells.map((c, i) => String(c).padEnd(widths[i])).join(' | ')} |`;
  console.log(line(head));
  console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
  for (const r of body) console.log(line(r));
  console.log('');
  for (const r of rows) {
    const misses = [];
    if (r.performance < GOALS.performance) misses.push(`performance < ${GOALS.performance}`);
    if (r.accessibility < GOALS.accessibility)
      misses.push(`accessibility < ${GOALS.accessibility}`);
    if (!r.page.startsWith('generate') && r.firstLoadKb > GOALS.firstLoadKb)
      misses.push(`first-load JS > ${GOALS.firstLoadKb} kB`);
    if (r.failing.length) misses.push(`accessibility audits failing: ${r.failing.join(', ')}`);
    console.log(
      `${misses.length ? 'MISS' : 'OK  '}  ${r.page}${misses.length ? ': ' : ''}${misses.join('; ')}`,
    );
  }
  console.log(`\nHTML reports of the first run: ${path.relative(ROOT, REPORTS)}/`);
}

async function waitUntil(fn, ms, what) {
  const deadline = Date.now() + ms;
  for (;;) {
    if (await fn().catch(() => false)) return;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function get(url, cookie) {
  const res = await fetch(url, { headers: cookie ? { cookie } : {}, redirect: 'manual' });
  if (res.status !== 200) throw new Error(`GET ${url}: ${res.status}`);
  return res;
}

async function signUp(base) {
  const email = `lighthouse-${Date.now()}@example.com`;
  const res = await fetch(`${base}/api/auth/sign-up/email`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin: base },
    body: JSON.stringify({ email, password: 'a perfectly fine password', name: 'Lighthouse' }),
  });
  if (!res.ok) throw new Error(`sign-up: ${res.status} ${await res.text()}`);
  const body = await res.json();
  const cookie = res.headers
    .getSetCookie()
    .map((c) => c.split(';')[0])
    .join('; ');
  return { cookie, userId: body.user.id };
}

/**
 * A finished generation as the worker leaves it (job and output rows, the PNG in storage),
 * then shared through jobs.share like the share button does. The picture is 512×512 with
 * smooth shapes and grain, about the size of a real Stable Diffusion PNG (~480 KB).
 */
async function seedShare(base, databaseUrl, storageDir, userId, cookie) {
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="512" height="512">
    <defs><linearGradient id="s" x1="0" y1="0" x2="0" y2="1">
      <stop offset="0" stop-color="#1d2a5a"/><stop offset="0.6" stop-color="#e0825a"/><stop offset="1" stop-color="#2b1d2a"/>
    </linearGradient></defs>
    <rect width="512" height="512" fill="url(#s)"/><circle cx="360" cy="300" r="70" fill="#ffd27a"/>
    <path d="M0 420 L140 330 L260 400 L380 350 L512 420 L512 512 L0 512Z" fill="#1b1420"/></svg>`;
  const clean = await sharp(Buffer.from(svg)).raw().toBuffer({ resolveWithObject: true });
  const { data, info } = clean;
  for (let i = 0; i < data.length; i++)
    data[i] = Math.max(0, Math.min(255, data[i] + ((Math.random() * 7) | 0) - 3));
  const png = await sharp(data, { raw: info }).png().toBuffer();

  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  const prompt =
    'a lighthouse on a cliff at dusk, warm light over a calm sea, oil painting, dramatic clouds';
  try {
    const job = await client.query(
      `INSERT INTO "Job" (id, "userId", kind, status, params, "baseModel", price, "finishedAt", "updatedAt")
       VALUES (gen_random_uuid(), $1, 'GENERATE', 'SUCCEEDED', $2, 'tiny-sd15', 1, now(), now()) RETURNING id`,
      [userId, JSON.stringify({ request: { prompt } })],
    );
    const jobId = job.rows[0].id;
    const key = `users/${userId}/jobs/${jobId}/output-0.png`;
    const file = path.join(storageDir, key);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, png);
    fs.writeFileSync(`${file}.meta.json`, JSON.stringify({ contentType: 'image/png' }));
    const out = await client.query(
      `INSERT INTO "JobOutput" (id, "jobId", "userId", index, "storageKey", "contentType", width, height, bytes)
       VALUES (gen_random_uuid(), $1, $2, 0, $3, 'image/png', 512, 512, $4) RETURNING id`,
      [jobId, userId, key, png.length],
    );
    const res = await fetch(`${base}/api/trpc/jobs.share`, {
      method: 'POST',
      headers: { cookie, 'content-type': 'application/json', origin: base },
      body: JSON.stringify(superjson.serialize({ outputId: out.rows[0].id })),
    });
    if (!res.ok) throw new Error(`jobs.share: ${res.status} ${await res.text()}`);
    const body = await res.json();
    return superjson.deserialize(body.result.data).slug;
  } finally {
    await client.end();
  }
}

/** Gzipped kB (1000 bytes) of the scripts the page's HTML loads, as `next build` used to print. */
async function firstLoadJsKb(base, pagePath, cookie) {
  const html = await (await get(`${base}${pagePath}`, cookie)).text();
  const srcs = new Set();
  // Legacy-browser polyfills (nomodule) are not loaded by the browsers that matter, as before.
  for (const m of html.matchAll(/<script\b[^>]*\bsrc="([^"]+)"[^>]*>/g)) {
    if (!/\bnomodule\b/i.test(m[0])) srcs.add(m[1]);
  }
  for (const m of html.matchAll(/<link\b[^>]*\brel="(?:preload|modulepreload)"[^>]*>/g)) {
    const tag = m[0];
    const href = /\bhref="([^"]+)"/.exec(tag)?.[1];
    if (href && (/\bas="script"/.test(tag) || tag.includes('modulepreload'))) srcs.add(href);
  }
  let bytes = 0;
  for (const src of srcs) {
    const body = Buffer.from(
      await (await get(new URL(src.replace(/&amp;/g, '&'), base).href)).arrayBuffer(),
    );
    const gz = gzipSync(body).length;
    bytes += gz;
    if (args.chunks) console.log(`  ${pagePath}  ${(gz / 1000).toFixed(1).padStart(6)} kB  ${src}`);
  }
  return bytes / 1000;
}
