// The plan catalogue: what each plan changes about jobs. Prices and Stripe ids join in issue 06.
export interface Plan {
  key: string;
  name: string;
  /** Added to a job's queue priority: paying users' jobs lease first. */
  priority: number;
  /** Jobs a user may have queued or running at once. */
  maxActiveJobs: number;
}

export const PLANS: Record<string, Plan> = {
  free: { key: 'free', name: 'Free', priority: 0, maxActiveJobs: 4 },
  pro: { key: 'pro', name: 'Pro', priority: 10, maxActiveJobs: 16 },
  studio: { key: 'studio', name: 'Studio', priority: 20, maxActiveJobs: 64 },
};

export function planFor(key: string): Plan {
  return PLANS[key] ?? PLANS.free!;
}
