import { listDeliveries } from '../../../webhooks/deliveries';
import { deliveryList, listDeliveriesInput } from '../../../webhooks/schemas';
import { protectedProcedure } from '../../init';

export const deliveries = protectedProcedure
  .input(listDeliveriesInput.optional())
  .output(deliveryList)
  .query(({ ctx, input }) => listDeliveries(ctx.user.id, input ?? {}));
