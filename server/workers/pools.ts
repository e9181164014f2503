// Worker pools: which workers may run which jobs. A worker token belongs to one pool
// (scripts/worker-token.ts); WORKER_POOLS maps jobs to the pools allowed to lease them, so an
// operator can keep some work (training on users' photos, a plan's jobs, a base model) on
// hardware they trust. The allowed pools are fixed on the job when it is queued (Job.pools).
//
// WORKER_POOLS = rule (";" rule)*
//   rule     = match "=" pool ("," pool)*
//   match    = "*" | cond ("+" cond)*           every cond must hold
//   cond     = "kind:" (generate|train|edit) | "base:" <base model> | "plan:" <plan id>
// The first rule that matches a job gives its pools; a job no rule matches may be leased by any
// pool (so without WORKER_POOLS every token leases everything, as before). End with "*=<pool>"
// to pin every job to named pools.
//
// Example: "kind:train=trusted; kind:edit=trusted; plan:studio+base:sd15=trusted,fast; *=shared"

export const POOL_NAME = /^[\w.-]{1,64}$/;

type Field = 'kind' | 'base' | 'plan';
export interface PoolRule {
  when: { field: Field; value: string }[];
  pools: string[];
}

const KINDS = ['generate', 'train', 'edit'];

/** Parses WORKER_POOLS; throws an Error naming the faulty rule. Empty or unset: no rules. */
export function parseWorkerPools(text: string | undefined): PoolRule[] {
  const rules: PoolRule[] = [];
  for (const raw of (text ?? '').split(';')) {
    const rule = raw.trim();
    if (!rule) continue;
    const eq = rule.indexOf('=');
    if (eq < 0) throw new Error(`WORKER_POOLS: "${rule}" needs "=" followed by pool names`);
    const match = rule.slice(0, eq).trim();
    const pools = rule
      .slice(eq + 1)
      .split(',')
      .map((p) => p.trim());
    if (!pools.length || pools.some((p) => !POOL_NAME.test(p))) {
      throw new Error(`WORKER_POOLS: "${rule}": pool names use letters, digits, . _ -`);
    }
    const when: PoolRule['when'] = [];
    if (match !== '*') {
      for (const cond of match.split('+').map((c) => c.trim())) {
        const m = /^(kind|base|plan):([\w./-]{1,64})$/.exec(cond);
        if (!m) {
          throw new Error(
            `WORKER_POOLS: "${cond}" in "${rule}" is not kind:<kind>, base:<model> or plan:<plan>`,
          );
        }
        const [, field, value] = m as unknown as [string, Field, string];
        if (field === 'kind' && !KINDS.includes(value.toLowerCase())) {
          throw new Error(`WORKER_POOLS: kind must be one of ${KINDS.join(', ')} (in "${rule}")`);
        }
        when.push({ field, value: field === 'kind' ? value.toLowerCase() : value });
      }
    }
    rules.push({ when, pools: [...new Set(pools)] });
  }
  return rules;
}

/** The pools allowed to lease a job: the first matching rule's, or [] (any pool). */
export function poolsForJob(
  rules: PoolRule[],
  job: { kind: string; baseModel: string; plan: string },
): string[] {
  const facts: Record<Field, string> = {
    kind: job.kind.toLowerCase(),
    base: job.baseModel,
    plan: job.plan,
  };
  for (const rule of rules) {
    if (rule.when.every((c) => facts[c.field] === c.value)) return rule.pools;
  }
  return [];
}
