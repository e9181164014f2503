import { z } from 'zod';
import { getBalance } from '../../../credits/balance';
import { db } from '../../../db';
import { AppError } from '../../../errors';
import { storageUse } from '../../../storage/quota';
import { protectedProcedure } from '../../init';

export const meOutput = z.object({
  id: z.string(),
  email: z.string(),
  /** False until the link in the verification mail is opened: such an account cannot spend. */
  emailVerified: z.boolean(),
  name: z.string(),
  plan: z.string(),
  credits: z.object({ available: z.number().int(), held: z.number().int() }),
  /** Bytes stored against the plan's quota (server/storage/quota.ts). */
  storage: z.object({ usedBytes: z.number().int(), quotaBytes: z.number().int() }),
});

export const me = protectedProcedure.output(meOutput).query(async ({ ctx }) => {
  const user = await db().user.findUnique({
    where: { id: ctx.user.id },
    select: { id: true, email: true, emailVerified: true, name: true, plan: true },
  });
  if (!user) throw new AppError('NOT_FOUND', 'User not found');
  const [credits, storage] = await Promise.all([getBalance(user.id), storageUse(user.id)]);
  if (!storage) throw new AppError('NOT_FOUND', 'User not found');
  return { ...user, credits, storage };
});
