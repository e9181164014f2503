import { z } from 'zod';
import { createPortal } from '../../../billing/checkout';
import { protectedProcedure } from '../../init';

export const portal = protectedProcedure
  .output(z.object({ url: z.string() }))
  .mutation(({ ctx }) => createPortal(ctx.user.id));
