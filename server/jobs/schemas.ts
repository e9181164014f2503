// What a user may ask for. The same schemas serve tRPC, REST (issue 07) and the forms; unknown
// fields are refused (strictObject) rather than silently dropped.
import { z } from 'zod';
import { MAP_KINDS } from '../inference/map-kinds';

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
] as const;
export const SCHEDULERS = ['euler_a', 'dpmpp_2m_karras', 'ddim', 'unipc'] as const;

const multipleOf8 = (name: string) =>
  z
    .number()
    .int()
    .min(256, `${name} must be at least 256`)
    .max(1024, `${name} must be at most 1024`)
    .refine((v) => v % 8 === 0, `${name} must be a multiple of 8`);

export const referenceInput = z.strictObject({
  referenceId: z.uuid(),
  weight: z.number().min(0).max(2).default(1),
});

export const controlInput = z
  .strictObject({
    imageId: z.uuid(),
    type: z.enum(CONTROL_TYPES),
    adapter: z.enum(['controlnet', 't2i_adapter']).default('controlnet'),
    scale: z.number().min(0).max(2).default(1),
    start: z.number().min(0).max(1).default(0),
    end: z.number().min(0).max(1).default(1),
    /**
     * Make the map from a photo (on the web tier, the same map the preview showed); `none` means
     * the image already is the map.
     */
    preprocess: z.enum(['none', ...MAP_KINDS]).default('none'),
    cannyLow: z.number().int().min(0).max(1020).default(100),
    cannyHigh: z.number().int().min(0).max(1020).default(200),
  })
  .refine((c) => c.start < c.end, { message: 'start must be below end', path: ['start'] });

export const loraInput = z.strictObject({
  adapterId: z.uuid(),
  weight: z.number().min(-2).max(2).default(1),
});

export const generateInput = z.strictObject({
  prompt: z.string().trim().min(1, 'Write a prompt').max(2000),
  negativePrompt: z.string().trim().max(2000).default(''),
  baseModel: z.string().min(1).max(64).optional(),
  width: multipleOf8('width').default(512),
  height: multipleOf8('height').default(512),
  steps: z.number().int().min(1).max(100).default(25),
  guidanceScale: z.number().min(0).max(20).default(7.5),
  scheduler: z.enum(SCHEDULERS).default('euler_a'),
  seed: z
    .number()
    .int()
    .min(0)
    .max(2 ** 32 - 1)
    .optional(),
  numImages: z.number().int().min(1).max(4).default(1),
  references: z.array(referenceInput).max(4).default([]),
  ipAdapter: z.enum(['base', 'plus']).default('base'),
  controls: z.array(controlInput).max(3).default([]),
  loras: z.array(loraInput).max(5).default([]),
});

export type GenerateInput = z.infer<typeof generateInput>;
export type GenerateInputRaw = z.input<typeof generateInput>;
