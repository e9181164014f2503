import { z } from 'zod';
import { PACKS, PLANS, priceIdOf } from '../../../billing/plans';
import { paymentsConfigured } from '../../../billing/stripe';
import { publicProcedure } from '../../init';

const item = z.object({
  key: z.string(),
  name: z.string(),
  display: z.string(),
  credits: z.number().int(),
  onSale: z.boolean(),
});

export const catalog = publicProcedure
  .output(
    z.object({
      paymentsConfigured: z.boolean(),
      packs: z.array(item),
      plans: z.array(item.extend({ priority: z.number().int(), maxActiveJobs: z.number().int() })),
    }),
  )
  .query(() => {
    const configured = paymentsConfigured();
    return {
      paymentsConfigured: configured,
      packs: Object.values(PACKS).map((p) => ({
        key: p.key,
        name: p.name,
        display: p.display,
        credits: p.credits,
        onSale: configured && Boolean(priceIdOf(p)),
      })),
      plans: Object.values(PLANS).map((p) => ({
        key: p.key,
        name: p.name,
        display: p.display,
        credits: p.monthlyCredits,
        priority: p.priority,
        maxActiveJobs: p.maxActiveJobs,
        onSale: configured && Boolean(priceIdOf(p)),
      })),
    };
  });
