// How many NEW control maps a user may have made per minute (CONTROL_MAP_RATE_PER_MINUTE,
// default 30), previews and jobs together. Only a cache miss — a map that has to be computed —
// counts: a repeat of a map already made is served from the cache and costs nothing. Counted in
// PostgreSQL in a fixed one-minute window (the RateLimitWindow table, as the API limits in
// server/api-keys/rate-limit.ts), so every app instance shares one count; past the budget the
// caller gets RATE_LIMITED (429) with `details.retryAfterS`, which becomes `Retry-After`.

import { env } from '../env';
import { AppError } from '../errors';
import { countInWindow } from '../limits/window';

export const MAP_WINDOW_S = 60;

/** The RateLimitWindow key of a user's map budget. */
export const mapBudgetKey = (userId: string) => `control-map:${userId}`;

/** Counts one map computation for the user; throws RATE_LIMITED past the budget. */
export async function consumeMapBudget(userId: string, now = Date.now()): Promise<void> {
  const limit = env().CONTROL_MAP_RATE_PER_MINUTE;
  const { count, resetS: retryAfterS } = await countInWindow(
    mapBudgetKey(userId),
    MAP_WINDOW_S,
    now,
  );
  if (count > limit) {
    throw new AppError(
      'RATE_LIMITED',
      `You can have ${limit} new control maps made per minute; maps you already made stay free. Try again in ${retryAfterS} s.`,
      { retryAfterS, limit },
    );
  }
}
