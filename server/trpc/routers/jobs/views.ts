import { z } from 'zod';
import { jobViewSchema } from '../../../jobs/view-schema';

export const jobViewOutput = jobViewSchema(z.date());

export const pageInput = z.strictObject({
  cursor: z.string().max(64).optional(),
  limit: z.number().int().min(1).max(50).default(20),
  // Sent by tRPC's infinite queries.
  direction: z.enum(['forward', 'backward']).optional(),
});
