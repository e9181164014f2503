import { z } from 'zod';
import { deleteEndpoint as remove } from '../../../webhooks/endpoints';
import { idInput } from '../../../webhooks/schemas';
import { protectedProcedure } from '../../init';

export const deleteEndpoint = protectedProcedure
  .input(idInput)
  .output(z.object({ ok: z.literal(true) }))
  .mutation(async ({ ctx, input }) => {
    await remove(ctx.user.id, input.id);
    return { ok: true as const };
  });
