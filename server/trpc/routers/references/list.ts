import { z } from 'zod';
import { listLibraryImages } from '../../../references/library';
import { protectedProcedure } from '../../init';

export const list = protectedProcedure
  .output(
    z.array(
      z.object({
        id: z.string(),
        width: z.number().int(),
        height: z.number().int(),
        thumbnailUrl: z.string(),
        url: z.string(),
        hasEmbedding: z.boolean(),
        createdAt: z.date(),
      }),
    ),
  )
  .query(({ ctx }) => listLibraryImages(ctx.user.id));
