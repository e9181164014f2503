// Wakes long-polling lease requests the moment a job is queued: job creation runs
// `pg_notify('job_queued')` in its transaction (delivered on commit) and one LISTEN connection
// per process resolves every waiter. Waiters also wake on a timeout, so a missed signal (or a
// job requeued by lease expiry) costs at most one poll interval.
import pg from 'pg';
import { env } from '../env';
import type { Tx } from '../db';

export const QUEUE_CHANNEL = 'job_queued';

const state = globalThis as unknown as {
  __queueListener?: {
    client: pg.Client | null;
    connecting: Promise<void> | null;
    waiters: Set<() => void>;
  };
};
const s = (state.__queueListener ??= { client: null, connecting: null, waiters: new Set() });

function wakeAll(): void {
  const waiters = [...s.waiters];
  s.waiters.clear();
  for (const w of waiters) w();
}

async function ensureListening(): Promise<void> {
  if (s.client) return;
  s.connecting ??= (async () => {
    const client = new pg.Client({ connectionString: env().DATABASE_URL });
    client.on('notification', wakeAll);
    client.on('error', () => {
      s.client = null;
      wakeAll();
    });
    client.on('end', () => {
      s.client = null;
    });
    await client.connect();
    await client.query(`LISTEN ${QUEUE_CHANNEL}`);
    s.client = client;
  })().finally(() => {
    s.connecting = null;
  });
  await s.connecting;
}

/** Resolves when a job is queued anywhere, or after `timeoutMs`. */
export async function waitForQueuedJob(timeoutMs: number): Promise<void> {
  try {
    await ensureListening();
  } catch {
    // Without a listener we still poll.
  }
  await new Promise<void>((resolve) => {
    const done = () => {
      clearTimeout(timer);
      s.waiters.delete(done);
      resolve();
    };
    const timer = setTimeout(done, timeoutMs);
    s.waiters.add(done);
  });
}

export async function signalJobQueued(tx: Tx, jobId: string): Promise<void> {
  await tx.$executeRaw`SELECT pg_notify(${QUEUE_CHANNEL}, ${jobId})`;
}

export async function stopQueueListener(): Promise<void> {
  const c = s.client;
  s.client = null;
  wakeAll();
  await c?.end().catch(() => {});
}
