import { z } from 'zod';

export const jobViewOutput = z.object({
  id: z.string(),
  kind: z.enum(['GENERATE', 'EDIT', 'TRAIN']),
  status: z.enum(['QUEUED', 'RUNNING', 'SUCCEEDED', 'FAILED', 'CANCELED']),
  price: z.number().int(),
  progress: z.object({ step: z.number().int(), total: z.number().int() }),
  previewUrl: z.string().nullable(),
  cancelRequested: z.boolean(),
  error: z.object({ code: z.string(), message: z.string() }).nullable(),
  request: z.unknown(),
  outputs: z.array(
    z.object({
      id: z.string(),
      index: z.number().int(),
      url: z.string(),
      width: z.number().int(),
      height: z.number().int(),
      seed: z.string().nullable(),
      shareSlug: z.string().nullable(),
    }),
  ),
  adapter: z.object({ id: z.string(), name: z.string(), samples: z.array(z.string()) }).nullable(),
  createdAt: z.date(),
  startedAt: z.date().nullable(),
  finishedAt: z.date().nullable(),
});

export const pageInput = z.strictObject({
  cursor: z.string().max(64).optional(),
  limit: z.number().int().min(1).max(50).default(20),
  // Sent by tRPC's infinite queries.
  direction: z.enum(['forward', 'backward']).optional(),
});
