import { z } from 'zod';
import { unshareOutput } from '../../../share/share';
import { protectedProcedure } from '../../init';
import { shareStateOutput } from './share';

/** Stops sharing: the page, the image and the card answer 404; sharing again makes a new link. */
export const unshare = protectedProcedure
  .input(z.strictObject({ outputId: z.string().max(64) }))
  .output(shareStateOutput)
  .mutation(({ ctx, input }) => unshareOutput(ctx.user.id, input.outputId));
