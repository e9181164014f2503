import { z } from 'zod';
import { adapterName, renameAdapter } from '../../../adapters/adapters';
import { protectedProcedure } from '../../init';

export const rename = protectedProcedure
  .input(z.strictObject({ id: z.string().max(64), name: adapterName }))
  .output(z.object({ id: z.string(), name: z.string() }))
  .mutation(async ({ ctx, input }) => {
    const a = await renameAdapter(ctx.user.id, input.id, input.name);
    return { id: a.id, name: a.name };
  });
