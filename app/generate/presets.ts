// The generate form's vocabulary: sizes by aspect ratio, friendly names for the schema's enums,
// the form's starting values, and how a past job's request becomes the form again (remix).
import type {
  CONTROL_TYPES as SCHEMA_CONTROL_TYPES,
  GenerateInputRaw,
  SCHEDULERS as SCHEMA_SCHEDULERS,
} from '@/server/jobs/schemas';
import type { Family } from './families';

// The schema's lists, repeated so this page does not load zod up front (its resolver is loaded on
// first submit); `satisfies` fails the type check the moment they differ from the schema's.
export const CONTROL_TYPES = [
  'canny',
  'depth',
  'pose',
  'lineart',
  'scribble',
  'softedge',
  'seg',
  'normal',
  'mlsd',
] as const satisfies typeof SCHEMA_CONTROL_TYPES;
export const SCHEDULERS = [
  'euler_a',
  'dpmpp_2m_karras',
  'ddim',
  'unipc',
] as const satisfies typeof SCHEMA_SCHEDULERS;

export type FormValues = GenerateInputRaw;
export type ControlValue = NonNullable<FormValues['controls']>[number];
export type ReferenceValue = NonNullable<FormValues['references']>[number];
export type ControlType = (typeof CONTROL_TYPES)[number];
export type Scheduler = (typeof SCHEDULERS)[number];

export interface AspectPreset {
  id: string;
  label: string;
  shape: string;
  /** Sizes for SD 1.5-family models: near 512² (standard) or 768² (large), multiples of 8. */
  standard: { width: number; height: number };
  large: { width: number; height: number };
  /** The size for SDXL-family models: its native ~1024², long side 1024. */
  sdxl: { width: number; height: number };
}

export const ASPECTS: AspectPreset[] = [
  {
    id: '1:1',
    label: '1:1',
    shape: 'Square',
    standard: { width: 512, height: 512 },
    large: { width: 768, height: 768 },
    sdxl: { width: 1024, height: 1024 },
  },
  {
    id: '4:3',
    label: '4:3',
    shape: 'Landscape',
    standard: { width: 640, height: 480 },
    large: { width: 896, height: 672 },
    sdxl: { width: 1024, height: 768 },
  },
  {
    id: '3:4',
    label: '3:4',
    shape: 'Portrait',
    standard: { width: 480, height: 640 },
    large: { width: 672, height: 896 },
    sdxl: { width: 768, height: 1024 },
  },
  {
    id: '16:9',
    label: '16:9',
    shape: 'Wide',
    standard: { width: 768, height: 432 },
    large: { width: 1024, height: 576 },
    sdxl: { width: 1024, height: 576 },
  },
  {
    id: '9:16',
    label: '9:16',
    shape: 'Tall',
    standard: { width: 432, height: 768 },
    large: { width: 576, height: 1024 },
    sdxl: { width: 576, height: 1024 },
  },
];

export type SizeChoice = { aspect: string; large: boolean } | { aspect: 'custom'; large: false };

/**
 * Which preset a width×height is for a base model of `family`, or "custom" (a remixed API job
 * may have any valid size). SDXL has one size per shape (its native one), so never "large".
 */
export function sizeChoiceOf(width: number, height: number, family: Family = 'sd15'): SizeChoice {
  for (const a of ASPECTS) {
    if (family === 'sdxl') {
      if (a.sdxl.width === width && a.sdxl.height === height) return { aspect: a.id, large: false };
      continue;
    }
    if (a.standard.width === width && a.standard.height === height)
      return { aspect: a.id, large: false };
    if (a.large.width === width && a.large.height === height) return { aspect: a.id, large: true };
  }
  return { aspect: 'custom', large: false };
}

/** The size of a preset shape for a family (SDXL: its one native size; SD 1.5: standard/large). */
export function presetSize(
  preset: AspectPreset,
  large: boolean,
  family: Family,
): { width: number; height: number } {
  if (family === 'sdxl') return preset.sdxl;
  return large ? preset.large : preset.standard;
}

/**
 * The size after the base model's family changes from `from` to `to`: the same shape at the new
 * family's own size (SDXL 1024², SD 1.5 512²); a custom size stays as it is.
 */
export function sizeForFamily(
  width: number,
  height: number,
  from: Family,
  to: Family,
): { width: number; height: number } {
  const choice = sizeChoiceOf(width, height, from);
  const preset = ASPECTS.find((a) => a.id === choice.aspect);
  return preset ? presetSize(preset, false, to) : { width, height };
}

export const SCHEDULER_NAMES: Record<Scheduler, string> = {
  euler_a: 'Euler a — varied, fast',
  dpmpp_2m_karras: 'DPM++ 2M Karras — crisp detail',
  ddim: 'DDIM — steady, repeatable',
  unipc: 'UniPC — good in few steps',
};

export const CONTROL_TYPE_NAMES: Record<ControlType, string> = {
  canny: 'Edges (Canny)',
  depth: 'Depth',
  pose: 'Body pose',
  lineart: 'Line art',
  scribble: 'Scribble',
  softedge: 'Soft edges',
  seg: 'Segmentation',
  normal: 'Surface normals',
  mlsd: 'Straight lines (M-LSD)',
};

export const DEFAULT_WEIGHT = 0.8;

export const DEFAULT_VALUES = {
  prompt: '',
  negativePrompt: '',
  width: 512,
  height: 512,
  steps: 25,
  guidanceScale: 7.5,
  scheduler: 'euler_a',
  seed: undefined,
  numImages: 1,
  references: [],
  ipAdapter: 'base',
  controls: [],
  loras: [],
} satisfies FormValues;

export function newControl(imageId: string, mapAvailable: (kind: string) => boolean): ControlValue {
  return {
    imageId,
    type: 'canny',
    adapter: 'controlnet',
    scale: 1,
    start: 0,
    end: 1,
    preprocess: mapAvailable('canny') ? 'canny' : 'none',
    cannyLow: 100,
    cannyHigh: 200,
  };
}

export const EXAMPLE_PROMPTS = [
  'a lighthouse on a cliff at night, stars, oil painting',
  'a cosy reading nook with plants, morning light, photo',
  'a corgi astronaut on the moon, 35mm film',
];

const KNOWN_KEYS = [
  'prompt',
  'negativePrompt',
  'baseModel',
  'width',
  'height',
  'steps',
  'guidanceScale',
  'scheduler',
  'seed',
  'numImages',
  'references',
  'ipAdapter',
  'controls',
  'loras',
  'xAdapter',
] as const;

/**
 * A stored job request as form values: exactly its parameters (seed, base model, each control's
 * family and the X-Adapter settings included),
 * minus what belongs to that one call (its webhook) and anything this form does not know.
 */
export function valuesFromJobRequest(request: unknown): FormValues | null {
  if (typeof request !== 'object' || request === null) return null;
  const r = request as Record<string, unknown>;
  if (typeof r.prompt !== 'string') return null;
  const out: Record<string, unknown> = { ...DEFAULT_VALUES };
  for (const key of KNOWN_KEYS) if (r[key] !== undefined) out[key] = r[key];
  return out as FormValues;
}
