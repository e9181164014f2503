// API rate limits by plan: a fixed one-minute window per key (or per signed-in user calling REST), counted
// in PostgreSQL so every app instance — serverless ones included — shares one count. One
// statement per request: the window's counter and the key's daily usage move together.
import { pgPool } from '../db-pool';
import { AppError } from '../errors';
import { planFor } from '../billing/plans';
import type { Caller } from '../auth/caller';

const WINDOW_S = 60;

export interface RateLimitState {
  limit: number;
  remaining: number;
  /** Seconds until the window resets. */
  resetS: number;
}

const COUNT_SQL = `
WITH rl AS (
  INSERT INTO "RateLimitWindow" ("key", "windowStart", "count") VALUES ($1, $2, 1)
  ON CONFLICT ("key", "windowStart") DO UPDATE SET "count" = "RateLimitWindow"."count" + 1
  RETURNING "count"
), usage AS (
  INSERT INTO "ApiKeyUsageDay" ("apiKeyId", "day", "requests")
  SELECT $3::uuid, $4::date, 1 WHERE $3::uuid IS NOT NULL
  ON CONFLICT ("apiKeyId", "day") DO UPDATE SET "requests" = "ApiKeyUsageDay"."requests" + 1
  RETURNING 1
)
SELECT "count" FROM rl`;

/** Counts one request against the caller's window; throws RATE_LIMITED past the plan's limit. */
export async function consumeRateLimit(
  caller: Caller,
  onState: (s: RateLimitState) => void,
  now = Date.now(),
): Promise<void> {
  const plan = caller.apiKey?.plan ?? (await planOfUser(caller.userId));
  const limit = planFor(plan).apiRequestsPerMinute;
  const windowStartMs = Math.floor(now / (WINDOW_S * 1000)) * WINDOW_S * 1000;
  const subject = caller.apiKey ? `key:${caller.apiKey.keyId}` : `user:${caller.userId}`;
  const { rows } = await pgPool().query<{ count: number }>(COUNT_SQL, [
    subject,
    new Date(windowStartMs),
    caller.apiKey?.keyId ?? null,
    new Date(now).toISOString().slice(0, 10),
  ]);
  const count = rows[0]?.count ?? 1;
  const state = {
    limit,
    remaining: Math.max(0, limit - count),
    resetS: Math.max(1, Math.ceil((windowStartMs + WINDOW_S * 1000 - now) / 1000)),
  };
  onState(state);
  if (Math.random() < 0.001) void dropOldWindows();
  if (count > limit) {
    throw new AppError(
      'RATE_LIMITED',
      `Rate limit of ${limit} requests per minute reached; retry in ${state.resetS} s.`,
    );
  }
}

/** A signed-in browser's plan (a key carries its owner's plan already). */
async function planOfUser(userId: string): Promise<string> {
  const { rows } = await pgPool().query<{ plan: string }>('SELECT plan FROM "user" WHERE id = $1', [
    userId,
  ]);
  return rows[0]?.plan ?? 'free';
}

export function rateLimitHeaders(s: RateLimitState): Record<string, string> {
  return {
    'RateLimit-Limit': String(s.limit),
    'RateLimit-Remaining': String(s.remaining),
    'RateLimit-Reset': String(s.resetS),
    'RateLimit-Policy': `${s.limit};w=${WINDOW_S}`,
  };
}

/**
 * Housekeeping, now and then: minute windows are useless a minute after they close; the long
 * windows of server/limits/window.ts (keys `long:…`, at most a week) are kept 8 days.
 */
async function dropOldWindows(): Promise<void> {
  await pgPool()
    .query(
      `DELETE FROM "RateLimitWindow"
        WHERE ("windowStart" < now() - interval '10 minutes' AND "key" NOT LIKE 'long:%')
           OR "windowStart" < now() - interval '8 days'`,
    )
    .catch((e: Error) => console.warn(`[rate-limit] cleanup failed: ${e.message}`));
}
