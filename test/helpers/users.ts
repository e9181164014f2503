import { verifyAndGrant } from '@/server/auth/auth';
import { db } from '@/server/db';
import { env } from '@/server/env';
import { signUp } from './app';

let n = 0;
/**
 * A real user made through sign-up, with the address verified through the same function the
 * verification link runs (starter grant included) unless `verified: false`; returns id, e-mail
 * and session cookie.
 */
export async function makeUser(
  opts: { plan?: string; credits?: number; verified?: boolean } = {},
) {
  n += 1;
  const email = `user${n}-${Date.now()}-${Math.random().toString(36).slice(2, 8)}@example.com`;
  const { res, cookie } = await signUp(email, 'a perfectly fine password');
  if (res.status !== 200) throw new Error(`sign-up failed: ${res.status} ${await res.text()}`);
  let user = await db().user.findUniqueOrThrow({ where: { email } });
  if (opts.verified !== false) {
    await verifyAndGrant(user.id, env().STARTER_CREDITS);
    user = await db().user.findUniqueOrThrow({ where: { email } });
  }
  if (opts.plan || opts.credits !== undefined) {
    await db().user.update({
      where: { id: user.id },
      data: { plan: opts.plan, creditBalance: opts.credits },
    });
  }
  return { id: user.id, email, cookie };
}

export const TINY_CAPS = {
  kinds: ['generate'],
  base_models: ['sd15'],
  controlnets: ['sd15/canny', 'sd15/depth'],
  t2i_adapters: ['sd15/canny'],
  ip_adapters: ['sd15/base', 'sd15/plus'],
};

export function leaseBody(workerId = 'w1', wait_s = 0, caps = TINY_CAPS) {
  return {
    worker_id: workerId,
    worker_version: 'test',
    protocol_version: 1 as const,
    capabilities: caps,
    device: { type: 'cpu', name: 'test' },
    wait_s,
  };
}

export async function balanceOf(userId: string) {
  const u = await db().user.findUniqueOrThrow({ where: { id: userId } });
  return { available: u.creditBalance, held: u.creditHeld };
}
