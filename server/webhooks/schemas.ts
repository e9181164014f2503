// What callers send and get back for outgoing webhooks. Zod only (no Node imports): the job
// forms import `webhookUrl` through server/jobs/schemas.ts, and the OpenAPI document registers
// these. Where the address may point (https, no private ranges) is decided on the server by
// ssrf.ts, because it depends on the deployment's settings.
import '../zod-openapi';
import { z } from 'zod';
import { pageCursor } from '../pagination';

export const WEBHOOK_EVENT_TYPES = ['job.succeeded', 'job.failed', 'job.canceled'] as const;
export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number];

export const MAX_WEBHOOK_URL_LENGTH = 2048;

function hasNoCredentials(v: string): boolean {
  try {
    const u = new URL(v);
    return !u.username && !u.password;
  } catch {
    return true; // zod runs this even after the URL check failed; that check reports it
  }
}

/** A syntactically acceptable webhook URL; ssrf.ts then checks where it points. */
export const webhookUrl = z
  .string()
  .max(MAX_WEBHOOK_URL_LENGTH, `must be at most ${MAX_WEBHOOK_URL_LENGTH} characters`)
  .trim()
  .pipe(z.url({ protocol: /^https?$/, error: 'must be an absolute http(s) URL' }))
  .refine(hasNoCredentials, 'must not contain a user name or password')
  // What the document states; ssrf.ts refuses the rest (http, literal private addresses).
  .meta({
    format: 'uri',
    pattern: '^https://',
    description:
      'https URL that receives job.succeeded / job.failed / job.canceled (Standard Webhooks); no user name or password, and private, loopback and link-local addresses are refused',
  });

export const createEndpointInput = z.strictObject({
  url: webhookUrl,
  eventTypes: z
    .array(z.enum(WEBHOOK_EVENT_TYPES))
    .min(1, 'Choose at least one event')
    .max(WEBHOOK_EVENT_TYPES.length)
    .default([...WEBHOOK_EVENT_TYPES]),
});
export type CreateEndpointInput = z.input<typeof createEndpointInput>;

export const endpointView = z.object({
  id: z.string(),
  url: z.string(),
  eventTypes: z.array(z.enum(WEBHOOK_EVENT_TYPES)),
  enabled: z.boolean(),
  createdAt: z.date(),
});
export type EndpointView = z.infer<typeof endpointView>;

/** The answer to creating an endpoint: the only answer that carries the secret unasked. */
export const createdEndpointView = endpointView.extend({
  secret: z.string().describe('Standard Webhooks signing secret (whsec_…)'),
});

export const signingSecretView = z.object({
  secret: z.string().describe('Standard Webhooks signing secret (whsec_…)'),
});

export const idInput = z.strictObject({ id: z.string().max(64) });

export const DELIVERY_STATUSES = ['PENDING', 'SUCCEEDED', 'FAILED'] as const;

export const listDeliveriesInput = z.strictObject({
  cursor: pageCursor.optional(),
  limit: z.coerce.number().int().min(1).max(100).default(20),
  status: z.enum(DELIVERY_STATUSES).optional(),
  endpointId: z.uuid().optional(),
  jobId: z.uuid().optional(),
});
export type ListDeliveriesInput = z.input<typeof listDeliveriesInput>;

export const deliveryView = z.object({
  id: z.string().describe('Also the webhook-id header: the same on every retry and replay'),
  endpointId: z.string().nullable().describe('Null for a per-job webhook URL'),
  jobId: z.string().nullable(),
  url: z.string(),
  eventType: z.string(),
  status: z.enum(DELIVERY_STATUSES),
  attempts: z.number().int(),
  nextAttemptAt: z.date().nullable().describe('When the next attempt is due (pending only)'),
  lastStatusCode: z.number().int().nullable(),
  lastError: z.string().nullable(),
  createdAt: z.date(),
  deliveredAt: z.date().nullable(),
});
export type DeliveryView = z.infer<typeof deliveryView>;

export const deliveryList = z.object({
  items: z.array(deliveryView),
  nextCursor: z.string().nullable(),
});

/** The JSON body every delivery carries (signed per Standard Webhooks). */
export const webhookEventBody = z.object({
  type: z.enum(WEBHOOK_EVENT_TYPES),
  timestamp: z.string().describe('When the event happened (ISO 8601)'),
  data: z
    .looseObject({ id: z.string(), status: z.string() })
    .describe('The job as GET /api/v1/jobs/{id} returns it; output URLs signed at each attempt'),
});
export type WebhookEventBody = z.infer<typeof webhookEventBody>;
