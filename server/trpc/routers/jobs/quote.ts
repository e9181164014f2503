import { quoteGenerateJob } from '../../../jobs/create';
import { generateQuote } from '../../../jobs/quote-schema';
import { generateInput } from '../../../jobs/schemas';
import { protectedProcedure } from '../../init';

/** What the Generate page shows before paying: the price lines and how each plugin runs. */
export const quote = protectedProcedure
  .input(generateInput)
  .output(generateQuote)
  .query(({ ctx, input }) => quoteGenerateJob(ctx.user.id, input));
