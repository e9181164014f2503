import { z } from 'zod';
import { shareOutput } from '../../../share/share';
import { protectedProcedure } from '../../init';

export const shareStateOutput = z.object({
  outputId: z.string(),
  slug: z.string().nullable(),
  url: z.string().nullable(),
  sharedAt: z.date().nullable(),
});

/** Makes one of the caller's outputs public at an unguessable link (the same link if already). */
export const share = protectedProcedure
  .input(z.strictObject({ outputId: z.string().max(64) }))
  .output(shareStateOutput)
  .mutation(({ ctx, input }) => shareOutput(ctx.user.id, input.outputId));
