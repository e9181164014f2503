import { z } from 'zod';
import { adapterListFilter, listAdapters } from '../../../adapters/adapters';
import { adapterViewSchema } from '../../../adapters/view-schema';
import { protectedProcedure } from '../../init';

/** The user's adapters, newest first; optionally only those of one base model or family. */
export const list = protectedProcedure
  .input(adapterListFilter.optional())
  .output(z.array(adapterViewSchema(z.date())))
  .query(({ ctx, input }) => listAdapters(ctx.user.id, input ?? {}));
