// The background side of webhooks, on pg-boss (its own `pgboss` schema in the app's database).
// A committed job transition notifies `webhook_delivery` (events.ts); the listener here turns
// each id into a queue message; workers attempt it (attempt.ts); a failed attempt is queued
// again to start at its backoff time. A periodic sweep re-queues due rows the queue never got
// (a crash between commit and send, a lost listener), so every delivery is eventually tried.
// Runs inside the Next.js server (instrumentation.ts) and in tests (startWebhookWorker).
import pg from 'pg';
import PgBoss from 'pg-boss';
import { db } from '../db';
import { env } from '../env';
import { attemptDelivery, CLOCK_SKEW_MS } from './attempt';
import { DELIVERY_CHANNEL } from './events';

export const DELIVERY_QUEUE = 'webhook-delivery';
/** Deliveries attempted at once by this process (each at most WEBHOOK_TIMEOUT_MS). */
const CONCURRENCY = 4;
const LISTEN_RETRY_MS = 5_000;

interface WorkerState {
  boss: PgBoss;
  workerIds: string[];
  listener: pg.Client | null;
  timers: Set<NodeJS.Timeout>;
  stopping: boolean;
}

const g = globalThis as unknown as { __webhookWorker?: Promise<WorkerState> };

/** Starts the queue, its workers, the listener and the sweep once per process. */
export async function startWebhookWorker(): Promise<void> {
  g.__webhookWorker ??= start().catch((e: unknown) => {
    g.__webhookWorker = undefined;
    throw e;
  });
  await g.__webhookWorker;
}

/** For the Next.js server: start without blocking boot; retry later if the database is away. */
export function startWebhookWorkerInBackground(retryMs = 30_000): void {
  startWebhookWorker().catch((e: unknown) => {
    console.error(`[webhooks] queue did not start (${(e as Error).message}); retrying`);
    setTimeout(() => startWebhookWorkerInBackground(retryMs), retryMs).unref();
  });
}

export async function stopWebhookWorker(): Promise<void> {
  const pending = g.__webhookWorker;
  g.__webhookWorker = undefined;
  const s = await pending?.catch(() => undefined);
  if (!s) return;
  s.stopping = true;
  for (const t of s.timers) clearTimeout(t);
  await s.listener?.end().catch(() => {});
  await s.boss.stop({ graceful: true, timeout: 5_000, wait: true });
}

function bossConnectionString(): string {
  const url = new URL(env().DATABASE_URL);
  url.searchParams.delete('schema'); // Prisma's parameter, not PostgreSQL's
  return url.toString();
}

async function start(): Promise<WorkerState> {
  const boss = new PgBoss({
    connectionString: bossConnectionString(),
    max: CONCURRENCY + 2,
    schedule: false,
    application_name: 'adapter-studio-webhooks',
  });
  boss.on('error', (e) => console.error(`[webhooks] queue: ${e.message}`));
  await boss.start();
  await ensureQueue(boss);
  const s: WorkerState = {
    boss,
    workerIds: [],
    listener: null,
    timers: new Set(),
    stopping: false,
  };
  try {
    for (let i = 0; i < CONCURRENCY; i++) {
      s.workerIds.push(
        await boss.work<{ deliveryId: string }>(DELIVERY_QUEUE, { batchSize: 1 }, async (jobs) => {
          for (const job of jobs) await runAttempt(s, job.data.deliveryId);
        }),
      );
    }
    await listen(s);
  } catch (e) {
    s.stopping = true;
    for (const t of s.timers) clearTimeout(t);
    await boss.stop({ graceful: false, wait: true }).catch(() => {});
    throw e;
  }
  const sweepEvery = env().WEBHOOK_SWEEP_S * 1000;
  const sweep = () => {
    if (s.stopping) return;
    void sweepWith(s)
      .catch((e: unknown) => console.error(`[webhooks] sweep: ${(e as Error).message}`))
      .finally(() => schedule(s, sweep, sweepEvery));
  };
  sweep(); // whatever was left due while no process ran the queue
  console.info('[webhooks] delivery queue started');
  return s;
}

async function ensureQueue(boss: PgBoss): Promise<void> {
  if (await boss.getQueue(DELIVERY_QUEUE)) return;
  // `short`: at most one waiting message per singletonKey (the delivery id), so the listener
  // and the sweep of several processes cannot pile up copies. Retries are ours, not pg-boss's.
  await boss
    .createQueue(DELIVERY_QUEUE, {
      name: DELIVERY_QUEUE,
      policy: 'short',
      retryLimit: 0,
      expireInSeconds: 120,
    })
    .catch(async (e: unknown) => {
      if (!(await boss.getQueue(DELIVERY_QUEUE))) throw e; // not a concurrent create
    });
}

function schedule(s: WorkerState, fn: () => void, ms: number): void {
  if (s.stopping) return;
  const t = setTimeout(() => {
    s.timers.delete(t);
    fn();
  }, ms);
  t.unref();
  s.timers.add(t);
}

/** Hands a delivery to the queue, now or at its next attempt's time. */
async function enqueue(s: WorkerState, deliveryId: string, startAfter?: Date): Promise<void> {
  if (s.stopping) return;
  await s.boss.send(
    DELIVERY_QUEUE,
    { deliveryId },
    { singletonKey: deliveryId, ...(startAfter ? { startAfter } : {}) },
  );
  // Wake this process's idle workers when it is due instead of waiting for their next poll.
  const wake = () => s.workerIds.forEach((id) => s.boss.notifyWorker(id));
  if (!startAfter) wake();
  else schedule(s, wake, Math.max(0, startAfter.getTime() - Date.now()));
}

async function runAttempt(s: WorkerState, deliveryId: string): Promise<void> {
  const result = await attemptDelivery(deliveryId);
  if (result?.nextAttemptAt) await enqueue(s, deliveryId, result.nextAttemptAt);
}

async function listen(s: WorkerState, reconnecting = false): Promise<void> {
  const client = new pg.Client({
    connectionString: bossConnectionString(),
    application_name: 'adapter-studio-webhooks-listen',
  });
  // A lost connection is retried; meanwhile the sweep still finds every due delivery.
  const lost = () => {
    if (s.listener !== client) return;
    s.listener = null;
    schedule(s, () => void listen(s, true).catch(() => {}), LISTEN_RETRY_MS);
  };
  client.on('notification', (n) => {
    if (n.payload) {
      enqueue(s, n.payload).catch((e: unknown) =>
        console.error(`[webhooks] enqueue ${n.payload}: ${(e as Error).message}`),
      );
    }
  });
  client.on('error', lost);
  client.on('end', lost);
  s.listener = client;
  try {
    await client.connect();
    await client.query(`LISTEN ${DELIVERY_CHANNEL}`);
  } catch (e) {
    lost();
    void client.end().catch(() => {});
    throw e;
  }
  // Notifications sent while it was down are gone: pick those deliveries up now.
  if (reconnecting) await sweepWith(s);
}

async function sweepWith(s: WorkerState): Promise<number> {
  const due = await db().$queryRaw<{ id: string }[]>`
    SELECT "id" FROM "WebhookDelivery"
    WHERE "status" = 'PENDING'
      AND "nextAttemptAt" <= (now() AT TIME ZONE 'UTC') + ${CLOCK_SKEW_MS}::int * interval '1 millisecond'
    ORDER BY "nextAttemptAt" LIMIT 500`;
  for (const { id } of due) await enqueue(s, id);
  return due.length;
}

/** Queues every due PENDING delivery now; the number queued. Needs the worker started. */
export async function sweepDueDeliveries(): Promise<number> {
  const s = await g.__webhookWorker;
  if (!s) throw new Error('The webhook worker is not running.');
  return sweepWith(s);
}
