// The starter credits are granted when the user's e-mail address is verified, not at sign-up, and
// once per mailbox: the grant's idempotency key is the address with case, a `+tag` and the dots
// of the local part removed, so `A.B+x@example.com` and `ab@example.com` share one grant.
//
// The grant moves in the same transaction that sets `emailVerified` (verifyAndGrant in
// server/auth/auth.ts), or as a nested write of the INSERT of an OAuth sign-up whose provider
// vouches for the address: there is no verified user without their grant and no grant without
// the verification. A second click on the link finds the user verified and writes nothing; the
// ledger's unique idempotency key makes one mailbox's grant happen once whatever else races.
import type { Prisma } from '@prisma/client';

/** The address as the starter grant counts it: `ab@example.com` for `A.B+tag@Example.com`. */
export function grantIdentity(email: string): string {
  const lower = email.trim().toLowerCase();
  const at = lower.lastIndexOf('@');
  if (at < 0) return lower;
  const local = lower.slice(0, at).split('+')[0]!.replaceAll('.', '');
  return `${local}@${lower.slice(at + 1)}`;
}

export function starterGrantKey(email: string): string {
  return `grant:starter:${grantIdentity(email)}`;
}

/** The fields a new user's INSERT takes to start with the grant (OAuth-verified sign-ups). */
export function starterGrantData(
  email: string,
  amount: number,
  balanceBefore: number,
): Pick<Prisma.UserCreateInput, 'creditBalance' | 'ledger'> {
  return {
    creditBalance: balanceBefore + amount,
    ledger: {
      create: {
        kind: 'GRANT',
        amount,
        balanceAfter: balanceBefore + amount,
        reason: 'Starter credits (e-mail verified)',
        idempotencyKey: starterGrantKey(email),
      },
    },
  };
}
