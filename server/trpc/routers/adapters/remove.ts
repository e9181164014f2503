import { z } from 'zod';
import { deleteAdapter } from '../../../adapters/adapters';
import { protectedProcedure } from '../../init';

export const remove = protectedProcedure
  .input(z.strictObject({ id: z.string().max(64) }))
  .output(z.object({ ok: z.literal(true) }))
  .mutation(async ({ ctx, input }) => {
    await deleteAdapter(ctx.user.id, input.id);
    return { ok: true as const };
  });
