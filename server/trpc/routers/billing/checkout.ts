import { z } from 'zod';
import { createCheckout } from '../../../billing/checkout';
import { protectedProcedure } from '../../init';

// No user id in the input: one can only ever buy for oneself.
export const checkout = protectedProcedure
  .input(z.strictObject({ item: z.string().max(32) }))
  .output(z.object({ url: z.string() }))
  .mutation(async ({ ctx, input }) => ({
    url: (await createCheckout(ctx.user.id, input.item)).url,
  }));
