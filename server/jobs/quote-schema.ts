// A generation's quote (jobs.quote, POST /api/v1/generations/quote): the price lines and how each
// plugin runs on the base model (natively or through X-Adapter). Built by quoteGenerateJob.
import '../zod-openapi';
import { z } from 'zod';
import { FAMILIES } from '../models/families';

const family = z.enum(FAMILIES);

export const generateQuote = z.object({
  total: z.number().int().meta({ description: 'Credits held when the job is created.' }),
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
    .nullable()
    .meta({ description: 'What X-Adapter runs, when any plugin goes through it.' }),
});
