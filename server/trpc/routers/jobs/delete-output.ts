import { z } from 'zod';
import { deleteOutput as deleteOwnOutput } from '../../../jobs/user-jobs';
import { protectedProcedure } from '../../init';

/** Deletes one of the caller's outputs (row and stored image); another user's id is NOT_FOUND. */
export const deleteOutput = protectedProcedure
  .input(z.strictObject({ outputId: z.string().max(64) }))
  .output(z.object({ ok: z.literal(true) }))
  .mutation(async ({ ctx, input }) => {
    await deleteOwnOutput(ctx.user.id, input.outputId);
    return { ok: true as const };
  });
