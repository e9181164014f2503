// One attempt at one delivery, start to finish: claim the row (so two triggers never send it
// twice at once), build the body, send, and record the outcome with the next attempt's time.
// The row is the truth; the queue (worker.ts) only says "try this one now".
import type { Prisma, WebhookDelivery } from '@prisma/client';
import { db } from '../db';
import { env } from '../env';
import { getJob } from '../jobs/user-jobs';
import { loggableUrl } from './redact';
import type { WebhookEventBody } from './schemas';
import { jobUrlSecret } from './secrets';
import { sendWebhook, type AttemptOutcome } from './send';
import { webhookPolicy, type Resolver, type WebhookPolicy } from './ssrf';

export const MAX_ATTEMPTS = 5;
/** Delay after attempt n (1-based) as a multiple of WEBHOOK_RETRY_BASE_MS: 10 s, 1 min, 10 min, 1 h. */
const BACKOFF_FACTORS = [1, 6, 60, 360] as const;
/** How long a claimed row is left alone: past this, an attempt that died is retried (sweep). */
const CLAIM_MARGIN_MS = 30_000;
/** Due times are written with the app's clock and compared with the database's. */
export const CLOCK_SKEW_MS = 1000;

/** Milliseconds before the next attempt after `attemptsMade` attempts; null when none is left. */
export function retryDelayMs(attemptsMade: number, baseMs = env().WEBHOOK_RETRY_BASE_MS) {
  const factor = BACKOFF_FACTORS[attemptsMade - 1];
  return attemptsMade >= MAX_ATTEMPTS || factor === undefined ? null : factor * baseMs;
}

export interface AttemptResult {
  deliveryId: string;
  attempt: number;
  outcome: AttemptOutcome;
  status: WebhookDelivery['status'];
  nextAttemptAt: Date | null;
}

/**
 * Takes a due PENDING delivery for one attempt: counts the attempt and pushes nextAttemptAt past
 * the attempt's deadline. Null when it is not due, not pending, or another worker has it.
 */
async function claimDelivery(id: string, timeoutMs: number): Promise<number | null> {
  const rows = await db().$queryRaw<{ attempts: number }[]>`
    UPDATE "WebhookDelivery"
    SET "attempts" = "attempts" + 1,
        "nextAttemptAt" = (now() AT TIME ZONE 'UTC') + ${timeoutMs + CLAIM_MARGIN_MS}::int * interval '1 millisecond'
    WHERE "id" = ${id}::uuid AND "status" = 'PENDING'
      AND "nextAttemptAt" <= (now() AT TIME ZONE 'UTC') + ${CLOCK_SKEW_MS}::int * interval '1 millisecond'
    RETURNING "attempts"`;
  return rows[0]?.attempts ?? null;
}

/** The body of this attempt: the stored event, with the job as it reads now (fresh output URLs). */
async function eventBody(row: WebhookDelivery): Promise<string> {
  const stored = row.payload as unknown as WebhookEventBody;
  let data: unknown = stored.data;
  if (row.jobId) data = await getJob(row.userId, row.jobId).catch(() => stored.data);
  return JSON.stringify({ type: stored.type, timestamp: stored.timestamp, data });
}

export async function attemptDelivery(
  deliveryId: string,
  opts: { policy?: WebhookPolicy; resolver?: Resolver } = {},
): Promise<AttemptResult | null> {
  const policy = opts.policy ?? webhookPolicy();
  const attempt = await claimDelivery(deliveryId, policy.timeoutMs);
  if (attempt === null) return null;
  const row = await db().webhookDelivery.findUnique({
    where: { id: deliveryId },
    include: { endpoint: { select: { secret: true, enabled: true } } },
  });
  if (!row) return null; // its endpoint was deleted meanwhile
  const body = await eventBody(row);
  const outcome: AttemptOutcome =
    row.endpointId && !row.endpoint?.enabled
      ? {
          ok: false,
          retryable: false,
          statusCode: null,
          error: 'the endpoint is disabled',
          durationMs: 0,
          bytesRead: 0,
          truncated: false,
        }
      : await sendWebhook(
          {
            url: row.url,
            messageId: row.id,
            secret: row.endpoint?.secret ?? jobUrlSecret(row.userId),
            body,
          },
          policy,
          opts.resolver,
        );
  return recordOutcome(row, attempt, body, outcome);
}

async function recordOutcome(
  row: WebhookDelivery,
  attempt: number,
  body: string,
  outcome: AttemptOutcome,
): Promise<AttemptResult> {
  const delay = outcome.ok || !outcome.retryable ? null : retryDelayMs(attempt);
  const now = new Date();
  const nextAttemptAt = delay === null ? null : new Date(now.getTime() + delay);
  const status = outcome.ok ? 'SUCCEEDED' : nextAttemptAt ? 'PENDING' : 'FAILED';
  await db().webhookDelivery.updateMany({
    where: { id: row.id, status: 'PENDING' },
    data: {
      status,
      payload: JSON.parse(body) as Prisma.InputJsonValue, // what was last sent
      lastStatusCode: outcome.statusCode,
      lastError: outcome.error?.slice(0, 500) ?? null,
      ...(outcome.ok ? { deliveredAt: now } : {}),
      ...(nextAttemptAt ? { nextAttemptAt } : {}),
    },
  });
  console.info(
    `[webhooks] ${row.id} ${row.eventType} → ${loggableUrl(row.url)} attempt ${attempt}/${MAX_ATTEMPTS}: ` +
      `${outcome.ok ? `HTTP ${outcome.statusCode}` : outcome.error} in ${outcome.durationMs} ms; ` +
      (nextAttemptAt ? `retry at ${nextAttemptAt.toISOString()}` : status.toLowerCase()),
  );
  return { deliveryId: row.id, attempt, outcome, status, nextAttemptAt };
}
