import { z } from 'zod';
import { getJob } from '../../../jobs/user-jobs';
import { protectedProcedure } from '../../init';
import { jobViewOutput } from './views';

export const get = protectedProcedure
  .input(z.strictObject({ id: z.string().max(64) }))
  .output(jobViewOutput)
  .query(({ ctx, input }) => getJob(ctx.user.id, input.id));
