import { z } from 'zod';
import { listLibraryImages } from '../../../references/library';
import { referenceViewSchema } from '../../../references/view-schema';
import { protectedProcedure } from '../../init';

export const list = protectedProcedure
  .output(z.array(referenceViewSchema(z.date())))
  .query(({ ctx }) => listLibraryImages(ctx.user.id));
