import { z } from 'zod';
import { availableMaps } from '../../../inference/control-maps';
import { protectedProcedure } from '../../init';

export const controlMaps = protectedProcedure
  .output(
    z.array(
      z.object({
        kind: z.string(),
        available: z.boolean(),
        via: z.enum(['builtin', 'onnx']).nullable(),
      }),
    ),
  )
  .query(() => availableMaps());
