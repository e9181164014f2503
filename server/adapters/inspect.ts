// Reads an uploaded adapter file without trusting it: only the safetensors format (a length,
// a JSON header, raw tensor bytes — nothing executable), every header entry checked against the
// file, and the key layout recognised (kohya, PEFT, diffusers). Pickle-based formats (.ckpt,
// .pt, .bin) run code when loaded and are refused outright.
import { AppError } from '../errors';

const DTYPE_BYTES: Record<string, number> = { F16: 2, BF16: 2, F32: 4, F64: 8 };
export const MAX_ADAPTER_BYTES = 512 * 1024 * 1024;
const MAX_HEADER_BYTES = 16 * 1024 * 1024;

export type LoraLayout = 'kohya' | 'peft' | 'diffusers';

/** The worker's spectral-shift files (gpu-worker/src/adapter_worker/spectral_shift.py). */
export const SPECTRAL_FORMAT = 'adapter-studio/svdiff';
const SPECTRAL_KEY = /^(unet|text_encoder)\.[A-Za-z0-9_.]+\.(spectral_shift|norm_shift)$/;

export interface AdapterInspection {
  kind: 'LORA' | 'SPECTRAL_SHIFT';
  layout: LoraLayout | 'svdiff';
  /** Largest rank found. */
  rank: number;
  tensors: number;
  parameters: number;
  targetsTextEncoder: boolean;
  family: 'sd15' | 'sdxl';
  metadata: Record<string, string>;
}

function bad(message: string): AppError {
  return new AppError('VALIDATION_FAILED', message);
}

function looksLikePickle(b: Buffer): boolean {
  const zip = b.length >= 4 && b.readUInt32LE(0) === 0x04034b50; // torch.save zip archive
  const pickle = b.length >= 2 && b[0] === 0x80 && b[1]! >= 2 && b[1]! <= 5; // pickle protocol 2–5
  return zip || pickle;
}

/**
 * What an inspected adapter was made for when it cannot apply to `baseModel` (of family
 * `family`), else null: a file of another family ("SDXL", "SD 1.5"); a spectral shift changes
 * one model's singular values, so it applies only to the base model its metadata names
 * (`base_model`, when present). One rule for imports and for adapters jobs produce. (An SD 1.5
 * LoRA still reaches SDXL jobs through X-Adapter: server/jobs/routing.ts.)
 */
export function baseModelMismatch(
  info: AdapterInspection,
  baseModel: string,
  family: 'sd15' | 'sdxl',
): string | null {
  if (info.family !== family) return info.family === 'sdxl' ? 'SDXL' : 'SD 1.5';
  const madeFor = info.metadata.base_model;
  return info.kind === 'SPECTRAL_SHIFT' && madeFor && madeFor !== baseModel ? madeFor : null;
}

export function inspectAdapterFile(b: Buffer): AdapterInspection {
  if (b.length > MAX_ADAPTER_BYTES) {
    throw new AppError(
      'PAYLOAD_TOO_LARGE',
      `Adapter files must be at most ${MAX_ADAPTER_BYTES / 2 ** 20} MB.`,
    );
  }
  if (looksLikePickle(b)) {
    throw new AppError(
      'UNSUPPORTED_MEDIA_TYPE',
      'Pickle-based files (.ckpt, .pt, .bin) can run code when loaded and are refused: convert to .safetensors.',
    );
  }
  if (b.length < 10) throw bad('Not a .safetensors file: too short.');
  const n = Number(b.readBigUInt64LE(0));
  if (n < 2 || n > MAX_HEADER_BYTES || 8 + n > b.length)
    throw bad('Not a .safetensors file: its header length does not fit the file.');
  let header: Record<string, unknown>;
  try {
    header = JSON.parse(b.toString('utf8', 8, 8 + n)) as Record<string, unknown>;
  } catch {
    throw bad('Not a .safetensors file: its header is not JSON.');
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header))
    throw bad('Not a .safetensors file: bad header.');
  const dataLength = b.length - 8 - n;
  const metadata = (header.__metadata__ ?? {}) as Record<string, string>;
  const spans: [number, number, string][] = [];
  const shapes = new Map<string, number[]>();
  let parameters = 0;
  for (const [name, entry] of Object.entries(header)) {
    if (name === '__metadata__') continue;
    const e = entry as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
    const size = typeof e.dtype === 'string' ? DTYPE_BYTES[e.dtype] : undefined;
    if (!size)
      throw bad(`Tensor ${name}: dtype ${String(e.dtype)} is not a float type adapters use.`);
    if (
      !Array.isArray(e.shape) ||
      !e.shape.every((d) => Number.isInteger(d) && d >= 0) ||
      e.shape.length > 4
    ) {
      throw bad(`Tensor ${name}: invalid shape.`);
    }
    const offs = e.data_offsets;
    if (
      !Array.isArray(offs) ||
      offs.length !== 2 ||
      !offs.every((o) => Number.isInteger(o) && o >= 0)
    ) {
      throw bad(`Tensor ${name}: invalid data offsets.`);
    }
    const [start, end] = offs as [number, number];
    const count = (e.shape as number[]).reduce((a, d) => a * d, 1);
    if (end < start || end > dataLength || end - start !== count * size) {
      throw bad(
        `Tensor ${name}: its data does not match its shape or lies outside the file (truncated?).`,
      );
    }
    spans.push([start, end, name]);
    shapes.set(name, e.shape as number[]);
    parameters += count;
  }
  if (spans.length === 0) throw bad('The file holds no tensors.');
  spans.sort((x, y) => x[0] - y[0]);
  let cursor = 0;
  for (const [start, end, name] of spans) {
    if (start !== cursor)
      throw bad(`Tensor ${name} overlaps another or leaves a gap: not a valid .safetensors file.`);
    cursor = end;
  }
  if (cursor !== dataLength)
    throw bad('The file has bytes after its last tensor (truncated header or appended data).');

  const names = [...shapes.keys()];
  const cleanMetadata = Object.fromEntries(
    Object.entries(metadata)
      .filter(([, v]) => typeof v === 'string')
      .slice(0, 50),
  );
  if (
    metadata.format === SPECTRAL_FORMAT ||
    names.some((k) => k.endsWith('.spectral_shift') || k.endsWith('.norm_shift'))
  ) {
    return inspectSpectralShifts(names, shapes, parameters, cleanMetadata);
  }
  const kohya = names.filter((k) =>
    /^lora_(unet|te\d?)_.+\.(lora_down\.weight|lora_up\.weight|alpha)$/.test(k),
  );
  const peft = names.filter((k) => /\.lora_[AB](\.[^.]+)?\.weight$/.test(k));
  const diffusers = names.filter((k) => /\.lora(_linear_layer)?\.(down|up)\.weight$/.test(k));
  const [layout, matched] = (
    [
      ['kohya', kohya],
      ['peft', peft],
      ['diffusers', diffusers],
    ] as [LoraLayout, string[]][]
  ).sort((x, y) => y[1].length - x[1].length)[0]!;
  if (matched.length === 0) {
    throw bad(
      `No LoRA weights recognised (kohya, PEFT or diffusers key layout). First keys: ${names.slice(0, 5).join(', ')}`,
    );
  }
  const unmatched = names.filter((k) => !matched.includes(k));
  if (unmatched.length) {
    throw bad(
      `These keys are not ${layout} LoRA weights: ${unmatched.slice(0, 8).join(', ')}${unmatched.length > 8 ? ` (+${unmatched.length - 8} more)` : ''}`,
    );
  }
  const downs = matched.filter((k) =>
    /lora_down\.weight$|lora_A(\.[^.]+)?\.weight$|lora(_linear_layer)?\.down\.weight$/.test(k),
  );
  const rank = Math.max(...downs.map((k) => shapes.get(k)![0] ?? 0));
  const sdxl = loraFamily(names, shapes, metadata) === 'sdxl';
  return {
    kind: 'LORA',
    layout,
    rank,
    tensors: names.length,
    parameters,
    targetsTextEncoder: names.some((k) => /^lora_te|text_encoder/.test(k)),
    family: sdxl ? 'sdxl' : 'sd15',
    metadata: cleanMetadata,
  };
}

/** SDXL's cross-attention width (its two text encoders' states, 768 + 1280); SD 1.5's is 768. */
const SDXL_CONTEXT_DIM = 2048;

/**
 * The family a LoRA file is for, decided from the file alone. SDXL when any of:
 * - a key names SDXL's second text encoder (`lora_te2_…`, `text_encoder_2.`) or its UNet by the
 *   SGM names kohya writes for SDXL (`lora_unet_input_blocks_…`, `middle_block`, `output_blocks`);
 * - a key names a transformer block past the first (`transformer_blocks.1` …): SDXL stacks 2 and
 *   10 per attention, SD 1.5 one;
 * - a cross-attention key/value projection (`attn2.to_k` / `to_v`) reads 2048 features;
 * - kohya's or ModelSpec's metadata names SDXL (`ss_base_model_version`, `modelspec.architecture`).
 * Otherwise SD 1.5.
 */
export function loraFamily(
  names: string[],
  shapes: Map<string, number[]>,
  metadata: Record<string, string>,
): 'sd15' | 'sdxl' {
  const byName = names.some(
    (k) =>
      /^lora_te2_|text_encoder_2\.|^lora_unet_(input_blocks|middle_block|output_blocks)_/.test(k) ||
      /transformer_blocks[._]([1-9]\d*)[._]/.test(k),
  );
  const crossAttention = names.some((k) => {
    if (!/attn2[._]to_[kv]/.test(k)) return false;
    if (!/lora_down\.weight$|lora_A(\.[^.]+)?\.weight$|lora(_linear_layer)?\.down\.weight$/.test(k))
      return false;
    return shapes.get(k)?.[1] === SDXL_CONTEXT_DIM;
  });
  const meta = [metadata.ss_base_model_version, metadata['modelspec.architecture']]
    .filter((v): v is string => typeof v === 'string')
    .some((v) => /sdxl|stable-diffusion-xl/i.test(v));
  return byName || crossAttention || meta ? 'sdxl' : 'sd15';
}

/**
 * Spectral shifts (SVDiff): only δ vectors, `<unet|text_encoder>.<module>.spectral_shift` (one
 * value per singular value) and `.norm_shift` (one per channel). The worker checks every layer
 * against the base model's own at load time; here the layout and the base model named in the
 * file's metadata are checked.
 */
function inspectSpectralShifts(
  names: string[],
  shapes: Map<string, number[]>,
  parameters: number,
  metadata: Record<string, string>,
): AdapterInspection {
  const foreign = names.filter((k) => !SPECTRAL_KEY.test(k));
  if (foreign.length) {
    throw bad(
      `These keys are not spectral shifts (<unet|text_encoder>.<layer>.spectral_shift / .norm_shift): ${foreign.slice(0, 8).join(', ')}`,
    );
  }
  const notVectors = names.filter((k) => shapes.get(k)!.length !== 1);
  if (notVectors.length) {
    throw bad(`Spectral shifts are vectors; these are not: ${notVectors.slice(0, 8).join(', ')}`);
  }
  const spectral = names.filter((k) => k.endsWith('.spectral_shift'));
  return {
    kind: 'SPECTRAL_SHIFT',
    layout: 'svdiff',
    rank: Math.max(0, ...spectral.map((k) => shapes.get(k)![0]!)),
    tensors: names.length,
    parameters,
    targetsTextEncoder: names.some((k) => k.startsWith('text_encoder.')),
    // Only SDXL has a second text encoder.
    family: names.some((k) => k.startsWith('text_encoder_2.')) ? 'sdxl' : 'sd15',
    metadata,
  };
}
