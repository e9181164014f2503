import { z } from 'zod';
import { listOutputs } from '../../../jobs/user-jobs';
import { pageCursor } from '../../../pagination';
import { protectedProcedure } from '../../init';

export const galleryInput = z
  .strictObject({
    cursor: pageCursor.optional(),
    limit: z.number().int().min(1).max(50).default(20),
    // Sent by tRPC's infinite queries.
    direction: z.enum(['forward', 'backward']).optional(),
    kind: z.enum(['GENERATE', 'EDIT']).optional(),
    createdFrom: z.date().optional(),
    /** Exclusive: pass the next midnight to include a whole day. */
    createdBefore: z.date().optional(),
    adapterId: z.uuid().optional(),
    /** A base model's name: outputs of jobs run on it. */
    baseModel: z.string().min(1).max(64).optional(),
  })
  .refine((f) => !f.createdFrom || !f.createdBefore || f.createdFrom < f.createdBefore, {
    message: 'The start date must come before the end date',
    path: ['createdBefore'],
  });

export const galleryItem = z.object({
  id: z.string(),
  jobId: z.string(),
  kind: z.enum(['GENERATE', 'EDIT', 'TRAIN']),
  url: z.string(),
  width: z.number().int(),
  height: z.number().int(),
  prompt: z.string(),
  seed: z.string().nullable(),
  /** The public share's slug, null while private. */
  shareSlug: z.string().nullable(),
  createdAt: z.date(),
});

export const gallery = protectedProcedure
  .input(galleryInput)
  .output(z.object({ items: z.array(galleryItem), nextCursor: z.string().nullable() }))
  .query(({ ctx, input }) => listOutputs(ctx.user.id, input));
