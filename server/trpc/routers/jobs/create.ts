import { z } from 'zod';
import { createGenerateJob } from '../../../jobs/create';
import { generateInput } from '../../../jobs/schemas';
import { protectedProcedure } from '../../init';

export const create = protectedProcedure
  .input(generateInput)
  .output(z.object({ id: z.string(), price: z.number().int(), status: z.string() }))
  .mutation(async ({ ctx, input }) => {
    const job = await createGenerateJob(ctx.user.id, input, { apiKeyId: ctx.apiKey?.keyId });
    return { id: job.id, price: job.price, status: job.status };
  });
