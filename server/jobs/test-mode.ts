// Test mode, the way payment APIs do it: a job made with an `as_test_…` key runs the same
// validation as a live one (inputs owned, models known, webhook URL allowed) but spends nothing
// and never reaches a GPU. It is accepted already SUCCEEDED, `livemode: false`, price 0, with no
// ledger entry (no hold, no capture); it is never queued, so no worker can lease it. Its outputs
// are placeholders: PNGs made deterministically from the request (same request, same bytes) with
// "TEST" drawn across them and a PNG text chunk saying what they are. Its webhook events are
// written in the same transaction as a live job's, so an integration sees the whole flow.
// A test training makes no adapter (a fake adapter would be usable by live jobs).
import { createHash } from 'node:crypto';
import type { Prisma } from '@prisma/client';
import { crc32, deflateSync } from 'node:zlib';
import { db } from '../db';
import { storage, storageKeys } from '../storage';
import { chargeStorage } from '../storage/quota';
import { recordJobEvent } from '../webhooks/events';
import type { EnqueueArgs } from './create';

/** Whether the job comes through a test-mode key (the key is the authenticated caller's). */
export async function isTestKey(apiKeyId: string | undefined): Promise<boolean> {
  if (!apiKeyId) return false;
  const key = await db().apiKey.findUnique({ where: { id: apiKeyId }, select: { mode: true } });
  return key?.mode === 'TEST';
}

/** The placeholder images a test job of this kind gets: count and size, as its worker would. */
function placeholderSizes(a: EnqueueArgs): { width: number; height: number }[] {
  const w = a.params.worker;
  const n = Number(w.num_images ?? 1);
  if (a.kind === 'GENERATE')
    return Array.from({ length: n }, () => ({
      width: Number(w.width),
      height: Number(w.height),
    }));
  if (a.kind === 'EDIT') {
    const side = Number(w.resolution ?? 512);
    return Array.from({ length: n }, () => ({ width: side, height: side }));
  }
  return [];
}

/**
 * Accepts a test-mode job for an existing user (enqueueJob looked them up): SUCCEEDED at once
 * with placeholder outputs, nothing spent.
 */
export async function acceptTestJob(a: EnqueueArgs) {
  // Made before the transaction: a few hundred ms for four 2048² images, no lock held meanwhile.
  const pngs = placeholderSizes(a).map((size, index) => ({
    ...size,
    png: placeholderPng(size.width, size.height, `${JSON.stringify(a.params.request)}#${index}`),
  }));
  const bytes = pngs.reduce((n, p) => n + p.png.length, 0);
  return db().$transaction(async (tx) => {
    // Stored like any output, so counted like one; unlike a paid job's outputs, refused (and
    // nothing made) past the plan's storage quota: a free key cannot fill the disk.
    if (bytes > 0) await chargeStorage(a.userId, bytes, 'These test images', tx);
    const now = new Date();
    const job = await tx.job.create({
      data: {
        userId: a.userId,
        apiKeyId: a.apiKeyId,
        webhookUrl: a.webhookUrl,
        kind: a.kind,
        params: { ...a.params, result: { test: true } } as unknown as Prisma.InputJsonValue,
        baseModel: a.baseModel,
        requiredModels: a.requiredModels,
        livemode: false,
        price: 0,
        status: 'SUCCEEDED',
        attempts: 0,
        progressStep: a.progressTotal,
        progressTotal: a.progressTotal,
        startedAt: now,
        finishedAt: now,
      },
    });
    const seed = Number(a.params.worker.seed ?? 0);
    const outputs = [];
    for (const [index, { png, ...size }] of pngs.entries()) {
      const key = storageKeys.jobOutput(a.userId, job.id, index);
      await storage().put(key, png, 'image/png');
      outputs.push({
        jobId: job.id,
        userId: a.userId,
        index,
        storageKey: key,
        contentType: 'image/png',
        width: size.width,
        height: size.height,
        bytes: png.length,
        seed: BigInt(seed + index),
        metadata: { sha256: createHash('sha256').update(png).digest('hex'), test: true },
      });
    }
    if (outputs.length) await tx.jobOutput.createMany({ data: outputs });
    await recordJobEvent(tx, job); // job.succeeded to its webhook URL and endpoints
    return job;
  });
}

// ── The placeholder image ───────────────────────────────────────────────────────────────────

/** 5×7 block glyphs of the letters drawn. */
const GLYPHS: Record<string, string[]> = {
  T: ['#####', '..#..', '..#..', '..#..', '..#..', '..#..', '..#..'],
  E: ['#####', '#....', '#....', '####.', '#....', '#....', '#####'],
  S: ['.####', '#....', '#....', '.###.', '....#', '....#', '####.'],
};
export const PLACEHOLDER_TEXT =
  'Adapter Studio test mode: a placeholder made without a model; no credits were spent.';

/**
 * A width×height RGB PNG that depends only on its arguments: two colours from sha256(`seedText`)
 * in diagonal bands, "TEST" in block letters across the middle (on a white plate, 70 % of the
 * width), and a tEXt chunk (`Comment`) saying it is a test-mode placeholder. Encoded here with
 * zlib (filter 0, fixed level), so the same request gives the same bytes on every machine.
 */
export function placeholderPng(width: number, height: number, seedText: string): Buffer {
  const h = createHash('sha256').update(seedText).digest();
  const bgA = [128 + (h[0]! >> 1), 128 + (h[1]! >> 1), 128 + (h[2]! >> 1)];
  const bgB = [96 + (h[3]! >> 2), 96 + (h[4]! >> 2), 96 + (h[5]! >> 2)];
  const cols = 4 * 5 + 3; // four glyphs, one column between each
  const scale = Math.max(1, Math.floor((width * 0.7) / cols));
  const textW = cols * scale;
  const textH = 7 * scale;
  const x0 = Math.floor((width - textW) / 2);
  const y0 = Math.floor((height - textH) / 2);
  const pad = scale;
  const band = Math.max(8, Math.floor(Math.min(width, height) / 16));
  const rowBytes = 1 + width * 3;
  const raw = Buffer.alloc(rowBytes * height);
  for (let y = 0; y < height; y += 1) {
    raw[y * rowBytes] = 0; // filter: none
    for (let x = 0; x < width; x += 1) {
      let c = Math.floor((x + y) / band) % 2 === 0 ? bgA : bgB;
      const inPlate =
        x >= x0 - pad && x < x0 + textW + pad && y >= y0 - pad && y < y0 + textH + pad;
      if (inPlate) {
        c = [255, 255, 255];
        const gx = Math.floor((x - x0) / scale);
        const gy = Math.floor((y - y0) / scale);
        if (gx >= 0 && gx < cols && gy >= 0 && gy < 7 && gx % 6 < 5) {
          const letter = 'TEST'[Math.floor(gx / 6)]!;
          if (GLYPHS[letter]![gy]![gx % 6] === '#') c = [20, 20, 20];
        }
      }
      const o = y * rowBytes + 1 + x * 3;
      raw[o] = c[0]!;
      raw[o + 1] = c[1]!;
      raw[o + 2] = c[2]!;
    }
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 2; // RGB
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('tEXt', Buffer.from(`Comment\0${PLACEHOLDER_TEXT}`, 'latin1')),
    chunk('IDAT', deflateSync(raw, { level: 6 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

function chunk(type: string, data: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'latin1');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])) >>> 0, 0);
  return Buffer.concat([head, data, crc]);
}
