// Control maps made on the web tier, before anything is spent: canny in TypeScript, and
// depth/lineart/pose/… through ONNX models an operator puts in CONTROL_MAP_MODELS_DIR. The map
// a user previews is stored and is exactly the one the job then sends to the worker.
import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { z } from 'zod';
import { env } from '../env';
import { AppError } from '../errors';
import { storage, storageKeys } from '../storage';
import { canny } from './canny';
import { onnxSession, ort } from './onnx';
import { pilResizeBicubic, type RgbImage } from './pil-resize';

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

async function rawRgb(png: Buffer) {
  const { data, info } = await sharp(png).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  return {
    data: new Uint8Array(data.buffer, data.byteOffset, data.length),
    width: info.width,
    height: info.height,
  };
}

/** Runs a map model on 8-bit RGB: stretch to its input size (Pillow bicubic), ×1/255, NCHW. */
export async function runMapModel(
  model: MapModel,
  img: RgbImage,
): Promise<{ width: number; height: number; values: Float32Array }> {
  const { height: h, width: w } = model.input_size;
  const small = pilResizeBicubic(img, w, h);
  const input = new Float32Array(3 * w * h);
  for (let i = 0; i < w * h; i++) {
    for (let c = 0; c < 3; c++) input[c * w * h + i] = Math.fround(small.data[i * 3 + c]! / 255);
  }
  const session = await onnxSession(model.file);
  const out = await session.run({
    [model.input_name]: new ort.Tensor('float32', input, [1, 3, h, w]),
  });
  const map = out[model.output_names[0]!];
  if (!map) throw new AppError('INTERNAL', `the ${model.control_type} model gave no output`);
  const [oh, ow] = map.dims.slice(-2) as [number, number];
  return { width: ow, height: oh, values: map.data as Float32Array };
}

async function onnxMap(kind: MapKind, png: Buffer): Promise<Buffer> {
  const model = modelFor(kind);
  if (!model) {
    throw new AppError(
      'SERVICE_UNAVAILABLE',
      `${kind} maps are not available here; upload a ready ${kind} map instead.`,
    );
  }
  const img = await rawRgb(png);
  const map = await runMapModel(model, img);
  const gray = Buffer.alloc(map.width * map.height);
  for (let i = 0; i < gray.length; i++)
    gray[i] = Math.max(0, Math.min(255, Math.round(map.values[i]! * 255)));
  return sharp(gray, { raw: { width: map.width, height: map.height, channels: 1 } })
    .resize(img.width, img.height, { fit: 'fill', kernel: 'cubic' })
    .png()
    .toBuffer();
}

/** Makes the map from a normalised library PNG. */
export async function makeControlMap(
  kind: MapKind,
  png: Buffer,
  opts: MapOptions = {},
): Promise<Buffer> {
  if (kind !== 'canny') return onnxMap(kind, png);
  const img = await rawRgb(png);
  const edges = canny(img.data, img.width, img.height, {
    low: opts.low ?? 100,
    high: opts.high ?? 200,
  });
  return sharp(Buffer.from(edges), { raw: { width: img.width, height: img.height, channels: 1 } })
    .png()
    .toBuffer();
}

/** The stored map for a library image (made once, then reused by previews and jobs). */
export async function controlMapFor(
  image: { userId: string; sha256: string; originalKey: string },
  kind: MapKind,
  opts: MapOptions = {},
): Promise<{ key: string; png: Buffer }> {
  const originalKey = image.originalKey;
  const suffix = kind === 'canny' ? `canny-${opts.low ?? 100}-${opts.high ?? 200}` : kind;
  const key = `${storageKeys.referenceDerived(image.userId, image.sha256)}map-${suffix}.png`;
  const s = storage();
  const cached = await s.get(key);
  if (cached) return { key, png: cached };
  const original = await s.get(originalKey);
  if (!original) throw new AppError('NOT_FOUND', 'The image is no longer stored.');
  const png = await makeControlMap(kind, original, opts);
  await s.put(key, png, 'image/png');
  return { key, png };
}
