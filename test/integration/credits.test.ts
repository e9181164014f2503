import { describe, expect, it } from 'vitest';
import { holdForJob, moveCredits, settleJob } from '@/server/credits/ledger';
import { priceGenerate } from '@/server/credits/pricing';
import { db } from '@/server/db';
import { createGenerateJob } from '@/server/jobs/create';
import { generateInput } from '@/server/jobs/schemas';
import { balanceOf, makeUser } from '../helpers/users';

describe('credit ledger', () => {
  it('applies a movement once per idempotency key', async () => {
    const u = await makeUser({ credits: 0 });
    const grant = {
      userId: u.id,
      kind: 'ADJUSTMENT' as const,
      amount: 7,
      idempotencyKey: `adj:${u.id}:1`,
    };
    const results = await Promise.all(
      Array.from({ length: 5 }, () => db().$transaction((tx) => moveCredits(tx, grant))),
    );
    expect(results.filter((r) => r.applied)).toHaveLength(1);
    expect((await balanceOf(u.id)).available).toBe(7);
    expect(
      await db().creditLedgerEntry.count({ where: { idempotencyKey: grant.idempotencyKey } }),
    ).toBe(1);
  });

  it('never lets a hold take the balance below zero, and keeps nothing of the job', async () => {
    const u = await makeUser({ credits: 1 });
    await expect(createGenerateJob(u.id, { prompt: 'x' })).rejects.toMatchObject({
      code: 'INSUFFICIENT_CREDITS',
    });
    expect(await balanceOf(u.id)).toEqual({ available: 1, held: 0 });
    expect(await db().creditLedgerEntry.count({ where: { userId: u.id, kind: 'HOLD' } })).toBe(0);
    expect(await db().job.count({ where: { userId: u.id } })).toBe(0);
  });

  it('settles a job once: capture and release share one key', async () => {
    const u = await makeUser({ credits: 10 });
    const job = await createGenerateJob(u.id, { prompt: 'x' });
    expect(await balanceOf(u.id)).toEqual({ available: 8, held: 2 });
    const first = await db().$transaction((tx) =>
      settleJob(tx, u.id, job.id, 2, 'capture', 'done'),
    );
    const again = await db().$transaction((tx) =>
      settleJob(tx, u.id, job.id, 2, 'release', 'late fail'),
    );
    const third = await db().$transaction((tx) => holdForJob(tx, u.id, job.id, 2));
    expect([first.applied, again.applied, third.applied]).toEqual([true, false, false]);
    expect(await balanceOf(u.id)).toEqual({ available: 8, held: 0 });
  });

  it('accepts exactly 10 of 50 concurrent submits when credit covers 10', async () => {
    const u = await makeUser({ plan: 'studio' });
    const request = { prompt: 'a lighthouse at dusk' };
    const price = priceGenerate(generateInput.parse(request)).total;
    await db().user.update({ where: { id: u.id }, data: { creditBalance: price * 10 } });
    const settled = await Promise.allSettled(
      Array.from({ length: 50 }, () => createGenerateJob(u.id, request)),
    );
    const accepted = settled.filter((s) => s.status === 'fulfilled');
    const refused = settled.filter((s) => s.status === 'rejected');
    expect(accepted).toHaveLength(10);
    for (const r of refused) expect(r.reason).toMatchObject({ code: 'INSUFFICIENT_CREDITS' });
    expect(await balanceOf(u.id)).toEqual({ available: 0, held: price * 10 });
    expect(await db().job.count({ where: { userId: u.id } })).toBe(10);
    expect(await db().creditLedgerEntry.count({ where: { userId: u.id, kind: 'HOLD' } })).toBe(10);
  });
});

describe('pricing', () => {
  it('grows with size, steps, images and adapters', () => {
    const base = priceGenerate(generateInput.parse({ prompt: 'x' })).total;
    expect(base).toBe(2);
    expect(
      priceGenerate(generateInput.parse({ prompt: 'x', width: 1024, height: 1024 })).total,
    ).toBe(8);
    expect(priceGenerate(generateInput.parse({ prompt: 'x', numImages: 3 })).total).toBe(6);
    const id = '0190a6e0-0000-7000-8000-000000000000';
    expect(
      priceGenerate(
        generateInput.parse({ prompt: 'x', controls: [{ imageId: id, type: 'canny' }] }),
      ).total,
    ).toBe(3);
  });
});
