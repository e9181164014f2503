import { z } from 'zod';
import { priceEdit } from '../../../credits/pricing';
import { createEditJob } from '../../../jobs/personal';
import { editInput } from '../../../jobs/schemas';
import { protectedProcedure } from '../../init';

const quoteOutput = z.object({
  total: z.number().int(),
  lines: z.array(z.object({ label: z.string(), credits: z.number() })),
});

export const quoteEdit = protectedProcedure
  .input(editInput)
  .output(quoteOutput)
  .query(({ input }) => priceEdit(input));

export const edit = protectedProcedure
  .input(editInput)
  .output(z.object({ id: z.string(), price: z.number().int(), status: z.string() }))
  .mutation(async ({ ctx, input }) => {
    const job = await createEditJob(ctx.user.id, input, { apiKeyId: ctx.apiKey?.keyId });
    return { id: job.id, price: job.price, status: job.status };
  });
