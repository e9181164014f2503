import { z } from 'zod';
import { listAdapters } from '../../../adapters/adapters';
import { protectedProcedure } from '../../init';

export const list = protectedProcedure
  .output(
    z.array(
      z.object({
        id: z.string(),
        name: z.string(),
        kind: z.enum(['LORA', 'SPECTRAL_SHIFT']),
        source: z.enum(['UPLOADED', 'TRAINED', 'EDIT']),
        baseModel: z.string(),
        sizeBytes: z.number().int(),
        settings: z.record(z.string(), z.unknown()),
        createdAt: z.date(),
      }),
    ),
  )
  .query(({ ctx }) => listAdapters(ctx.user.id));
