// Control maps made on the web tier: canny, and depth/lineart/pose/… through ONNX models an
// operator puts in CONTROL_MAP_MODELS_DIR, computed in worker threads (map-pool.ts). The map a
// user previews is stored — cached by (image, kind, rounded parameters), counted in the user's
// storage, new ones rate-limited per user — and is exactly the one the job then sends.
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { env } from '../env';
import { AppError } from '../errors';
import { db, type Tx } from '../db';
import { storage, storageKeys } from '../storage';
import { chargeStorage, releaseStorage } from '../storage/quota';
import { consumeMapBudget } from './map-budget';
import { runMapModel as computeModelMap } from './map-compute.mjs';
import { runMapTask } from './map-pool';
import { onnxSession } from './onnx';
import type { RgbImage } from './pil-resize';

import { MAP_KINDS, type MapKind } from './map-kinds';

export { MAP_KINDS, type MapKind };

export interface MapOptions {
  low?: number;
  high?: number;
}

// The sidecar `python -m adapter_worker.export_onnx` writes beside each control-map model.
const mapSidecar = z.object({
  kind: z.literal('control-map'),
  control_type: z.enum(MAP_KINDS),
  onnx_file: z.string(),
  input_name: z.string(),
  input_size: z.object({ height: z.number().int().positive(), width: z.number().int().positive() }),
  output_names: z.array(z.string()).min(1),
});
type MapModel = z.infer<typeof mapSidecar> & { file: string };

/** Control-map models in CONTROL_MAP_MODELS_DIR, found by their sidecars (kind: control-map). */
function mapModels(): Map<MapKind, MapModel> {
  const models = new Map<MapKind, MapModel>();
  const dir = env().CONTROL_MAP_MODELS_DIR;
  if (!dir || !fs.existsSync(dir)) return models;
  for (const name of fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()) {
    const parsed = mapSidecar.safeParse(JSON.parse(fs.readFileSync(path.join(dir, name), 'utf8')));
    if (!parsed.success) continue;
    const file = path.join(dir, parsed.data.onnx_file);
    if (fs.existsSync(file)) models.set(parsed.data.control_type, { ...parsed.data, file });
  }
  return models;
}

function modelFor(kind: MapKind): MapModel | null {
  return mapModels().get(kind) ?? null;
}

/** Which maps this deployment can make; the others must be uploaded ready-made. */
export function availableMaps(): {
  kind: MapKind;
  available: boolean;
  via: 'builtin' | 'onnx' | null;
}[] {
  return MAP_KINDS.map((kind) => {
    if (kind === 'canny') return { kind, available: true, via: 'builtin' as const };
    return modelFor(kind)
      ? { kind, available: true, via: 'onnx' as const }
      : { kind, available: false, via: null };
  });
}

/** Runs a map model on 8-bit RGB on this thread (map-compute.mjs; maps use the worker pool). */
export async function runMapModel(
  model: MapModel,
  img: RgbImage,
): Promise<{ width: number; height: number; values: Float32Array }> {
  return computeModelMap(model, img, await onnxSession(model.file));
}

/**
 * Makes the map from a normalised library PNG, in a worker thread (map-pool.ts): canny with the
 * given thresholds, or the kind's ONNX model. SERVICE_UNAVAILABLE when that model is missing.
 */
export async function makeControlMap(
  kind: MapKind,
  png: Buffer,
  opts: MapOptions = {},
): Promise<Buffer> {
  const model = kind === 'canny' ? null : requireModel(kind);
  return runMapTask({
    kind,
    png,
    opts: { low: opts.low ?? 100, high: opts.high ?? 200 },
    model,
  });
}

function requireModel(kind: MapKind): MapModel {
  const model = modelFor(kind);
  if (!model) {
    throw new AppError(
      'SERVICE_UNAVAILABLE',
      `${kind} maps are not available here; upload a ready ${kind} map instead.`,
    );
  }
  return model;
}

/** Canny thresholds are rounded to multiples of this before a map is made or looked up. */
export const CANNY_STEP = 10;

/**
 * The parameters a map is made and cached with. Canny thresholds are rounded to the nearest
 * multiple of 10 (CANNY_STEP) within 0–1020 and put in order (low ≤ high; canny swaps them
 * anyway). Why 10: it is the step of the Generate page's sliders, so every value a person can
 * pick is kept exactly, while a change smaller than that (under 1 % of the range) moves only a
 * few edge pixels; an API caller sweeping every integer pair reaches at most 103·104/2 = 5 356
 * maps per image instead of about 520 000. Other kinds take no parameters (0, 0): one map each.
 */
export function mapParams(kind: MapKind, opts: MapOptions = {}): { low: number; high: number } {
  if (kind !== 'canny') return { low: 0, high: 0 };
  const round = (v: number) => Math.min(1020, Math.max(0, Math.round(v / CANNY_STEP) * CANNY_STEP));
  const a = round(opts.low ?? 100);
  const b = round(opts.high ?? 200);
  return { low: Math.min(a, b), high: Math.max(a, b) };
}

/** Where a map is stored: beside its image, so deleting the image removes it. */
export function mapStorageKey(
  image: { userId: string; sha256: string },
  kind: MapKind,
  p: { low: number; high: number },
): string {
  const suffix = kind === 'canny' ? `canny-${p.low}-${p.high}` : kind;
  return `${storageKeys.referenceDerived(image.userId, image.sha256)}map-${suffix}.png`;
}

/**
 * The map for a library image, made once per (image, kind, rounded parameters) and then reused
 * by previews and jobs. A cache hit computes and stores nothing and costs nothing. A miss:
 * counts against the user's map budget (map-budget.ts: RATE_LIMITED past it), is computed in a
 * worker thread, then charged to the user's storage quota and recorded in one transaction
 * (QUOTA_EXCEEDED when it does not fit: nothing is recorded or stored) — in the caller's
 * transaction when one is given (jobs.create) — and stored. A concurrent twin that recorded
 * the same map first keeps it; this one is then given back.
 */
export async function controlMapFor(
  image: { id: string; userId: string; sha256: string; originalKey: string },
  kind: MapKind,
  opts: MapOptions = {},
  tx?: Tx,
): Promise<{ key: string; png: Buffer; made: boolean }> {
  const p = mapParams(kind, opts);
  const s = storage();
  const q = tx ?? db();
  const row = await q.controlMap.findUnique({
    where: { imageId_kind_low_high: { imageId: image.id, kind, low: p.low, high: p.high } },
  });
  if (row) {
    const cached = await s.get(row.storageKey);
    if (cached) return { key: row.storageKey, png: cached, made: false };
    // Recorded (and charged) but its file is gone (a crash before the upload): made again below.
  }
  if (kind !== 'canny') requireModel(kind);
  await consumeMapBudget(image.userId);
  const original = await s.get(image.originalKey);
  if (!original) throw new AppError('NOT_FOUND', 'The image is no longer stored.');
  const png = await makeControlMap(kind, original, p);
  const key = mapStorageKey(image, kind, p);
  if (!row) {
    const record = async (t: Tx) => {
      // The user row first (the charge), then the map row: the same lock order as jobs.create.
      await chargeStorage(image.userId, png.length, 'This control map', t);
      const { count } = await t.controlMap.createMany({
        data: [
          {
            userId: image.userId,
            imageId: image.id,
            kind,
            ...p,
            storageKey: key,
            bytes: png.length,
          },
        ],
        skipDuplicates: true,
      });
      if (count === 0) await releaseStorage(image.userId, png.length, t); // a twin recorded it
    };
    if (tx) await record(tx);
    else await db().$transaction(record);
  }
  await s.put(key, png, 'image/png');
  return { key, png, made: true };
}
