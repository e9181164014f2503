import { z } from 'zod';
import { quoteGenerateJob } from '../../../jobs/create';
import { generateInput } from '../../../jobs/schemas';
import { FAMILIES } from '../../../models/families';
import { protectedProcedure } from '../../init';

const family = z.enum(FAMILIES);

/** What the Generate page shows before paying: the price lines and how each plugin runs. */
export const quoteOutput = z.object({
  total: z.number().int(),
  lines: z.array(
    z.object({ label: z.string(), credits: z.number(), detail: z.string().optional() }),
  ),
  baseModel: z.string(),
  family,
  plugins: z.array(
    z.object({
      kind: z.enum(['controlnet', 't2i_adapter', 'lora', 'ip_adapter']),
      name: z.string(),
      adapterId: z.string().optional(),
      family,
      route: z.enum(['native', 'x_adapter']),
    }),
  ),
  xAdapter: z
    .object({
      name: z.string(),
      sd15BaseModel: z.string(),
      t0: z.number(),
      sd15Width: z.number().int(),
      sd15Height: z.number().int(),
    })
    .nullable(),
});

export const quote = protectedProcedure
  .input(generateInput)
  .output(quoteOutput)
  .query(({ ctx, input }) => quoteGenerateJob(ctx.user.id, input));
