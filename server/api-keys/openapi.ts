// The OpenAPI 3.1 document of /api/v1, generated from the zod schemas the handlers parse with
// (server/jobs/schemas.ts for requests, ./schemas.ts for responses), so the two cannot drift.
import {
  OpenAPIRegistry,
  OpenApiGeneratorV31,
  type RouteConfig,
} from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';
import { generateQuote } from '../jobs/quote-schema';
import { editInput, generateInput, trainInput } from '../jobs/schemas';
import * as wh from '../webhooks/schemas';
import { ERROR_CODES } from '../errors';
import { adapterListFilter } from '../adapters/adapters';
import { MAX_ADAPTER_BYTES } from '../adapters/inspect';
import {
  MAX_INPUT_PIXELS,
  MAX_STORED_SIDE,
  MAX_UPLOAD_BYTES,
  MIN_IMAGE_SIDE,
} from '../references/image-safety';
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

/** Statuses every operation can answer: no or a bad key (401), a key without the scope or a
 * cookie caller's foreign Origin (403), the plan's rate limit (429). */
const ALWAYS = ['UNAUTHENTICATED', 'FORBIDDEN', 'RATE_LIMITED'] as const;
/** What any request body can meet: too large (413), without or with the wrong Content-Type
 * (415), not the schema (422). */
const BODY = ['VALIDATION_FAILED', 'PAYLOAD_TOO_LARGE', 'UNSUPPORTED_MEDIA_TYPE'] as const;

type Code = keyof typeof ERROR_CODES;

/**
 * The problem answers of an operation: per status, which codes (server/errors.ts) it can carry,
 * named in the description and as the enum of the body's `code`, so a client can tell, say, a
 * key without the scope (FORBIDDEN) from an unconfirmed address (EMAIL_NOT_VERIFIED), and the
 * fuzzer checks that the server sends no other. `why` adds words to a status's description.
 */
function problems(codes: Code[], why: Partial<Record<number, string>> = {}): Responses {
  const byStatus = new Map<number, Code[]>();
  for (const code of [...ALWAYS, ...codes]) {
    const list = byStatus.get(ERROR_CODES[code].http) ?? [];
    if (!list.includes(code)) list.push(code);
    byStatus.set(ERROR_CODES[code].http, list);
  }
  const out: Responses = {};
  for (const [http, list] of byStatus) {
    const named = list.map((code) => `${ERROR_CODES[code].title} (\`${code}\`)`).join('; ');
    out[http] = {
      description: why[http] ? `${named}: ${why[http]}` : named,
      content: {
        'application/problem+json': {
          schema: c.problem.extend({ code: z.enum(list as [Code, ...Code[]]) }),
        },
      },
    };
  }
  return out;
}

/** A link from a response to an operation taking the `id` found at `pointer` in its body. */
function link(operationId: string, pointer: string, description: string) {
  return { operationId, parameters: { id: `$response.body#${pointer}` }, description };
}

const idempotencyKey = z
  .string()
  .regex(/^[\x21-\x7e]{1,255}$/)
  .optional()
  .meta({
    description:
      'Retrying with the same key and body returns the stored response for 24 h; the same key with another body is a 422, and while the first request with it is still running a 409.',
  });
const prefer = z
  .string()
  .optional()
  .meta({
    description: `\`wait=N\` (N ≤ ${MAX_WAIT_S}): answer when the job finishes, or 202 after N seconds.`,
    example: 'wait=1',
  });
const idParam = z.object({ id: z.uuid() });

const jobLinks = {
  GetJob: link('getJob', '/id', 'The job just created.'),
  CancelJob: link('cancelJob', '/id', 'Cancel the job just created.'),
};

const jobCreated = (): Responses => ({
  201: { ...json(c.job, 'The job, queued (or finished, when asked to wait).'), links: jobLinks },
  202: { ...json(c.job, 'Still running after the requested wait.'), links: jobLinks },
  ...problems(
    [
      ...BODY,
      'NOT_FOUND',
      'CONFLICT',
      'INSUFFICIENT_CREDITS',
      'EMAIL_NOT_VERIFIED',
      'QUOTA_EXCEEDED',
      'SERVICE_UNAVAILABLE',
    ],
    {
      403: 'the key lacks jobs:write or a cookie caller sent a foreign Origin (FORBIDDEN); the account has not confirmed its e-mail address yet, and no job is made before it has (EMAIL_NOT_VERIFIED)',
      429: "the plan's rate limit, or its limit of jobs in progress at once",
    },
  ),
});

function jobPost(operationId: string, path: string, summary: string, body: z.ZodType): RouteConfig {
  return {
    operationId,
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

/** What one deployment offers, for the document it serves. */
export interface Deployment {
  /** BASE_MODELS: the enum of every `baseModel` a request may name. */
  baseModels: readonly string[];
  /** Each base model's family (for the `baseModel` note); unnamed ones are left out of it. */
  families?: Readonly<Record<string, string>>;
  /** Whether SD 1.5 plugins on an SDXL base go through X-Adapter here (X_ADAPTER). */
  xAdapter?: boolean;
  /** The control maps this server can make (availableMaps()): with `none`, the `preprocess` enum. */
  mapKinds: readonly string[];
}

/**
 * The document for a server at `serverUrl`. The served document narrows it to its deployment
 * (base models, map kinds) so that what it allows, the server does; the committed document
 * leaves them open, since each deployment offers its own.
 */
export function buildOpenApiDocument(serverUrl: string, deployment?: Deployment) {
  const r = new OpenAPIRegistry();
  const bearer = r.registerComponent('securitySchemes', 'apiKey', {
    type: 'http',
    scheme: 'bearer',
    description: 'An API key from the dashboard: `Authorization: Bearer as_live_…`.',
  });
  r.registerPath(jobPost('createGeneration', '/generations', 'Generate images', c.generate));
  r.registerPath({
    operationId: 'quoteGeneration',
    method: 'post',
    path: '/generations/quote',
    summary: 'Price a generation before paying, and how each plugin runs',
    description:
      "The same request as `POST /generations`; nothing is held or queued. `plugins` says which run natively on the base model and which go through X-Adapter (SD 1.5 plugins on an SDXL base); a request that would be refused at creation (another family's plugin without X-Adapter, an unknown image or adapter) is refused here the same way.",
    tags: ['Jobs'],
    request: {
      body: { required: true, content: { 'application/json': { schema: c.generate } } },
    },
    responses: {
      200: json(generateQuote.openapi('GenerationQuote'), 'The price and the routing.'),
      ...problems([...BODY, 'NOT_FOUND'], {
        403: 'the key lacks jobs:read or a cookie caller sent a foreign Origin',
      }),
    },
  });
  r.registerPath(jobPost('createEdit', '/edits', 'Edit a photo with words (CoSINE)', c.edit));
  r.registerPath(jobPost('createTraining', '/trainings', 'Train a personal adapter', c.train));
  r.registerPath({
    operationId: 'listJobs',
    method: 'get',
    path: '/jobs',
    summary: 'List jobs, newest first',
    tags: ['Jobs'],
    request: { query: s.jobListQuery },
    responses: {
      200: {
        ...json(z.object({ items: z.array(c.job), nextCursor: z.string().nullable() }), 'A page.'),
        links: { GetJob: link('getJob', '/items/0/id', 'The newest job of the page.') },
      },
      ...problems(['VALIDATION_FAILED']),
    },
  });
  r.registerPath({
    operationId: 'getJob',
    method: 'get',
    path: '/jobs/{id}',
    summary: 'Get a job',
    tags: ['Jobs'],
    request: { params: idParam, headers: z.object({ Prefer: prefer }) },
    responses: {
      200: json(c.job, 'The job.'),
      202: json(c.job, 'Still running after the requested wait.'),
      ...problems(['NOT_FOUND']),
    },
  });
  r.registerPath({
    operationId: 'cancelJob',
    method: 'post',
    path: '/jobs/{id}/cancel',
    summary: 'Cancel a job (queued: at once, credits back; running: at its next step)',
    tags: ['Jobs'],
    request: { params: idParam, headers: z.object({ 'Idempotency-Key': idempotencyKey }) },
    responses: {
      200: json(s.cancelResult, 'Cancel accepted.'),
      ...problems(['NOT_FOUND', 'CONFLICT', 'VALIDATION_FAILED']),
    },
  });
  r.registerPath({
    operationId: 'listReferences',
    method: 'get',
    path: '/references',
    summary: 'List the reference library',
    tags: ['References'],
    responses: {
      200: {
        ...json(z.object({ items: z.array(c.reference) }), 'The library.'),
        links: {
          DeleteReference: link('deleteReference', '/items/0/id', 'The newest image.'),
        },
      },
      ...problems([]),
    },
  });
  const uploaded = {
    DeleteReference: link('deleteReference', '/id', 'The image just stored.'),
  };
  r.registerPath({
    operationId: 'uploadReference',
    method: 'post',
    path: '/references',
    summary: 'Upload a reference image',
    description: `JPEG, PNG or WebP in the field \`file\`: at most ${MAX_UPLOAD_BYTES / 2 ** 20} MB, at least ${MIN_IMAGE_SIDE} pixels on each side and at most ${MAX_INPUT_PIXELS / 1e6} megapixels. The image is decoded, turned upright by its EXIF orientation and re-encoded without metadata (at most ${MAX_STORED_SIDE} pixels on the long side); the same image twice is stored once. A file that is not such an image is a 415 or 422, one over the limits a 413, and one past the plan's storage quota a 413 that says the numbers.`,
    tags: ['References'],
    request: {
      headers: z.object({ 'Idempotency-Key': idempotencyKey }),
      body: multipart(s.imageUpload),
    },
    responses: {
      201: {
        ...json(s.uploadedReference, 'Stored (metadata stripped, re-encoded).'),
        links: uploaded,
      },
      200: { ...json(s.uploadedReference, 'Already in the library.'), links: uploaded },
      ...problems([...BODY, 'QUOTA_EXCEEDED', 'CONFLICT']),
    },
  });
  r.registerPath({
    operationId: 'deleteReference',
    method: 'delete',
    path: '/references/{id}',
    summary: 'Delete a reference image and everything derived from it',
    tags: ['References'],
    request: { params: idParam },
    responses: { 204: { description: 'Deleted.' }, ...problems(['NOT_FOUND']) },
  });
  const adapterLinks = (pointer: string) => ({
    RenameAdapter: link('renameAdapter', pointer, 'Rename it.'),
    DeleteAdapter: link('deleteAdapter', pointer, 'Delete it.'),
  });
  r.registerPath({
    operationId: 'listAdapters',
    method: 'get',
    path: '/adapters',
    summary: 'List adapters',
    tags: ['Adapters'],
    request: { query: adapterListFilter },
    responses: {
      200: {
        ...json(z.object({ items: z.array(c.adapter) }), 'The adapters.'),
        links: adapterLinks('/items/0/id'),
      },
      ...problems(['VALIDATION_FAILED']),
    },
  });
  r.registerPath({
    operationId: 'importAdapter',
    method: 'post',
    path: '/adapters',
    summary: 'Import a LoRA or spectral-shift file (.safetensors)',
    description: `A \`.safetensors\` file of at most ${MAX_ADAPTER_BYTES / 2 ** 20} MB in the field \`file\`: its header is read and checked against the data before anything is stored, and a LoRA (kohya or PEFT layout) or spectral shift is recognised from its tensor names; pickles and other formats are refused (415), a file that is not what it claims or made for another base model is a 422, and one past the plan's storage quota a 413.`,
    tags: ['Adapters'],
    request: {
      headers: z.object({ 'Idempotency-Key': idempotencyKey }),
      body: multipart(s.adapterUpload),
    },
    responses: {
      201: { ...json(s.importedAdapter, 'Imported.'), links: adapterLinks('/id') },
      ...problems([...BODY, 'QUOTA_EXCEEDED', 'CONFLICT']),
    },
  });
  r.registerPath({
    operationId: 'renameAdapter',
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
      ...problems(['NOT_FOUND', ...BODY]),
    },
  });
  r.registerPath({
    operationId: 'deleteAdapter',
    method: 'delete',
    path: '/adapters/{id}',
    summary: 'Delete an adapter',
    tags: ['Adapters'],
    request: { params: idParam },
    responses: { 204: { description: 'Deleted.' }, ...problems(['NOT_FOUND']) },
  });
  r.registerPath({
    operationId: 'getAccount',
    method: 'get',
    path: '/account',
    summary: 'Balance, plan, rate limit and the last 30 days of API usage',
    tags: ['Account'],
    responses: { 200: json(s.account, 'The account.'), ...problems([]) },
  });
  r.registerPath({
    operationId: 'getUsage',
    method: 'get',
    path: '/usage',
    summary: 'Requests and credits spent per API key and day',
    tags: ['Account'],
    request: { query: usageQuery },
    responses: {
      200: json(z.object({ items: z.array(s.usageRow) }), 'Newest day first.'),
      ...problems(['VALIDATION_FAILED']),
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
  if (deployment) {
    restrictRequestEnum(doc, 'baseModel', deployment.baseModels, baseModelNote(deployment));
    restrictRequestEnum(doc, 'preprocess', ['none', ...deployment.mapKinds], PREPROCESS_NOTE);
  }
  return doc;
}

/** The served document's words on `baseModel`: the offered models, their families, X-Adapter. */
function baseModelNote(d: Deployment): string {
  const named = d.baseModels.map((m) =>
    d.families?.[m] ? `\`${m}\` (${d.families[m]})` : `\`${m}\``,
  );
  return `One of the base models this server offers, the first the default: ${named.join(', ')}. ${
    d.xAdapter
      ? 'Adapters and controls of family sd15 on an sdxl model run through X-Adapter (see xAdapter); an sdxl plugin on an sd15 model is refused.'
      : "Adapters and controls must be of the base model's family; others are refused before payment."
  }`;
}
const PREPROCESS_NOTE =
  '`none`: the image already is the map; otherwise one of the maps this server can make from a photo (for any other kind, upload a ready map).';

/** Every `property` of a request schema (responses keep theirs) → a string enum of `values`. */
function restrictRequestEnum(
  doc: unknown,
  property: string,
  values: readonly string[],
  note: string,
) {
  const walk = (node: unknown, key: string | null, inResponse: boolean) => {
    if (!node || typeof node !== 'object') return;
    if (Array.isArray(node)) return node.forEach((n) => walk(n, null, inResponse));
    const o = node as Record<string, unknown>;
    if (key === property && !inResponse && o.type === 'string') {
      o.enum = [...values];
      o.description = note;
      return;
    }
    for (const [k, v] of Object.entries(o)) {
      if (k === 'properties' && v && typeof v === 'object') {
        for (const [p, sub] of Object.entries(v)) walk(sub, p, inResponse);
      } else {
        walk(
          v,
          null,
          inResponse || k === 'responses' || ['Job', 'Adapter', 'Reference'].includes(k),
        );
      }
    }
  };
  walk(doc, null, false);
}

function registerWebhookPaths(r: OpenAPIRegistry) {
  const tags = ['Webhooks'];
  const endpoint = wh.endpointView.openapi('WebhookEndpoint');
  const endpointLinks = (pointer: string) => ({
    GetSecret: link('getWebhookSecret', pointer, "The endpoint's signing secret."),
    DeleteWebhook: link('deleteWebhook', pointer, 'Delete the endpoint.'),
  });
  r.registerPath({
    operationId: 'listWebhooks',
    method: 'get',
    path: '/webhooks',
    summary: 'List registered webhook endpoints',
    tags,
    responses: {
      200: {
        ...json(z.object({ items: z.array(endpoint) }), 'The endpoints.'),
        links: endpointLinks('/items/0/id'),
      },
      ...problems([]),
    },
  });
  r.registerPath({
    operationId: 'createWebhook',
    method: 'post',
    path: '/webhooks',
    summary: 'Register an endpoint (https; private and loopback addresses are refused)',
    tags,
    request: {
      headers: z.object({ 'Idempotency-Key': idempotencyKey }),
      body: { required: true, content: { 'application/json': { schema: wh.createEndpointInput } } },
    },
    responses: {
      201: {
        ...json(wh.createdEndpointView, 'Registered; the answer carries the signing secret.'),
        links: endpointLinks('/id'),
      },
      ...problems([...BODY, 'CONFLICT']),
    },
  });
  r.registerPath({
    operationId: 'deleteWebhook',
    method: 'delete',
    path: '/webhooks/{id}',
    summary: 'Delete an endpoint',
    tags,
    request: { params: idParam },
    responses: { 204: { description: 'Deleted.' }, ...problems(['NOT_FOUND']) },
  });
  r.registerPath({
    operationId: 'getWebhookSecret',
    method: 'get',
    path: '/webhooks/{id}/secret',
    summary: "An endpoint's signing secret",
    tags,
    request: { params: idParam },
    responses: { 200: json(wh.signingSecretView, 'The secret.'), ...problems(['NOT_FOUND']) },
  });
  r.registerPath({
    operationId: 'getJobWebhookSecret',
    method: 'get',
    path: '/webhooks/job-secret',
    summary: 'The secret that signs deliveries to per-job `webhook` URLs',
    tags,
    responses: { 200: json(wh.signingSecretView, 'The secret.'), ...problems([]) },
  });
  r.registerPath({
    operationId: 'listWebhookDeliveries',
    method: 'get',
    path: '/webhooks/deliveries',
    summary: 'The delivery log, newest first',
    tags,
    request: { query: wh.listDeliveriesInput },
    responses: {
      200: {
        ...json(wh.deliveryList, 'A page of deliveries.'),
        links: {
          Replay: link('replayWebhookDelivery', '/items/0/id', 'Send the newest delivery again.'),
        },
      },
      ...problems(['VALIDATION_FAILED']),
    },
  });
  r.registerPath({
    operationId: 'replayWebhookDelivery',
    method: 'post',
    path: '/webhooks/deliveries/{id}/replay',
    summary: 'Send a delivery again, as the same message (same webhook-id)',
    tags,
    request: { params: idParam },
    responses: {
      202: json(wh.deliveryView, 'Queued again.'),
      ...problems(['NOT_FOUND', 'CONFLICT', 'VALIDATION_FAILED']),
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
