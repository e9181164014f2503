// A fixed-window counter shared by every app instance: one row per (key, window start) in
// RateLimitWindow, counted by a single INSERT … ON CONFLICT statement. The API limiter
// (server/api-keys/rate-limit.ts) counts its windows together with the key's daily usage in its
// own statement; everything else counts here. Its housekeeping drops windows 10 minutes after
// they close, except keys starting `long:` (windows of up to a week), which are kept 8 days.
import { pgPool } from '../db-pool';

/**
 * Counts one event in the window of `windowS` seconds that `now` falls in; returns the count
 * including this one and the seconds until the window ends.
 */
export async function countInWindow(
  key: string,
  windowS: number,
  now = Date.now(),
): Promise<{ count: number; resetS: number }> {
  const start = Math.floor(now / (windowS * 1000)) * windowS * 1000;
  const { rows } = await pgPool().query<{ count: number }>(
    `INSERT INTO "RateLimitWindow" ("key", "windowStart", "count") VALUES ($1, $2, 1)
     ON CONFLICT ("key", "windowStart") DO UPDATE SET "count" = "RateLimitWindow"."count" + 1
     RETURNING "count"`,
    [key, new Date(start)],
  );
  return {
    count: rows[0]?.count ?? 1,
    resetS: Math.max(1, Math.ceil((start + windowS * 1000 - now) / 1000)),
  };
}
