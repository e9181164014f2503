// The only way credits move. Each movement is one ledger row plus one conditional UPDATE of the
// user's balance, inside the caller's transaction, so it commits or rolls back with the job
// transition it belongs to. The idempotency key makes a movement happen at most once: the row is
// inserted first with ON CONFLICT DO NOTHING, and a repeat does nothing at all.
import type { LedgerKind } from '@prisma/client';
import type { Tx } from '../db';
import { AppError } from '../errors';

export interface Movement {
  userId: string;
  kind: LedgerKind;
  /** Change to the spendable balance (negative for a hold or a claw-back). */
  amount: number;
  /** Change to the held credits (positive for a hold, negative for capture or release). */
  heldDelta?: number;
  idempotencyKey: string;
  jobId?: string;
  stripeRef?: string;
  reason?: string;
  /** Claw-backs may take the balance below zero; holds never may. */
  allowNegative?: boolean;
}

export interface MovementResult {
  /** False when this idempotency key was already applied: nothing changed. */
  applied: boolean;
  balance: number | null;
}

export async function moveCredits(tx: Tx, m: Movement): Promise<MovementResult> {
  const heldDelta = m.heldDelta ?? 0;
  const inserted = await tx.creditLedgerEntry.createMany({
    data: [
      {
        userId: m.userId,
        kind: m.kind,
        amount: m.amount,
        heldDelta,
        balanceAfter: 0, // set below, once the balance row is locked and updated
        idempotencyKey: m.idempotencyKey,
        jobId: m.jobId,
        stripeRef: m.stripeRef,
        reason: m.reason,
      },
    ],
    skipDuplicates: true,
  });
  if (inserted.count === 0) return { applied: false, balance: null };

  // The row lock this UPDATE takes serialises concurrent movements of one user; the WHERE is
  // re-checked after the wait, so two holds can never both spend the same credits.
  const rows = await tx.$queryRaw<{ creditBalance: number }[]>`
    UPDATE "user"
       SET "creditBalance" = "creditBalance" + ${m.amount},
           "creditHeld" = "creditHeld" + ${heldDelta}
     WHERE "id" = ${m.userId}
       AND (${m.allowNegative ?? false} OR "creditBalance" + ${m.amount} >= 0)
       AND "creditHeld" + ${heldDelta} >= 0
 RETURNING "creditBalance"`;
  const row = rows[0];
  if (!row) {
    // Throwing rolls back the ledger row too.
    const now = await tx.user.findUnique({
      where: { id: m.userId },
      select: { creditBalance: true },
    });
    const balance = now?.creditBalance ?? 0;
    throw new AppError(
      'INSUFFICIENT_CREDITS',
      balance < 0
        ? `Your balance is ${balance} credits after a refund or dispute; add credits to settle it before starting new jobs.`
        : `Not enough credits for this job: it costs ${-m.amount} and you have ${balance}.`,
      { needed: -m.amount, balance },
    );
  }
  await tx.creditLedgerEntry.update({
    where: { idempotencyKey: m.idempotencyKey },
    data: { balanceAfter: row.creditBalance },
  });
  return { applied: true, balance: row.creditBalance };
}

/** Keys of a job's credit movements: one hold, then exactly one of capture or release. */
export const jobKeys = {
  hold: (jobId: string) => `job:${jobId}:hold`,
  settle: (jobId: string) => `job:${jobId}:settle`,
};

/**
 * Holds a job's price: spendable → held. Throws EMAIL_NOT_VERIFIED for an account whose address
 * is not verified yet (it may look around, not spend) and INSUFFICIENT_CREDITS when the price
 * does not fit.
 */
export async function holdForJob(tx: Tx, userId: string, jobId: string, price: number) {
  const user = await tx.user.findUnique({
    where: { id: userId },
    select: { emailVerified: true, email: true },
  });
  if (user && !user.emailVerified) {
    throw new AppError(
      'EMAIL_NOT_VERIFIED',
      `Confirm your e-mail address to start creating: open the link we sent to ${user.email} (or ask for a new one on your dashboard).`,
    );
  }
  return moveCredits(tx, {
    userId,
    kind: 'HOLD',
    amount: -price,
    heldDelta: price,
    jobId,
    idempotencyKey: jobKeys.hold(jobId),
    reason: 'Job accepted',
  });
}

/**
 * Settles a job's hold exactly once: captured when it succeeded, released when it failed or
 * was canceled. Both share one key, so a job can never be both charged and refunded.
 */
export function settleJob(
  tx: Tx,
  userId: string,
  jobId: string,
  price: number,
  outcome: 'capture' | 'release',
  reason: string,
) {
  return moveCredits(tx, {
    userId,
    kind: outcome === 'capture' ? 'CAPTURE' : 'RELEASE',
    amount: outcome === 'capture' ? 0 : price,
    heldDelta: -price,
    jobId,
    idempotencyKey: jobKeys.settle(jobId),
    reason,
    allowNegative: true,
  });
}
