// Control maps are metered work: cached by (image, kind, rounded thresholds) so repeats compute
// and store nothing, counted in the user's storage quota, new ones rate-limited per user (429
// with Retry-After), made only after jobs.create holds the credits, and computed in a worker
// thread so the event loop keeps answering everyone else meanwhile.
import fs from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { GET as previewRoute } from '@/app/api/references/[id]/control-map/route';
import { PLANS } from '@/server/billing/plans';
import { db } from '@/server/db';
import { env } from '@/server/env';
import { mapBudgetKey } from '@/server/inference/map-budget';
import { makeControlMap } from '@/server/inference/control-maps';
import { createGenerateJob, type GenerateJobParams } from '@/server/jobs/create';
import { addLibraryImage } from '@/server/references/library';
import { photoPng } from '../helpers/hostile-files';
import { makeUser } from '../helpers/users';

// A small budget keeps the loop short; the rule is the same at the default (30).
process.env.CONTROL_MAP_RATE_PER_MINUTE = '20';

const FREE = PLANS.free!.storageQuotaBytes;

function preview(id: string, query: string, cookie: string) {
  return previewRoute(
    new Request(`http://localhost:3000/api/references/${id}/control-map?${query}`, {
      headers: { cookie, 'sec-fetch-site': 'same-origin' }, // as the page's <img> sends it
    }),
    { params: Promise.resolve({ id }) },
  );
}

/** The control-map files stored under the user's namespace, with their sizes. */
function mapFiles(userId: string): { name: string; bytes: number }[] {
  const dir = path.join(process.env.STORAGE_DIR!, 'users', userId);
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((d) => d.isFile() && d.name.startsWith('map-') && d.name.endsWith('.png'))
    .map((d) => ({ name: d.name, bytes: fs.statSync(path.join(d.parentPath, d.name)).size }));
}

async function usedOf(userId: string): Promise<number> {
  return Number((await db().user.findUniqueOrThrow({ where: { id: userId } })).storageUsedBytes);
}

/** The budget windows of the user's map computations: [attempted misses per window]. */
async function budgetWindows(userId: string): Promise<number[]> {
  const rows = await db().rateLimitWindow.findMany({ where: { key: mapBudgetKey(userId) } });
  return rows.map((r) => r.count);
}

/** Canny thresholds as the cache keeps them: nearest multiple of 10, in order (test's own copy). */
function rounded(low: number, high: number): string {
  const r = (v: number) => Math.min(1020, Math.max(0, Math.round(v / 10) * 10));
  const [a, b] = [r(low), r(high)].sort((x, y) => x - y);
  return `${a}-${b}`;
}

describe('control-map metering', () => {
  it('a 1 000-pair control-map loop stays within quota and rate limit', async () => {
    const budget = env().CONTROL_MAP_RATE_PER_MINUTE;
    expect(budget).toBe(20);
    const user = await makeUser();
    const { image } = await addLibraryImage(user.id, await photoPng(160, 120));
    // 600 pairs of a person dragging the sliders around (100, 200), then 400 of a script
    // sweeping the whole range.
    const pairs: [number, number][] = [];
    for (let i = 0; i < 600; i++) pairs.push([90 + (i % 25), 190 + Math.floor(i / 25) * 1.6]);
    for (let i = 0; i < 400; i++) pairs.push([(i * 37) % 1021, (i * 91 + 500) % 1021]);
    const made = new Set<string>();
    let limited = 0;
    for (const [low, high] of pairs) {
      const res = await preview(
        image.id,
        `kind=canny&low=${Math.round(low)}&high=${Math.round(high)}`,
        user.cookie,
      );
      if (res.status === 429) {
        limited += 1;
        const retry = Number(res.headers.get('retry-after'));
        expect(retry).toBeGreaterThanOrEqual(1);
        expect(retry).toBeLessThanOrEqual(60);
        expect(((await res.json()) as { code: string }).code).toBe('RATE_LIMITED');
        // Refused before any work: that pair was never made.
        expect(made.has(rounded(Math.round(low), Math.round(high)))).toBe(false);
        continue;
      }
      expect(res.status).toBe(200);
      made.add(rounded(Math.round(low), Math.round(high)));
      await res.arrayBuffer();
    }
    const jitterMaps = new Set(pairs.slice(0, 600).map(([l, h]) => rounded(l, Math.round(h))));
    expect(jitterMaps.size).toBeLessThanOrEqual(15); // 600 asks, at most 15 distinct maps
    for (const m of jitterMaps) expect(made.has(m)).toBe(true); // all within the budget
    expect(limited).toBeGreaterThan(0); // the sweep ran past the budget: 429s

    // Stored: exactly one map per distinct rounded pair that was answered, no more.
    const rows = await db().controlMap.findMany({ where: { imageId: image.id } });
    expect(rows.length).toBe(made.size);
    const files = mapFiles(user.id);
    expect(files.length).toBe(made.size);
    // Computed: exactly what the budget allowed in each one-minute window the loop touched.
    const windows = await budgetWindows(user.id);
    expect(rows.length).toBe(windows.reduce((n, c) => n + Math.min(c, budget), 0));
    expect(rows.length).toBeLessThanOrEqual(budget * windows.length);
    // Counted: the image and every stored map, byte for byte.
    const mapBytes = rows.reduce((n, r) => n + r.bytes, 0);
    expect(mapBytes).toBe(files.reduce((n, f) => n + f.bytes, 0));
    expect(await usedOf(user.id)).toBe(image.bytes + mapBytes);
  }, 120_000);

  it('a new map past the quota is refused with the numbers; maps already made stay free', async () => {
    const user = await makeUser();
    const { image } = await addLibraryImage(user.id, await photoPng(160, 120));
    expect((await preview(image.id, 'kind=canny&low=100&high=200', user.cookie)).status).toBe(200);
    const before = await db().controlMap.count({ where: { userId: user.id } });
    await db().user.update({ where: { id: user.id }, data: { storageUsedBytes: FREE - 10 } });
    const res = await preview(image.id, 'kind=canny&low=40&high=80', user.cookie);
    expect(res.status).toBe(413);
    const p = (await res.json()) as { code: string; detail: string };
    expect(p.code).toBe('QUOTA_EXCEEDED');
    expect(p.detail).toMatch(
      /^This control map is [\d.]+ (KB|bytes); you have 10 bytes of 1 GB left/,
    );
    expect(await db().controlMap.count({ where: { userId: user.id } })).toBe(before);
    expect(mapFiles(user.id).map((f) => f.name)).toEqual(['map-canny-100-200.png']);
    expect(await usedOf(user.id)).toBe(FREE - 10);
    // The map made earlier (and thresholds that round to it) is served as before.
    expect((await preview(image.id, 'kind=canny&low=98&high=203', user.cookie)).status).toBe(200);
  });

  it('jobs.create without credits answers INSUFFICIENT_CREDITS and computes or stores no map', async () => {
    const user = await makeUser({ credits: 0 });
    const { image } = await addLibraryImage(user.id, await photoPng(160, 120));
    await expect(
      createGenerateJob(user.id, {
        prompt: 'x',
        controls: [{ imageId: image.id, type: 'canny', preprocess: 'canny', cannyLow: 70 }],
      }),
    ).rejects.toMatchObject({ code: 'INSUFFICIENT_CREDITS' });
    expect(await db().controlMap.count({ where: { userId: user.id } })).toBe(0);
    expect(mapFiles(user.id)).toEqual([]);
    expect(await budgetWindows(user.id)).toEqual([]); // not even counted: nothing was computed
    expect(await usedOf(user.id)).toBe(image.bytes);
    expect(await db().job.count({ where: { userId: user.id } })).toBe(0);
    expect(await db().creditLedgerEntry.count({ where: { userId: user.id, kind: 'HOLD' } })).toBe(
      0,
    );
  });

  it('jobs.create whose map cannot be made gives the hold back: nothing changes', async () => {
    const user = await makeUser({ credits: 50 });
    const { image } = await addLibraryImage(user.id, await photoPng(160, 120));
    const ledger = await db().creditLedgerEntry.count({ where: { userId: user.id } });
    // No depth model here: refused after the hold, which rolls back with the job.
    await expect(
      createGenerateJob(user.id, {
        prompt: 'x',
        controls: [{ imageId: image.id, type: 'depth', preprocess: 'depth' }],
      }),
    ).rejects.toMatchObject({ code: 'SERVICE_UNAVAILABLE' });
    // Storage full: the map is made but does not fit; job, hold and map all roll back.
    await db().user.update({ where: { id: user.id }, data: { storageUsedBytes: FREE - 10 } });
    await expect(
      createGenerateJob(user.id, {
        prompt: 'x',
        controls: [{ imageId: image.id, type: 'canny', preprocess: 'canny' }],
      }),
    ).rejects.toMatchObject({ code: 'QUOTA_EXCEEDED' });
    const u = await db().user.findUniqueOrThrow({ where: { id: user.id } });
    expect([u.creditBalance, u.creditHeld]).toEqual([50, 0]);
    expect(Number(u.storageUsedBytes)).toBe(FREE - 10);
    expect(await db().creditLedgerEntry.count({ where: { userId: user.id } })).toBe(ledger);
    expect(await db().job.count({ where: { userId: user.id } })).toBe(0);
    expect(await db().controlMap.count({ where: { userId: user.id } })).toBe(0);
    expect(mapFiles(user.id)).toEqual([]);
  });

  it('jobs.create holds, then makes and counts the map once; a second job reuses it', async () => {
    const user = await makeUser({ credits: 50 });
    const { image } = await addLibraryImage(user.id, await photoPng(160, 120));
    const ask = (low: number) =>
      createGenerateJob(user.id, {
        prompt: 'x',
        controls: [{ imageId: image.id, type: 'canny', preprocess: 'canny', cannyLow: low }],
      });
    const first = await ask(50);
    const second = await ask(52); // rounds to the same thresholds
    const keyOf = async (id: string) =>
      ((await db().job.findUniqueOrThrow({ where: { id } })).params as unknown as GenerateJobParams)
        .inputs['control-0']!.key;
    expect(await keyOf(first.id)).toMatch(/map-canny-50-200\.png$/);
    expect(await keyOf(second.id)).toBe(await keyOf(first.id));
    const rows = await db().controlMap.findMany({ where: { userId: user.id } });
    expect(rows).toHaveLength(1);
    expect(await budgetWindows(user.id)).toEqual([1]);
    expect(await usedOf(user.id)).toBe(image.bytes + rows[0]!.bytes);
    const u = await db().user.findUniqueOrThrow({ where: { id: user.id } });
    expect(u.creditHeld).toBe(first.price + second.price);
  });

  it('keeps the event loop answering while a large map is computed', async () => {
    // 2 400 × 2 400 (5.8 MP) of shapes: seconds of canny in JavaScript on this machine.
    const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="2400" height="2400">
      <rect width="2400" height="2400" fill="#345"/>
      ${Array.from({ length: 60 }, (_, i) => `<circle cx="${(i * 397) % 2400}" cy="${(i * 211) % 2400}" r="${40 + (i % 7) * 30}" fill="#${((i * 2654435761) >>> 8).toString(16).padStart(6, '0').slice(0, 6)}"/>`).join('')}
    </svg>`;
    const big = await sharp(Buffer.from(svg)).png().toBuffer();
    // A heartbeat on the event loop: each beat records the gap since the last one.
    let maxGap = 0;
    let beats = 0;
    let last = performance.now();
    let running = true;
    const beat = () => {
      const now = performance.now();
      maxGap = Math.max(maxGap, now - last);
      last = now;
      beats += 1;
      if (running) setTimeout(beat, 1);
    };
    setTimeout(beat, 1);
    const t0 = performance.now();
    const map = await makeControlMap('canny', big, { low: 100, high: 200 });
    const took = performance.now() - t0;
    running = false;
    expect((await sharp(map).metadata()).width).toBe(2400);
    // Computed on the event loop, the longest gap would be most of the computation; in a worker
    // thread the loop keeps beating throughout.
    expect(beats).toBeGreaterThan(10);
    expect(maxGap).toBeLessThan(took / 2);
  }, 60_000);
});
