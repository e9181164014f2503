import { z } from 'zod';
import { listEndpoints } from '../../../webhooks/endpoints';
import { endpointView } from '../../../webhooks/schemas';
import { protectedProcedure } from '../../init';

export const endpoints = protectedProcedure
  .output(z.array(endpointView))
  .query(({ ctx }) => listEndpoints(ctx.user.id));
