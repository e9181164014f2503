import { z } from 'zod';
import { listJobs } from '../../../jobs/user-jobs';
import { protectedProcedure } from '../../init';
import { jobViewOutput, pageInput } from './views';

export const list = protectedProcedure
  // Optionally only the jobs run on one base model.
  .input(pageInput.extend({ baseModel: z.string().min(1).max(64).optional() }))
  .output(z.object({ items: z.array(jobViewOutput), nextCursor: z.string().nullable() }))
  .query(({ ctx, input }) => listJobs(ctx.user.id, input));
