// Worker protocol v1 request bodies (docs/worker-protocol.md is the contract; the worker's
// adapter_worker/protocol.py mirrors these). Requests are strict: unknown fields are refused.
import { z } from 'zod';

const name = z.string().min(1).max(128);

export const leaseRequest = z.strictObject({
  worker_id: z.string().min(1).max(128),
  worker_version: z.string().max(64),
  protocol_version: z.literal(1),
  capabilities: z.strictObject({
    kinds: z.array(z.string().max(32)).max(8),
    base_models: z.array(name).max(64),
    controlnets: z.array(name).max(256),
    t2i_adapters: z.array(name).max(256),
    ip_adapters: z.array(name).max(64),
    /** Usable X-Adapter registry entries (file present, both bases configured); optional for old workers. */
    x_adapters: z.array(name).max(64).optional(),
  }),
  device: z.strictObject({
    type: z.string().max(16),
    name: z.string().max(128),
    memory_bytes: z.number().int().nonnegative().nullable().optional(),
  }),
  wait_s: z.number().int().min(0).max(60),
});
export type LeaseRequest = z.infer<typeof leaseRequest>;

export const heartbeatRequest = z.strictObject({
  lease_id: z.uuid(),
  progress: z.strictObject({
    stage: z.enum(['downloading', 'loading', 'denoising', 'uploading']),
    step: z.number().int().min(0),
    total: z.number().int().min(0),
  }),
  preview_png_base64: z.string().max(3_000_000).nullable().optional(),
});
export type HeartbeatRequest = z.infer<typeof heartbeatRequest>;

export const completeRequest = z.strictObject({
  lease_id: z.uuid(),
  outputs: z
    .array(
      z.strictObject({
        key: z.string().min(1).max(512),
        content_type: z.enum(['image/png', 'application/octet-stream']).default('image/png'),
        // Images have a size and a seed; an adapter file has neither.
        width: z.number().int().positive().max(8192).nullable().optional(),
        height: z.number().int().positive().max(8192).nullable().optional(),
        bytes: z.number().int().positive(),
        sha256: z.string().regex(/^[0-9a-f]{64}$/),
        seed: z.number().int().nonnegative().nullable().optional(),
      }),
    )
    .min(1)
    .max(16),
  metadata: z.record(z.string(), z.unknown()),
});
export type CompleteRequest = z.infer<typeof completeRequest>;

export const failRequest = z.strictObject({
  lease_id: z.uuid(),
  error: z.strictObject({
    code: z.enum([
      'internal',
      'invalid_input',
      'lora_mismatch',
      'model_not_found',
      'model_invalid',
      'input_unavailable',
      'out_of_memory',
      'cancelled',
    ]),
    message: z.string().max(4000),
    retryable: z.boolean(),
  }),
});
export type FailRequest = z.infer<typeof failRequest>;

export const releaseRequest = z.strictObject({
  lease_id: z.uuid(),
  reason: z.enum(['shutdown', 'capability_lost']),
});
export type ReleaseRequest = z.infer<typeof releaseRequest>;
