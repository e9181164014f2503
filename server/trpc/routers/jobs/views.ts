import { z } from 'zod';
import { jobViewSchema } from '../../../jobs/view-schema';
import { pageCursor } from '../../../pagination';

export const jobViewOutput = jobViewSchema(z.date());

export const pageInput = z.strictObject({
  cursor: pageCursor.optional(),
  limit: z.number().int().min(1).max(50).default(20),
  // Sent by tRPC's infinite queries.
  direction: z.enum(['forward', 'backward']).optional(),
});
