import { z } from 'zod';
import { getBalance } from '../../../credits/balance';
import { db } from '../../../db';
import { AppError } from '../../../errors';
import { protectedProcedure } from '../../init';

export const meOutput = z.object({
  id: z.string(),
  email: z.string(),
  name: z.string(),
  plan: z.string(),
  credits: z.object({ available: z.number().int(), held: z.number().int() }),
});

export const me = protectedProcedure.output(meOutput).query(async ({ ctx }) => {
  const user = await db().user.findUnique({
    where: { id: ctx.user.id },
    select: { id: true, email: true, name: true, plan: true },
  });
  if (!user) throw new AppError('NOT_FOUND', 'User not found');
  return { ...user, credits: await getBalance(user.id) };
});
