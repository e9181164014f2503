// REST API benchmark (issue 07): GET /api/v1/jobs/{id} and POST /api/v1/generations (credits
// held, job queued) at a fixed request rate against the production build (`next start`) on a
// throwaway PostgreSQL, with /api/health at the same rate as the baseline (the framework alone).
//   npm run bench:api [-- --rate 200 --seconds 10]
// Builds into .next-bench first when there is no build there (or set NEXT_DIST_DIR).
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import http from 'node:http';
import { performance } from 'node:perf_hooks';
import { throwawayDatabase } from './lib/throwaway-db';

const arg = (name: string, def: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : def;
};
const RATE = arg('rate', 200);
const SECONDS = arg('seconds', 10);
const ROOT = path.resolve(import.meta.dirname, '..');
const DIST = process.env.NEXT_DIST_DIR ?? '.next-bench';
const NEXT = path.join(ROOT, 'node_modules', 'next', 'dist', 'bin', 'next');

if (!fs.existsSync(path.join(ROOT, DIST, 'BUILD_ID'))) {
  console.log(`building the production app into ${DIST} …`);
  const b = spawnSync(process.execPath, [NEXT, 'build'], {
    cwd: ROOT,
    stdio: 'inherit',
    env: { ...process.env, NEXT_DIST_DIR: DIST, DATABASE_URL: 'postgresql://x@127.0.0.1/x' },
  });
  if (b.status !== 0) process.exit(b.status ?? 1);
}

const database = await throwawayDatabase();
const { db } = await import('../server/db');
const { createApiKey } = await import('../server/api-keys/keys');
const { createGenerateJob } = await import('../server/jobs/create');

const port = await new Promise<number>((resolve) => {
  const s = net.createServer().listen(0, '127.0.0.1', () => {
    const p = (s.address() as net.AddressInfo).port;
    s.close(() => resolve(p));
  });
});
const origin = `http://127.0.0.1:${port}`;
const server = spawn(process.execPath, [NEXT, 'start', '-p', String(port), '-H', '127.0.0.1'], {
  cwd: ROOT,
  env: {
    ...process.env,
    NEXT_DIST_DIR: DIST,
    NODE_ENV: 'production',
    APP_URL: origin,
    // Production needs mail settings; the bench sends no mail (its users are made verified).
    SMTP_URL: process.env.SMTP_URL ?? 'smtp://127.0.0.1:9',
    MAIL_FROM: process.env.MAIL_FROM ?? 'Adapter Studio <bench@localhost>',
    STORAGE_DIR: fs.mkdtempSync(path.join(os.tmpdir(), 'as-bench-api-')),
  },
  stdio: 'ignore',
});
for (let i = 0; ; i++) {
  const ok = await fetch(`${origin}/api/health`).then(
    (r) => r.ok,
    () => false,
  );
  if (ok) break;
  if (i > 600) throw new Error('next start did not come up');
  await new Promise((r) => setTimeout(r, 100));
}

// Studio plan: 3 000 requests/min per key and 64 active jobs per user, so the POST phase
// spreads its jobs over enough users (each with its own key) to stay inside both.
const usersNeeded = Math.ceil((RATE * SECONDS * 1.2) / 50);
const keys: string[] = [];
for (let i = 0; i < usersNeeded; i++) {
  const u = await db().user.create({
    data: {
      id: `bench-${i}`,
      name: `bench ${i}`,
      email: `bench${i}@example.com`,
      plan: 'studio',
      emailVerified: true,
      creditBalance: 1_000_000,
    },
  });
  keys.push(
    (await createApiKey(u.id, { name: 'bench', scopes: ['jobs:read', 'jobs:write'] })).secret,
  );
}
const reader = (await db().user.findFirstOrThrow({ where: { email: 'bench0@example.com' } })).id;
const job = await createGenerateJob(reader, { prompt: 'a job to read' });

interface Row {
  name: string;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  rate: number;
  errors: number;
}

/**
 * An open-loop load: requests start on a fixed schedule (every 1000/RATE ms) whatever the
 * answers do, over keep-alive connections, so latency includes any queueing at the server
 * (autocannon's rate limit sends each second's requests in a burst, which measures the burst).
 */
async function fixedRate(
  method: string,
  urlPath: string,
  headers: () => Record<string, string>,
  body: string | undefined,
  seconds: number,
): Promise<{ latencies: number[]; errors: number; elapsedS: number }> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });
  const total = Math.round(RATE * seconds);
  const latencies: number[] = [];
  let errors = 0;
  const t0 = performance.now();
  const inFlight: Promise<void>[] = [];
  for (let i = 0; i < total; i++) {
    const due = t0 + (i * 1000) / RATE;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    const started = performance.now();
    inFlight.push(
      new Promise<void>((resolve) => {
        const req = http.request(
          `${origin}${urlPath}`,
          { method, agent, headers: headers() },
          (res) => {
            res.resume();
            res.on('end', () => {
              latencies.push(performance.now() - started);
              if (res.statusCode === undefined || res.statusCode >= 300) errors += 1;
              resolve();
            });
          },
        );
        req.on('error', () => {
          errors += 1;
          resolve();
        });
        req.end(body);
      }),
    );
  }
  await Promise.all(inFlight);
  const elapsedS = (performance.now() - t0) / 1000;
  agent.destroy();
  return { latencies, errors, elapsedS };
}

const pct = (xs: number[], p: number) =>
  xs.length ? xs[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))]! : NaN;

async function phase(
  name: string,
  method: 'GET' | 'POST',
  urlPath: string,
  headers: () => Record<string, string>,
  body?: string,
): Promise<Row> {
  await fixedRate(method, urlPath, headers, body, 2); // warm-up: JIT, pools, caches
  const r = await fixedRate(method, urlPath, headers, body, SECONDS);
  const xs = [...r.latencies].sort((a, b) => a - b);
  const round = (v: number) => Math.round(v * 10) / 10;
  return {
    name,
    p50: round(pct(xs, 50)),
    p90: round(pct(xs, 90)),
    p99: round(pct(xs, 99)),
    max: round(xs[xs.length - 1] ?? NaN),
    rate: xs.length / r.elapsedS,
    errors: r.errors,
  };
}

let next = 0;
const rotating = () => ({ authorization: `Bearer ${keys[next++ % keys.length]}` });
const rows = [
  await phase('GET /api/health (baseline)', 'GET', '/api/health', () => ({})),
  await phase(`GET /api/v1/jobs/{id}`, 'GET', `/api/v1/jobs/${job.id}`, () => ({
    authorization: `Bearer ${keys[0]}`,
  })),
  await phase(
    'POST /api/v1/generations',
    'POST',
    '/api/v1/generations',
    () => ({ ...rotating(), 'content-type': 'application/json' }),
    JSON.stringify({ prompt: 'a benchmark kite', steps: 20 }),
  ),
];
const queued = await db().job.count({ where: { status: 'QUEUED' } });

const base = rows[0]!;
console.log(
  `\nREST API at ${RATE} req/s for ${SECONDS} s (after 2 s warm-up), production build, ${os.cpus().length} cores`,
);
console.log('| endpoint | p50 ms | p90 ms | p99 ms | max ms | req/s | errors | p99 vs baseline |');
console.log('|---|---:|---:|---:|---:|---:|---:|---:|');
for (const r of rows) {
  console.log(
    `| ${r.name} | ${r.p50} | ${r.p90} | ${r.p99} | ${r.max} | ${r.rate.toFixed(0)} | ${r.errors} | ${(r.p99 / base.p99).toFixed(1)}× |`,
  );
}
console.log(`jobs queued by the POST phase (incl. warm-up): ${queued - 1}`);

server.kill('SIGTERM');
await new Promise((r) => server.once('exit', r));
await database.stop();
process.exit(0);
