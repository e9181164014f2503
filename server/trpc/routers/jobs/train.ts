import { z } from 'zod';
import { priceTrain } from '../../../credits/pricing';
import { createTrainJob } from '../../../jobs/personal';
import { trainInput } from '../../../jobs/schemas';
import { protectedProcedure } from '../../init';

const quoteOutput = z.object({
  total: z.number().int(),
  lines: z.array(z.object({ label: z.string(), credits: z.number() })),
});

export const quoteTrain = protectedProcedure
  .input(trainInput)
  .output(quoteOutput)
  .query(({ input }) => priceTrain(input));

export const train = protectedProcedure
  .input(trainInput)
  .output(z.object({ id: z.string(), price: z.number().int(), status: z.string() }))
  .mutation(async ({ ctx, input }) => {
    const job = await createTrainJob(ctx.user.id, input, { apiKeyId: ctx.apiKey?.keyId });
    return { id: job.id, price: job.price, status: job.status };
  });
