import { z } from 'zod';
import { listJobs } from '../../../jobs/user-jobs';
import { protectedProcedure } from '../../init';
import { jobViewOutput, pageInput } from './views';

export const list = protectedProcedure
  .input(pageInput)
  .output(z.object({ items: z.array(jobViewOutput), nextCursor: z.string().nullable() }))
  .query(({ ctx, input }) => listJobs(ctx.user.id, input));
