import { z } from 'zod';
import { cancelJob } from '../../../jobs/user-jobs';
import { protectedProcedure } from '../../init';

export const cancel = protectedProcedure
  .input(z.strictObject({ id: z.string().max(64) }))
  .output(z.object({ status: z.string(), cancelRequested: z.boolean() }))
  .mutation(({ ctx, input }) => cancelJob(ctx.user.id, input.id));
