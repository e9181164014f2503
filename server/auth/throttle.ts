// The per-account sign-in limit: it holds without a trusted client address (the per-address
// limits live in better-auth's limiter, keyed by server/auth/client-address.ts):
//
// - Per account: the first SIGN_IN_ACCOUNT_FREE_TRIES tries are free; the try that reaches the
//   count and every one after it locks the account's sign-in for
//       lock(k) = min(30 s · 2^k, 1 h),  k = attempts − free ≥ 0
//   from the moment it starts (pessimistically, so concurrent guesses cannot slip past the
//   count), a successful sign-in or a password reset clears the row, and 24 h without a try
//   forgets it. While locked every try is refused at once, whatever the password, with the wait.
//   The first lock of a series mails the account's owner a notice.
// The global sign-up ceiling (SIGN_UP_GLOBAL_MAX per SIGN_UP_GLOBAL_WINDOW_S) is a window count
// (server/limits/window.ts) kept in the sign-up hook of auth.ts.
import { createHash } from 'node:crypto';
import { pgPool } from '../db-pool';

const LOCK_BASE_S = 30;
const LOCK_MAX_S = 3600;
const FORGET_AFTER_S = 86_400;

/** The throttle row's key: the normalised address, hashed (guessed addresses are not stored). */
export function accountKey(email: string): string {
  return createHash('sha256').update(email.trim().toLowerCase()).digest('hex');
}

/** Seconds an account stays locked after the (free + k)-th try: min(30 · 2^k, 3600). */
export function lockSeconds(k: number): number {
  return Math.min(LOCK_BASE_S * 2 ** Math.max(0, k), LOCK_MAX_S);
}

export type SignInClaim =
  { allowed: true; attempts: number; lockedForS: number } | { allowed: false; retryAfterS: number };

/**
 * Counts one sign-in try for an account and decides whether it may go ahead. One transaction
 * with the row locked, so concurrent tries are counted one after the other.
 */
export async function claimSignInAttempt(
  email: string,
  freeTries: number,
  now = new Date(),
): Promise<SignInClaim> {
  const key = accountKey(email);
  const client = await pgPool().connect();
  try {
    await client.query('BEGIN');
    await client.query(
      `INSERT INTO "SignInThrottle" ("key", "attempts", "updatedAt") VALUES ($1, 0, $2)
       ON CONFLICT ("key") DO NOTHING`,
      [key, now],
    );
    const { rows } = await client.query<{
      attempts: number;
      lockedUntil: Date | null;
      updatedAt: Date;
    }>(
      `SELECT "attempts", "lockedUntil", "updatedAt" FROM "SignInThrottle" WHERE "key" = $1 FOR UPDATE`,
      [key],
    );
    const row = rows[0]!;
    const stale = now.getTime() - row.updatedAt.getTime() > FORGET_AFTER_S * 1000;
    const lockedUntil = stale ? null : row.lockedUntil;
    if (lockedUntil && lockedUntil > now) {
      await client.query('COMMIT');
      return {
        allowed: false,
        retryAfterS: Math.max(1, Math.ceil((lockedUntil.getTime() - now.getTime()) / 1000)),
      };
    }
    const attempts = (stale ? 0 : row.attempts) + 1;
    const lockedForS = attempts >= freeTries ? lockSeconds(attempts - freeTries) : 0;
    await client.query(
      `UPDATE "SignInThrottle"
          SET "attempts" = $2, "lockedUntil" = $3, "updatedAt" = $4,
              "noticeSentAt" = CASE WHEN $5 THEN NULL ELSE "noticeSentAt" END
        WHERE "key" = $1`,
      [key, attempts, lockedForS ? new Date(now.getTime() + lockedForS * 1000) : null, now, stale],
    );
    await client.query('COMMIT');
    return { allowed: true, attempts, lockedForS };
  } catch (e) {
    await client.query('ROLLBACK').catch(() => {});
    throw e;
  } finally {
    client.release();
  }
}

/** A successful sign-in or a password reset: the account's count starts again. */
export async function clearSignInThrottle(email: string): Promise<void> {
  await pgPool().query(`DELETE FROM "SignInThrottle" WHERE "key" = $1`, [accountKey(email)]);
}

/**
 * Marks that the owner was told of this lock series: the lock's end for the first caller, null
 * for every other (so the notice goes out once per series) and when nothing is locked.
 */
export async function claimLockNotice(email: string): Promise<Date | null> {
  const { rows } = await pgPool().query<{ lockedUntil: Date }>(
    `UPDATE "SignInThrottle" SET "noticeSentAt" = now()
      WHERE "key" = $1 AND "noticeSentAt" IS NULL AND "lockedUntil" IS NOT NULL
  RETURNING "lockedUntil"`,
    [accountKey(email)],
  );
  return rows[0]?.lockedUntil ?? null;
}
