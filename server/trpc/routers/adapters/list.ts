import { z } from 'zod';
import { listAdapters } from '../../../adapters/adapters';
import { adapterViewSchema } from '../../../adapters/view-schema';
import { protectedProcedure } from '../../init';

export const list = protectedProcedure
  .output(z.array(adapterViewSchema(z.date())))
  .query(({ ctx }) => listAdapters(ctx.user.id));
