// The OpenAPI 3.1 document of /api/v1, generated from the zod schemas the handlers parse with
// (server/jobs/schemas.ts for requests, ./schemas.ts for responses), so the two cannot drift.
import {
  OpenAPIRegistry,
  OpenApiGeneratorV31,
  type RouteConfig,
} from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';
import { editInput, generateInput, trainInput } from '../jobs/schemas';
import * as wh from '../webhooks/schemas';
import { ERROR_CODES } from '../errors';
import { MAX_WAIT_S } from './prefer-wait';
import * as s from './schemas';
import { usageQuery } from './usage';

type Responses = RouteConfig['responses'];

const json = <T extends z.ZodType>(schema: T, description: string) => ({
  description,
  content: { 'application/json': { schema } },
});

// Named components: a schema given a name with .openapi() becomes a component the paths use
// by $ref (the generator adds it when a path first refers to it).
const c = {
  job: s.job.openapi('Job'),
  problem: s.problem.openapi('Problem'),
  generate: generateInput.openapi('GenerationRequest'),
  edit: editInput.openapi('EditRequest'),
  train: trainInput.openapi('TrainingRequest'),
  reference: s.reference.openapi('Reference'),
  adapter: s.adapter.openapi('Adapter'),
};

function problems(...codes: (keyof typeof ERROR_CODES)[]): Responses {
  const out: Responses = {};
  for (const code of ['UNAUTHENTICATED', 'FORBIDDEN', 'RATE_LIMITED', ...codes] as const) {
    const { http, title } = ERROR_CODES[code];
    const prev = out[http] as { description: string } | undefined;
    out[http] = {
      description: prev ? `${prev.description}; ${title}` : title,
      content: { 'application/problem+json': { schema: c.problem } },
    };
  }
  return out;
}

const idempotencyKey = z.string().min(1).max(255).optional().meta({
  description:
    'Retrying with the same key and body returns the stored response for 24 h; the same key with another body is a 422.',
});
const prefer = z
  .string()
  .optional()
  .meta({
    description: `\`wait=N\` (N ≤ ${MAX_WAIT_S}): answer when the job finishes, or 202 after N seconds.`,
    example: 'wait=30',
  });
const idParam = z.object({ id: z.uuid() });

const jobCreated = (): Responses => ({
  201: json(c.job, 'The job, queued (or finished, when asked to wait).'),
  202: json(c.job, 'Still running after the requested wait.'),
  ...problems('VALIDATION_FAILED', 'NOT_FOUND', 'INSUFFICIENT_CREDITS', 'PAYLOAD_TOO_LARGE'),
});

function jobPost(path: string, summary: string, body: z.ZodType): RouteConfig {
  return {
    method: 'post',
    path,
    summary,
    tags: ['Jobs'],
    request: {
      headers: z.object({ 'Idempotency-Key': idempotencyKey, Prefer: prefer }),
      body: { required: true, content: { 'application/json': { schema: body } } },
    },
    responses: jobCreated(),
  };
}

function multipart(schema: z.ZodType) {
  return { required: true, content: { 'multipart/form-data': { schema } } };
}

export function buildOpenApiDocument(serverUrl: string) {
  const r = new OpenAPIRegistry();
  const bearer = r.registerComponent('securitySchemes', 'apiKey', {
    type: 'http',
    scheme: 'bearer',
    description: 'An API key from the dashboard: `Authorization: Bearer as_live_…`.',
  });
  r.registerPath(jobPost('/generations', 'Generate images', c.generate));
  r.registerPath(jobPost('/edits', 'Edit a photo with words (CoSINE)', c.edit));
  r.registerPath(jobPost('/trainings', 'Train a personal adapter', c.train));
  r.registerPath({
    method: 'get',
    path: '/jobs',
    summary: 'List jobs, newest first',
    tags: ['Jobs'],
    request: { query: s.jobListQuery },
    responses: {
      200: json(z.object({ items: z.array(c.job), nextCursor: z.string().nullable() }), 'A page.'),
      ...problems('VALIDATION_FAILED'),
    },
  });
  r.registerPath({
    method: 'get',
    path: '/jobs/{id}',
    summary: 'Get a job',
    tags: ['Jobs'],
    request: { params: idParam, headers: z.object({ Prefer: prefer }) },
    responses: {
      200: json(c.job, 'The job.'),
      202: json(c.job, 'Still running after the requested wait.'),
      ...problems('NOT_FOUND'),
    },
  });
  r.registerPath({
    method: 'post',
    path: '/jobs/{id}/cancel',
    summary: 'Cancel a job (queued: at once, credits back; running: at its next step)',
    tags: ['Jobs'],
    request: { params: idParam, headers: z.object({ 'Idempotency-Key': idempotencyKey }) },
    responses: {
      200: json(s.cancelResult, 'Cancel accepted.'),
      ...problems('NOT_FOUND', 'CONFLICT'),
    },
  });
  r.registerPath({
    method: 'get',
    path: '/references',
    summary: 'List the reference library',
    tags: ['References'],
    responses: {
      200: json(z.object({ items: z.array(c.reference) }), 'The library.'),
      ...problems(),
    },
  });
  r.registerPath({
    method: 'post',
    path: '/references',
    summary: 'Upload a reference image',
    tags: ['References'],
    request: {
      headers: z.object({ 'Idempotency-Key': idempotencyKey }),
      body: multipart(s.imageUpload),
    },
    responses: {
      201: json(s.uploadedReference, 'Stored (metadata stripped, re-encoded).'),
      200: json(s.uploadedReference, 'Already in the library.'),
      ...problems('VALIDATION_FAILED', 'PAYLOAD_TOO_LARGE', 'UNSUPPORTED_MEDIA_TYPE'),
    },
  });
  r.registerPath({
    method: 'delete',
    path: '/references/{id}',
    summary: 'Delete a reference image and everything derived from it',
    tags: ['References'],
    request: { params: idParam },
    responses: { 204: { description: 'Deleted.' }, ...problems('NOT_FOUND') },
  });
  r.registerPath({
    method: 'get',
    path: '/adapters',
    summary: 'List adapters',
    tags: ['Adapters'],
    responses: {
      200: json(z.object({ items: z.array(c.adapter) }), 'The adapters.'),
      ...problems(),
    },
  });
  r.registerPath({
    method: 'post',
    path: '/adapters',
    summary: 'Import a LoRA or spectral-shift file (.safetensors)',
    tags: ['Adapters'],
    request: {
      headers: z.object({ 'Idempotency-Key': idempotencyKey }),
      body: multipart(s.adapterUpload),
    },
    responses: {
      201: json(s.importedAdapter, 'Imported.'),
      ...problems('VALIDATION_FAILED', 'PAYLOAD_TOO_LARGE', 'UNSUPPORTED_MEDIA_TYPE'),
    },
  });
  r.registerPath({
    method: 'patch',
    path: '/adapters/{id}',
    summary: 'Rename an adapter',
    tags: ['Adapters'],
    request: {
      params: idParam,
      body: { required: true, content: { 'application/json': { schema: s.renameAdapterBody } } },
    },
    responses: {
      200: json(z.object({ id: z.uuid(), name: z.string() }), 'Renamed.'),
      ...problems('NOT_FOUND', 'VALIDATION_FAILED'),
    },
  });
  r.registerPath({
    method: 'delete',
    path: '/adapters/{id}',
    summary: 'Delete an adapter',
    tags: ['Adapters'],
    request: { params: idParam },
    responses: { 204: { description: 'Deleted.' }, ...problems('NOT_FOUND') },
  });
  r.registerPath({
    method: 'get',
    path: '/account',
    summary: 'Balance, plan, rate limit and the last 30 days of API usage',
    tags: ['Account'],
    responses: { 200: json(s.account, 'The account.'), ...problems() },
  });
  r.registerPath({
    method: 'get',
    path: '/usage',
    summary: 'Requests and credits spent per API key and day',
    tags: ['Account'],
    request: { query: usageQuery },
    responses: {
      200: json(z.object({ items: z.array(s.usageRow) }), 'Newest day first.'),
      ...problems('VALIDATION_FAILED'),
    },
  });

  registerWebhookPaths(r);

  const doc = new OpenApiGeneratorV31(r.definitions).generateDocument({
    openapi: '3.1.0',
    info: {
      title: 'Adapter Studio API',
      version: '1.0.0',
      description:
        'Steer image generation with pictures, structure and your own adapters. Every response carries `RateLimit-*` headers; errors are `application/problem+json`; unknown fields are refused.',
    },
    servers: [{ url: `${serverUrl.replace(/\/$/, '')}/api/v1` }],
    security: [{ [bearer.name]: [] }],
  });
  return doc;
}

function registerWebhookPaths(r: OpenAPIRegistry) {
  const tags = ['Webhooks'];
  const endpoint = wh.endpointView.openapi('WebhookEndpoint');
  r.registerPath({
    method: 'get',
    path: '/webhooks',
    summary: 'List registered webhook endpoints',
    tags,
    responses: {
      200: json(z.object({ items: z.array(endpoint) }), 'The endpoints.'),
      ...problems(),
    },
  });
  r.registerPath({
    method: 'post',
    path: '/webhooks',
    summary: 'Register an endpoint (https; private and loopback addresses are refused)',
    tags,
    request: {
      headers: z.object({ 'Idempotency-Key': idempotencyKey }),
      body: { required: true, content: { 'application/json': { schema: wh.createEndpointInput } } },
    },
    responses: {
      201: json(wh.createdEndpointView, 'Registered; the answer carries the signing secret.'),
      ...problems('VALIDATION_FAILED'),
    },
  });
  r.registerPath({
    method: 'delete',
    path: '/webhooks/{id}',
    summary: 'Delete an endpoint',
    tags,
    request: { params: idParam },
    responses: { 204: { description: 'Deleted.' }, ...problems('NOT_FOUND') },
  });
  r.registerPath({
    method: 'get',
    path: '/webhooks/{id}/secret',
    summary: "An endpoint's signing secret",
    tags,
    request: { params: idParam },
    responses: { 200: json(wh.signingSecretView, 'The secret.'), ...problems('NOT_FOUND') },
  });
  r.registerPath({
    method: 'get',
    path: '/webhooks/job-secret',
    summary: 'The secret that signs deliveries to per-job `webhook` URLs',
    tags,
    responses: { 200: json(wh.signingSecretView, 'The secret.'), ...problems() },
  });
  r.registerPath({
    method: 'get',
    path: '/webhooks/deliveries',
    summary: 'The delivery log, newest first',
    tags,
    request: { query: wh.listDeliveriesInput },
    responses: {
      200: json(wh.deliveryList, 'A page of deliveries.'),
      ...problems('VALIDATION_FAILED'),
    },
  });
  r.registerPath({
    method: 'post',
    path: '/webhooks/deliveries/{id}/replay',
    summary: 'Send a delivery again, as the same message (same webhook-id)',
    tags,
    request: { params: idParam },
    responses: {
      202: json(wh.deliveryView, 'Queued again.'),
      ...problems('NOT_FOUND', 'CONFLICT'),
    },
  });
  const event = wh.webhookEventBody.openapi('WebhookEvent');
  for (const type of wh.WEBHOOK_EVENT_TYPES) {
    r.registerWebhook({
      method: 'post',
      path: type,
      summary: `${type}: sent to endpoints subscribed to it and to the job's own \`webhook\` URL`,
      description:
        'Signed per Standard Webhooks: verify `webhook-id`, `webhook-timestamp` and `webhook-signature` with the endpoint secret (any Standard Webhooks library). Retried with backoff until a 2xx.',
      request: { body: { content: { 'application/json': { schema: event } } } },
      responses: { 200: { description: 'Any 2xx acknowledges the delivery.' } },
    });
  }
}
