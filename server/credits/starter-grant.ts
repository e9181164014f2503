// Sign-up grants the starter credits. The grant is written as a nested create of the user row,
// so the user and its ledger entry are one INSERT statement group in one transaction: there is
// no moment when a user exists without the grant, and no path that grants twice (the
// idempotency key is derived from the user id).
import type { Prisma } from '@prisma/client';

export function starterGrantKey(userId: string): string {
  return `grant:starter:${userId}`;
}

/** Fields to merge into a `user.create` so the new user starts with `amount` credits. */
export function withStarterGrant(
  data: Prisma.UserCreateInput,
  amount: number,
): Prisma.UserCreateInput {
  if (amount <= 0) return data;
  return {
    ...data,
    creditBalance: amount,
    ledger: {
      create: {
        kind: 'GRANT',
        amount,
        balanceAfter: amount,
        reason: 'Starter credits',
        idempotencyKey: starterGrantKey(data.id),
      },
    },
  };
}
