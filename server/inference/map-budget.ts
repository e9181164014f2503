// How many NEW control maps a user may have made per minute (CONTROL_MAP_RATE_PER_MINUTE,
// default 30), previews and jobs together. Only a cache miss — a map that has to be computed —
// counts: a repeat of a map already made is served from the cache and costs nothing. Counted in
// PostgreSQL in a fixed one-minute window (the RateLimitWindow table, as the API limits in
// server/api-keys/rate-limit.ts), so every app instance shares one count; past the budget the
// caller gets RATE_LIMITED (429) with `details.retryAfterS`, which becomes `Retry-After`.
import { pgPool } from '../db-pool';
import { env } from '../env';
import { AppError } from '../errors';

export const MAP_WINDOW_S = 60;

/** The RateLimitWindow key of a user's map budget. */
export const mapBudgetKey = (userId: string) => `control-map:${userId}`;

const COUNT_SQL = `
INSERT INTO "RateLimitWindow" ("key", "windowStart", "count") VALUES ($1, $2, 1)
ON CONFLICT ("key", "windowStart") DO UPDATE SET "count" = "RateLimitWindow"."count" + 1
RETURNING "count"`;

/** Counts one map computation for the user; throws RATE_LIMITED past the budget. */
export async function consumeMapBudget(userId: string, now = Date.now()): Promise<void> {
  const limit = env().CONTROL_MAP_RATE_PER_MINUTE;
  const windowStartMs = Math.floor(now / (MAP_WINDOW_S * 1000)) * MAP_WINDOW_S * 1000;
  const { rows } = await pgPool().query<{ count: number }>(COUNT_SQL, [
    mapBudgetKey(userId),
    new Date(windowStartMs),
  ]);
  const count = rows[0]?.count ?? 1;
  if (count > limit) {
    const retryAfterS = Math.max(1, Math.ceil((windowStartMs + MAP_WINDOW_S * 1000 - now) / 1000));
    throw new AppError(
      'RATE_LIMITED',
      `You can have ${limit} new control maps made per minute; maps you already made stay free. Try again in ${retryAfterS} s.`,
      { retryAfterS, limit },
    );
  }
}
