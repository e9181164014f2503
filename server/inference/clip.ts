// IP-Adapter image embeddings on the web tier: the CLIP image encoder exported to ONNX by the
// worker's tooling (`python -m adapter_worker.export_onnx`), fed exactly as transformers'
// CLIPImageProcessor feeds it in the worker — Pillow bicubic resize of the shortest edge (the
// long edge floored), center crop with floor offsets, ×1/255 in float64 then float32,
// (x − mean) / std in float32 — so the worker can skip its encoder and get the same numbers.
import fs from 'node:fs';
import sharp from 'sharp';
import { z } from 'zod';
import { env } from '../env';
import { onnxSession, ort } from './onnx';
import { pilResizeBicubic, type RgbImage } from './pil-resize';
import type { F32Tensor } from './safetensors';

const sidecarSchema = z.object({
  kind: z.literal('clip-image-encoder'),
  input_name: z.string(),
  shortest_edge: z.number().int().positive(),
  resample: z.literal('bicubic'),
  crop_size: z.object({ height: z.number().int().positive(), width: z.number().int().positive() }),
  rescale_factor: z.number(),
  image_mean: z.array(z.number()).length(3),
  image_std: z.array(z.number()).length(3),
});
export type EncoderSidecar = z.infer<typeof sidecarSchema>;

export interface ImageEmbeddings {
  /** Projected embedding [1, D]: IP-Adapter base. */
  imageEmbeds: F32Tensor;
  /** hidden_states[-2] [1, tokens, width]: IP-Adapter Plus. */
  penultimate: F32Tensor;
}

export interface Encoder {
  name: string;
  file: string;
  sidecar: EncoderSidecar;
}

export function loadEncoder(file: string, name: string): Encoder {
  const json = file.replace(/\.onnx$/, '.json');
  if (!fs.existsSync(file)) throw new Error(`IP-Adapter encoder not found: ${file}`);
  if (!fs.existsSync(json)) throw new Error(`IP-Adapter encoder sidecar not found: ${json}`);
  return { name, file, sidecar: sidecarSchema.parse(JSON.parse(fs.readFileSync(json, 'utf8'))) };
}

/** The configured encoder, or null when this deployment leaves encoding to the workers. */
export function configuredEncoder(): Encoder | null {
  const e = env();
  if (!e.IP_ADAPTER_ENCODER_ONNX) return null;
  return loadEncoder(e.IP_ADAPTER_ENCODER_ONNX, e.IP_ADAPTER_ENCODER_NAME);
}

/** CLIPImageProcessor, step for step, on 8-bit RGB. Returns NCHW float32 for one image. */
export function clipPixelValues(img: RgbImage, s: EncoderSidecar): Float32Array {
  const { width: w, height: h } = img;
  const short = Math.min(w, h);
  const long = Math.max(w, h);
  const newShort = s.shortest_edge;
  const newLong = Math.floor((newShort * long) / short);
  const [rw, rh] = w <= h ? [newShort, newLong] : [newLong, newShort];
  const resized = pilResizeBicubic(img, rw, rh);
  const ch = s.crop_size.height;
  const cw = s.crop_size.width;
  const top = Math.floor((rh - ch) / 2);
  const left = Math.floor((rw - cw) / 2);
  const out = new Float32Array(3 * ch * cw);
  const mean = s.image_mean.map(Math.fround);
  const std = s.image_std.map(Math.fround);
  for (let y = 0; y < ch; y++) {
    for (let x = 0; x < cw; x++) {
      const p = ((y + top) * rw + (x + left)) * 3;
      for (let c = 0; c < 3; c++) {
        const v = Math.fround(resized.data[p + c]! * s.rescale_factor);
        out[c * ch * cw + y * cw + x] = Math.fround(Math.fround(v - mean[c]!) / std[c]!);
      }
    }
  }
  return out;
}

async function run(enc: Encoder, pixels: Float32Array): Promise<ImageEmbeddings> {
  const { height, width } = enc.sidecar.crop_size;
  const session = await onnxSession(enc.file);
  const out = await session.run({
    [enc.sidecar.input_name]: new ort.Tensor('float32', pixels, [1, 3, height, width]),
  });
  const pick = (name: string): F32Tensor => {
    const t = out[name];
    if (!t) throw new Error(`encoder output ${name} is missing`);
    return { shape: [...t.dims], data: new Float32Array(t.data as Float32Array) };
  };
  return { imageEmbeds: pick('image_embeds'), penultimate: pick('penultimate_hidden_states') };
}

export async function decodeRgb(bytes: Buffer): Promise<RgbImage> {
  const { data, info } = await sharp(bytes)
    .removeAlpha()
    .toColourspace('srgb')
    .raw()
    .toBuffer({ resolveWithObject: true });
  return {
    width: info.width,
    height: info.height,
    data: new Uint8Array(data.buffer, data.byteOffset, data.length),
  };
}

export async function embedImage(enc: Encoder, png: Buffer): Promise<ImageEmbeddings> {
  return run(enc, clipPixelValues(await decodeRgb(png), enc.sidecar));
}

const negatives = new Map<string, Promise<ImageEmbeddings>>();

/** The encoder's output for an all-zeros pixel tensor: IP-Adapter Plus's negative. */
export function zeroImageEmbeddings(enc: Encoder): Promise<ImageEmbeddings> {
  let p = negatives.get(enc.file);
  if (!p) {
    const { height, width } = enc.sidecar.crop_size;
    p = run(enc, new Float32Array(3 * height * width));
    negatives.set(enc.file, p);
  }
  return p;
}
