// The catalogue, in one place: credit packs (one-time) and monthly plans (credits every paid
// period, queue priority, concurrency, API rate limit). Prices live in Stripe; their ids come
// from the environment, so the same code serves test and live mode.
import { env, type Env } from '../env';

export interface Plan {
  key: string;
  name: string;
  /** Credits granted on each paid invoice. */
  monthlyCredits: number;
  /** Added to a job's queue priority: paying users' jobs lease first. */
  priority: number;
  /** Jobs a user may have queued or running at once. */
  maxActiveJobs: number;
  /** API requests per minute per key (issue 07). */
  apiRequestsPerMinute: number;
  /** Bytes stored: library, control maps, adapters and outputs together (server/storage/quota.ts). */
  storageQuotaBytes: number;
  display: string;
  priceEnv?: keyof Env;
}

const GiB = 1024 ** 3;

export const PLANS: Record<string, Plan> = {
  free: {
    key: 'free',
    name: 'Free',
    monthlyCredits: 0,
    priority: 0,
    maxActiveJobs: 4,
    apiRequestsPerMinute: 60,
    storageQuotaBytes: 1 * GiB,
    display: '$0',
  },
  pro: {
    key: 'pro',
    name: 'Pro',
    monthlyCredits: 1000,
    priority: 10,
    maxActiveJobs: 16,
    apiRequestsPerMinute: 600,
    storageQuotaBytes: 50 * GiB,
    display: '$29 / month',
    priceEnv: 'STRIPE_PRICE_PLAN_PRO',
  },
  studio: {
    key: 'studio',
    name: 'Studio',
    monthlyCredits: 5000,
    priority: 20,
    maxActiveJobs: 64,
    apiRequestsPerMinute: 3000,
    storageQuotaBytes: 250 * GiB,
    display: '$99 / month',
    priceEnv: 'STRIPE_PRICE_PLAN_STUDIO',
  },
};

export interface Pack {
  key: string;
  name: string;
  credits: number;
  display: string;
  priceEnv: keyof Env;
}

export const PACKS: Record<string, Pack> = {
  'pack-100': {
    key: 'pack-100',
    name: '100 credits',
    credits: 100,
    display: '$9',
    priceEnv: 'STRIPE_PRICE_PACK_100',
  },
  'pack-500': {
    key: 'pack-500',
    name: '500 credits',
    credits: 500,
    display: '$39',
    priceEnv: 'STRIPE_PRICE_PACK_500',
  },
  'pack-2000': {
    key: 'pack-2000',
    name: '2 000 credits',
    credits: 2000,
    display: '$129',
    priceEnv: 'STRIPE_PRICE_PACK_2000',
  },
};

export function planFor(key: string): Plan {
  return PLANS[key] ?? PLANS.free!;
}

export function priceIdOf(item: Plan | Pack): string | undefined {
  return item.priceEnv ? (env()[item.priceEnv] as string | undefined) : undefined;
}

/** The catalogue item a Stripe price id stands for (prices are the truth, not metadata). */
export function itemForPrice(priceId: string | null | undefined): { pack?: Pack; plan?: Plan } {
  if (!priceId) return {};
  const pack = Object.values(PACKS).find((p) => priceIdOf(p) === priceId);
  if (pack) return { pack };
  const plan = Object.values(PLANS).find((p) => priceIdOf(p) === priceId);
  return plan ? { plan } : {};
}
