import { db } from '../db';
import { AppError } from '../errors';

export interface Balance {
  /** Credits that can be spent now. */
  available: number;
  /** Credits held by accepted jobs that have not finished. */
  held: number;
}

export async function getBalance(userId: string): Promise<Balance> {
  const user = await db().user.findUnique({
    where: { id: userId },
    select: { creditBalance: true, creditHeld: true },
  });
  if (!user) throw new AppError('NOT_FOUND', 'User not found');
  return { available: user.creditBalance, held: user.creditHeld };
}
