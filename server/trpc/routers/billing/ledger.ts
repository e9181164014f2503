import { z } from 'zod';
import { listLedger } from '../../../billing/checkout';
import { protectedProcedure } from '../../init';
import { pageInput } from '../jobs/views';

export const ledger = protectedProcedure
  .input(pageInput)
  .output(
    z.object({
      items: z.array(
        z.object({
          id: z.string(),
          kind: z.string(),
          amount: z.number().int(),
          held: z.number().int(),
          balanceAfter: z.number().int(),
          reason: z.string().nullable(),
          jobId: z.string().nullable(),
          stripeRef: z.string().nullable(),
          createdAt: z.date(),
        }),
      ),
      nextCursor: z.string().nullable(),
    }),
  )
  .query(({ ctx, input }) => listLedger(ctx.user.id, input));
