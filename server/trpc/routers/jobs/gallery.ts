import { z } from 'zod';
import { listOutputs } from '../../../jobs/user-jobs';
import { protectedProcedure } from '../../init';
import { pageInput } from './views';

export const gallery = protectedProcedure
  .input(pageInput)
  .output(
    z.object({
      items: z.array(
        z.object({
          id: z.string(),
          jobId: z.string(),
          url: z.string(),
          width: z.number().int(),
          height: z.number().int(),
          prompt: z.string(),
          createdAt: z.date(),
        }),
      ),
      nextCursor: z.string().nullable(),
    }),
  )
  .query(({ ctx, input }) => listOutputs(ctx.user.id, input));
