// Queue benchmark (issue 03): submit→lease latency with a waiting worker, and lease throughput
// with 8 concurrent workers draining 10 000 queued jobs. Runs on a throwaway embedded
// PostgreSQL through the same domain functions the worker API calls (HTTP excluded).
//   npm run bench:queue [-- --latency-runs 200 --jobs 10000 --workers 8]
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { throwawayDatabase } from './lib/throwaway-db';

const arg = (name: string, def: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : def;
};
const RUNS = arg('latency-runs', 200);
const JOBS = arg('jobs', 10_000);
const WORKERS = arg('workers', 8);

const database = await throwawayDatabase();

const { db } = await import('../server/db');
const { createGenerateJob } = await import('../server/jobs/create');
const { leaseNextJob, leaseWithWait } = await import('../server/jobs/lease');
const { stopQueueListener } = await import('../server/jobs/queue-signal');

const caps = {
  kinds: ['generate'],
  base_models: ['sd15'],
  controlnets: [],
  t2i_adapters: [],
  ip_adapters: [],
};
const leaseReq = (id: string, wait: number) => ({
  worker_id: id,
  worker_version: 'bench',
  protocol_version: 1 as const,
  capabilities: caps,
  device: { type: 'cpu', name: 'bench' },
  wait_s: wait,
});
const pct = (xs: number[], p: number) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))]!;

const user = await db().user.create({
  data: {
    id: 'bench-user',
    name: 'bench',
    email: 'bench@example.com',
    plan: 'studio',
    creditBalance: 10_000_000,
  },
});

/** The worker token identity the bench's workers lease as (any pool: no WORKER_POOLS here). */
const BENCH_WORKER = { tokenId: '00000000-0000-7000-8000-000000000001', pool: 'bench' };

// 1. Latency: a worker is already waiting in a long poll; a job is submitted.
const latencies: number[] = [];
for (let i = 0; i < RUNS; i += 1) {
  const waiting = leaseWithWait(leaseReq('waiter', 10), BENCH_WORKER);
  await new Promise((r) => setTimeout(r, 5)); // the worker is parked before the submit
  const t0 = performance.now();
  const job = await createGenerateJob(user.id, { prompt: `latency ${i}` });
  const got = await waiting;
  const t1 = performance.now();
  if (got?.id !== job.id) throw new Error('leased the wrong job');
  latencies.push(t1 - t0);
  await db().job.update({ where: { id: job.id }, data: { status: 'SUCCEEDED' } });
}

// 2. Throughput: 10 000 queued jobs, N workers leasing as fast as they can.
const params = { request: {}, worker: { num_images: 1 }, inputs: {} };
for (let i = 0; i < JOBS; i += 1000) {
  await db().job.createMany({
    data: Array.from({ length: Math.min(1000, JOBS - i) }, () => ({
      userId: user.id,
      kind: 'GENERATE' as const,
      params,
      baseModel: 'sd15',
      price: 1,
      progressTotal: 25,
    })),
  });
}
let leased = 0;
const t0 = performance.now();
await Promise.all(
  Array.from({ length: WORKERS }, async (_, w) => {
    for (;;) {
      const job = await leaseNextJob(leaseReq(`w${w}`, 0), BENCH_WORKER);
      if (!job) return;
      leased += 1;
    }
  }),
);
const seconds = (performance.now() - t0) / 1000;
const dupes = await db().$queryRaw<
  { n: bigint }[]
>`SELECT count(*) AS n FROM "Job" WHERE "attempts" > 1`;

console.log(
  `\nQueue benchmark — ${os.cpus().length} cores, PostgreSQL (embedded), Node ${process.versions.node}`,
);
console.log('| measure | value | goal |');
console.log('| --- | --- | --- |');
console.log(
  `| submit → lease p50 (waiting worker, ${RUNS} runs) | ${pct(latencies, 50).toFixed(1)} ms | ≤ 50 ms |`,
);
console.log(`| submit → lease p99 | ${pct(latencies, 99).toFixed(1)} ms | |`);
console.log(
  `| leases/s, ${WORKERS} workers, ${JOBS} queued | ${(leased / seconds).toFixed(0)} /s (${leased} in ${seconds.toFixed(1)} s) | ≥ 500 /s |`,
);
console.log(`| jobs leased twice | ${Number(dupes[0]?.n ?? 0)} | 0 |`);

await stopQueueListener();
await db().$disconnect();
await database.stop();
