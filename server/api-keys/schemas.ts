// The REST resources' shapes as zod schemas: the handlers' inputs are the domain's own schemas
// (server/jobs/schemas.ts, …); these describe what the API returns, for the OpenAPI document.
import '../zod-openapi';
import { z } from 'zod';
import { adapterName } from '../adapters/adapters';
import { adapterViewSchema } from '../adapters/view-schema';
import { jobViewSchema } from '../jobs/view-schema';
import { pageCursor } from '../pagination';
import { MAX_INPUT_PIXELS, MAX_UPLOAD_BYTES, MIN_IMAGE_SIDE } from '../references/image-safety';
import { referenceViewSchema } from '../references/view-schema';
import { API_SCOPES } from './keys';

const dateTime = z.iso.datetime();

export const renameAdapterBody = z.strictObject({ name: adapterName });

export const job = jobViewSchema(dateTime);

export const jobListQuery = z.strictObject({
  cursor: pageCursor.optional(),
  limit: z.coerce.number().int().min(1).max(100).default(20),
  /** Only jobs run on this base model. */
  baseModel: z.string().min(1).max(64).optional(),
});

export const cancelResult = z.object({
  status: job.shape.status,
  cancelRequested: z.boolean(),
});

export const reference = referenceViewSchema(dateTime);

export const uploadedReference = z.object({
  id: z.uuid(),
  width: z.number().int(),
  height: z.number().int(),
  deduplicated: z.boolean().meta({ description: 'The same image was already in the library.' }),
});

export const imageUpload = z.object({
  file: z.string().meta({
    format: 'binary',
    description: `JPEG, PNG or WebP: at most ${MAX_UPLOAD_BYTES / 2 ** 20} MB, at least ${MIN_IMAGE_SIDE} pixels on each side, at most ${MAX_INPUT_PIXELS / 1e6} megapixels.`,
    'x-max-bytes': MAX_UPLOAD_BYTES,
    'x-min-side-px': MIN_IMAGE_SIDE,
    'x-max-pixels': MAX_INPUT_PIXELS,
    'x-media-types': ['image/jpeg', 'image/png', 'image/webp'],
  }),
});

export const adapterUpload = z.strictObject({
  file: z.string().meta({ format: 'binary', description: '.safetensors, LoRA or spectral shift.' }),
  name: adapterName,
  baseModel: z.string().max(64).optional(),
});

export const adapter = adapterViewSchema(dateTime);

export const importedAdapter = adapter.pick({
  id: true,
  name: true,
  kind: true,
  baseModel: true,
  family: true,
  settings: true,
});

export const account = z.object({
  email: z.string(),
  plan: z.string(),
  credits: z.object({
    available: z.number().int().meta({ description: 'Spendable credits.' }),
    held: z.number().int().meta({ description: 'Credits held by unfinished jobs.' }),
  }),
  rateLimit: z.object({ requestsPerMinute: z.number().int() }),
  storage: z
    .object({
      usedBytes: z
        .number()
        .int()
        .meta({ description: 'Bytes stored: library, maps, adapters, outputs.' }),
      quotaBytes: z.number().int().meta({ description: "The plan's storage quota in bytes." }),
    })
    .meta({ description: 'Storage used against the plan quota (outputs may take it over).' }),
  usage: z.object({
    days: z.number().int(),
    requests: z.number().int(),
    creditsSpent: z.number().int(),
  }),
});

export const usageRow = z.object({
  apiKeyId: z.uuid(),
  keyName: z.string(),
  keyStart: z.string(),
  day: z.iso.date(),
  requests: z.number().int(),
  creditsSpent: z.number().int(),
});

export const problem = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    code: z.string().meta({ description: 'One of the closed set of error codes.' }),
    detail: z.string(),
    details: z.record(z.string(), z.unknown()).optional(),
  })
  .meta({ description: 'RFC 9457 problem details.' });

export const scopes = z.enum(API_SCOPES);
