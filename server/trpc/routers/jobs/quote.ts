import { z } from 'zod';
import { priceGenerate } from '../../../credits/pricing';
import { generateInput } from '../../../jobs/schemas';
import { protectedProcedure } from '../../init';

export const quote = protectedProcedure
  .input(generateInput)
  .output(
    z.object({
      total: z.number().int(),
      lines: z.array(z.object({ label: z.string(), credits: z.number() })),
    }),
  )
  .query(({ input }) => priceGenerate(input));
