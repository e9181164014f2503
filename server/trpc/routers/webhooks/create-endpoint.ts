import { createEndpoint as create } from '../../../webhooks/endpoints';
import { createdEndpointView, createEndpointInput } from '../../../webhooks/schemas';
import { protectedProcedure } from '../../init';

export const createEndpoint = protectedProcedure
  .input(createEndpointInput)
  .output(createdEndpointView)
  .mutation(({ ctx, input }) => create(ctx.user.id, input));
