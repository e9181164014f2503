import { z } from 'zod';
import { addLibraryImageFromOutput } from '../../../references/library';
import { protectedProcedure } from '../../init';

/** Copies one of the caller's outputs into their reference library (once: uploads dedupe). */
export const useAsReference = protectedProcedure
  .input(z.strictObject({ outputId: z.string().max(64) }))
  .output(
    z.object({
      id: z.string(),
      width: z.number().int(),
      height: z.number().int(),
      deduplicated: z.boolean(),
    }),
  )
  .mutation(async ({ ctx, input }) => {
    const { image, deduplicated } = await addLibraryImageFromOutput(ctx.user.id, input.outputId);
    return { id: image.id, width: image.width, height: image.height, deduplicated };
  });
