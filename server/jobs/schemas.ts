// What a user may ask for. The same schemas serve tRPC, REST (issue 07) and the forms; unknown
// fields are refused (strictObject) rather than silently dropped.
import '../zod-openapi';
import { z } from 'zod';
import { MAP_KINDS } from '../inference/map-kinds';
import { FAMILIES } from '../models/families';
import { webhookUrl } from '../webhooks/schemas';

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
    .multipleOf(8, `${name} must be a multiple of 8`);

/**
 * The characters String.prototype.trim() removes (ECMAScript WhiteSpace and LineTerminator),
 * spelled out so that the OpenAPI pattern means the same in every regex dialect.
 */
const TRIMMED =
  '\\t\\n\\v\\f\\r \\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000\\ufeff';
/**
 * No U+0000 anywhere: PostgreSQL's text and jsonb cannot store it (the insert fails), so text
 * that carries one is refused with a clear message instead. As a pattern the document shows.
 */
// eslint-disable-next-line no-control-regex -- NUL is exactly the character refused
export const NO_NUL = /^[^\u0000]*$/;
const NUL_MESSAGE = 'must not contain NUL (U+0000) characters';
const withoutNul = (s: string) => !s.includes('\u0000');

/**
 * Has a character trim() keeps (what `.trim().min(1)` accepts) and no NUL, as one pattern the
 * document shows (a schema carries one pattern).
 */
export const NOT_BLANK = new RegExp(`^[^\\u0000]*[^${TRIMMED}\\u0000][^\\u0000]*$`);

/**
 * Text of at most `max` characters as sent (the document's maxLength), trimmed, not blank and
 * without NUL. The length is checked before trimming so that the document's limit is the server's.
 */
export const text = (max: number, blank = 'must not be blank') =>
  z
    .string()
    .max(max)
    .trim()
    .refine(withoutNul, { message: NUL_MESSAGE, abort: true })
    .min(1, blank)
    .regex(NOT_BLANK, blank);

/** Optional free text (may be blank): at most `max` characters as sent, trimmed, without NUL. */
const freeText = (max: number) => z.string().max(max).trim().regex(NO_NUL, NUL_MESSAGE);

/** Pixels on the short side that train and edit jobs work at. */
const trainingResolution = z
  .number()
  .int()
  .min(64)
  .max(1024)
  .multipleOf(8, 'resolution must be a multiple of 8')
  .default(512);
const seedInput = z
  .number()
  .int()
  .min(0)
  .max(2 ** 32 - 1)
  .optional();

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
    /**
     * The family of the ControlNet / T2I-Adapter to use (default: the base model's). `sd15` on an
     * SDXL base runs through X-Adapter; `sdxl` on an SD 1.5 base is refused.
     */
    family: z.enum(FAMILIES).optional(),
  })
  .refine((c) => c.start < c.end, { message: 'start must be below end', path: ['start'] });

export const loraInput = z.strictObject({
  adapterId: z.uuid(),
  weight: z.number().min(-2).max(2).default(1),
});

/** The SD 1.5 branch's size under X-Adapter: a multiple of 8 (default: half the SDXL size). */
const sd15Side = (name: string) =>
  z
    .number()
    .int()
    .min(128, `${name} must be at least 128`)
    .max(1024, `${name} must be at most 1024`)
    .multipleOf(8, `${name} must be a multiple of 8`);

/**
 * X-Adapter's knobs (Ran et al. 2023), used when an SDXL job carries SD 1.5 plugins; all
 * optional (defaults: server/models/x-adapter.ts and the worker's, from the authors' code).
 */
export const xAdapterInput = z.strictObject({
  /** Fraction of the steps SD 1.5 runs alone before SDXL joins (the code's adapter_guidance_start). */
  t0: z.number().min(0).max(1).optional(),
  /** Scale of the mapped SD 1.5 features added to SDXL's decoder (adapter_condition_scale). */
  fusion: z.number().min(0).max(3).optional(),
  /** The SD 1.5 branch's own CFG scale (default: the job's guidanceScale). */
  guidanceScale: z.number().min(0).max(30).optional(),
  /** The SD 1.5 branch's own prompt (default: the job's prompt). */
  sd15Prompt: text(2000).optional(),
  sd15Width: sd15Side('sd15Width').optional(),
  sd15Height: sd15Side('sd15Height').optional(),
});
export type XAdapterInput = z.infer<typeof xAdapterInput>;

export const generateInput = z.strictObject({
  prompt: text(2000, 'Write a prompt'),
  negativePrompt: freeText(2000).default(''),
  baseModel: z.string().min(1).max(64).optional(),
  width: multipleOf8('width').default(512),
  height: multipleOf8('height').default(512),
  steps: z.number().int().min(1).max(100).default(25),
  guidanceScale: z.number().min(0).max(20).default(7.5),
  scheduler: z.enum(SCHEDULERS).default('euler_a'),
  seed: seedInput,
  numImages: z.number().int().min(1).max(4).default(1),
  references: z.array(referenceInput).max(4).default([]),
  ipAdapter: z.enum(['base', 'plus']).default('base'),
  controls: z.array(controlInput).max(3).default([]),
  loras: z.array(loraInput).max(5).default([]),
  /** X-Adapter's knobs for SD 1.5 plugins on an SDXL base (ignored when nothing is routed). */
  xAdapter: xAdapterInput.optional(),
  /** Where to POST this job's job.succeeded/failed/canceled event (Standard Webhooks). */
  webhook: webhookUrl.optional(),
});

export type GenerateInput = z.infer<typeof generateInput>;
export type GenerateInputRaw = z.input<typeof generateInput>;

const prompt = (what: string) => text(1000, `Write ${what}`);

export const trainInput = z
  .strictObject({
    name: text(80, 'Give the adapter a name'),
    method: z.enum(['svdiff', 'lora']).default('svdiff'),
    rank: z.number().int().min(1).max(128).default(8),
    imageIds: z
      .array(z.uuid())
      .min(1, 'Choose at least 1 photo')
      .max(20, 'Choose at most 20 photos'),
    instancePrompt: prompt('a prompt naming the subject, e.g. "a photo of sks dog"'),
    /** The words naming the subject inside the prompt ("sks dog"); needed for two subjects. */
    token: text(100).optional(),
    classPrompt: freeText(1000).optional(),
    priorPreservation: z.boolean().default(false),
    secondSubject: z
      .strictObject({
        imageIds: z.array(z.uuid()).min(1).max(20),
        instancePrompt: prompt('a prompt naming the second subject'),
        token: text(100),
      })
      .optional(),
    steps: z.number().int().min(10).max(2000).default(500),
    resolution: trainingResolution,
    seed: seedInput,
    baseModel: z.string().min(1).max(64).optional(),
    webhook: webhookUrl.optional(),
  })
  .refine((t) => !t.priorPreservation || Boolean(t.classPrompt), {
    message: 'Prior preservation needs a class prompt',
    path: ['classPrompt'],
  })
  .refine((t) => !t.token || t.instancePrompt.includes(t.token), {
    message: 'token must appear in the instance prompt',
    path: ['token'],
  })
  .refine((t) => !t.secondSubject || t.secondSubject.token !== t.token, {
    message: 'The two subjects need different tokens',
    path: ['secondSubject', 'token'],
  })
  .refine((t) => !t.secondSubject || Boolean(t.token), {
    message: 'Two subjects need a token for the first',
    path: ['token'],
  })
  .refine(
    (t) => !t.secondSubject || t.secondSubject.instancePrompt.includes(t.secondSubject.token),
    {
      message: 'secondSubject.token must appear in its prompt',
      path: ['secondSubject', 'token'],
    },
  );
export type TrainInput = z.infer<typeof trainInput>;

export const editInput = z.strictObject({
  imageId: z.uuid(),
  sourcePrompt: prompt('a sentence describing the photo'),
  targetPrompt: prompt('the edited sentence'),
  /** 0 keeps the photo's own latent; towards 1 the start moves to fresh noise (bigger edits). */
  strength: z.number().min(0).max(1).default(0),
  eta: z.number().min(0).max(1).default(0),
  steps: z.number().int().min(10).max(1000).default(500),
  numImages: z.number().int().min(1).max(4).default(1),
  resolution: trainingResolution,
  seed: seedInput,
  name: text(80).optional(),
  baseModel: z.string().min(1).max(64).optional(),
  webhook: webhookUrl.optional(),
});
export type EditInput = z.infer<typeof editInput>;
