import { replayDelivery } from '../../../webhooks/deliveries';
import { deliveryView, idInput } from '../../../webhooks/schemas';
import { protectedProcedure } from '../../init';

export const replay = protectedProcedure
  .input(idInput)
  .output(deliveryView)
  .mutation(({ ctx, input }) => replayDelivery(ctx.user.id, input.id));
