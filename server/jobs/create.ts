// Accepting a job: validate, resolve the user's own inputs, price it, then in ONE transaction
// insert the job, hold its price, make any control maps it needs (only once the credits are
// held: no credits, no CPU) and signal the queue. Either all of it happens or none.
import { randomInt } from 'node:crypto';
import type { Prisma } from '@prisma/client';
import { planFor } from '../billing/plans';
import { holdForJob } from '../credits/ledger';
import { priceGenerate, type PriceBreakdown } from '../credits/pricing';
import { db, type Tx } from '../db';
import { env } from '../env';
import { AppError } from '../errors';
import { controlMapFor } from '../inference/control-maps';
import { baseModelOrDefault } from '../models/base-models';
import type { Family } from '../models/families';
import { embeddingKey } from '../references/embeddings';
import { storage } from '../storage';
import { parseInput } from '../validation';
import { assertWebhookUrlAllowed } from '../webhooks/ssrf';
import { poolsForJob } from '../workers/pools';
import { signalJobQueued } from './queue-signal';
import { routeJob, type JobRouting, type PluginPlan, type XAdapterPlan } from './routing';
import { acceptTestJob, isTestKey } from './test-mode';
import { generateInput, type GenerateInput } from './schemas';

export { baseModelOrDefault };

export interface WorkerInput {
  key: string;
  sha256?: string;
  bytes?: number;
}

/** What is stored in Job.params: the user's request (for remix) and the worker's view of it. */
export interface GenerateJobParams {
  request: GenerateInput;
  worker: Record<string, unknown>;
  inputs: Record<string, WorkerInput>;
}

async function resolveInputs(userId: string, input: GenerateInput) {
  const imageIds = [
    ...new Set([
      ...input.references.map((r) => r.referenceId),
      ...input.controls.map((c) => c.imageId),
    ]),
  ];
  const images = imageIds.length
    ? await db().referenceImage.findMany({ where: { id: { in: imageIds }, userId } })
    : [];
  const byId = new Map(images.map((i) => [i.id, i]));
  for (const id of imageIds) {
    // Another user's id reads exactly like a missing one.
    if (!byId.has(id))
      throw new AppError('NOT_FOUND', `Image ${id} was not found in your library.`);
  }
  const adapterIds = [...new Set(input.loras.map((l) => l.adapterId))];
  const adapters = adapterIds.length
    ? await db().adapter.findMany({ where: { id: { in: adapterIds }, userId } })
    : [];
  const adaptersById = new Map(adapters.map((a) => [a.id, a]));
  for (const id of adapterIds) {
    if (!adaptersById.has(id)) throw new AppError('NOT_FOUND', `Adapter ${id} was not found.`);
  }
  return { images: byId, adapters: adaptersById };
}

export function buildWorkerParams(
  input: GenerateInput,
  routing: JobRouting,
  seed: number,
  resolved: Awaited<ReturnType<typeof resolveInputs>> & { mapKeys: (string | null)[] },
): {
  worker: Record<string, unknown>;
  inputs: Record<string, WorkerInput>;
  requiredModels: string[];
} {
  const { baseModel, family } = routing;
  const inputs: Record<string, WorkerInput> = {};
  const required = new Set<string>();
  const encoder = env().IP_ADAPTER_ENCODER_NAME;
  const references = input.references.map((r, i) => {
    const img = resolved.images.get(r.referenceId)!;
    if (img.embedding && img.embeddingModel === encoder) {
      // Computed at upload: the worker skips its image encoder.
      inputs[`ref-${i}`] = { key: embeddingKey(img.userId, img.sha256, encoder, input.ipAdapter) };
      return { image_embeds: `ref-${i}`, weight: r.weight };
    }
    inputs[`ref-${i}`] = { key: img.originalKey, sha256: img.sha256, bytes: img.bytes };
    return { image: `ref-${i}`, weight: r.weight };
  });
  if (references.length) required.add(`ip_adapters:${family}/${input.ipAdapter}`);
  const controls = input.controls.map((c, i) => {
    const img = resolved.images.get(c.imageId)!;
    const mapKey = resolved.mapKeys[i];
    inputs[`control-${i}`] = mapKey
      ? { key: mapKey }
      : { key: img.originalKey, sha256: img.sha256, bytes: img.bytes };
    const plan = routing.controls[i]!;
    required.add(
      `${c.adapter === 'controlnet' ? 'controlnets' : 't2i_adapters'}:${plan.family}/${c.type}`,
    );
    return {
      type: c.type,
      family: plan.family,
      image: `control-${i}`,
      adapter: c.adapter,
      scale: c.scale,
      start: c.start,
      end: c.end,
      // Maps are made on the web tier (the one the user previewed), never again on the GPU.
      preprocess: 'none',
    };
  });
  const loras = input.loras.map((l, i) => {
    const a = resolved.adapters.get(l.adapterId)!;
    inputs[`lora-${i}`] = { key: a.fileKey, sha256: a.sha256, bytes: a.sizeBytes };
    return { file: `lora-${i}`, weight: l.weight, family: routing.loras[i]!.family };
  });
  const x = routing.xAdapter;
  if (x) {
    required.add(`x_adapters:${x.name}`);
    required.add(`base_models:${x.sd15BaseModel}`);
  }
  const worker = {
    base_model: baseModel,
    prompt: input.prompt,
    negative_prompt: input.negativePrompt,
    seed,
    steps: input.steps,
    guidance_scale: input.guidanceScale,
    width: input.width,
    height: input.height,
    scheduler: input.scheduler,
    num_images: input.numImages,
    references,
    ip_adapter: input.ipAdapter,
    controls,
    loras,
    ...(x ? { x_adapter: workerXAdapter(x, input) } : {}),
    preview_every: Math.max(1, Math.round(input.steps / 8)),
  };
  return { worker, inputs, requiredModels: [...required].sort() };
}

/**
 * The worker's `x_adapter` object (docs/worker-protocol.md): the registry entry, the resolved
 * `t0` and SD 1.5 size (sent, so that the work done is the work priced), and the knobs asked for.
 */
function workerXAdapter(x: XAdapterPlan, input: GenerateInput): Record<string, unknown> {
  const asked = input.xAdapter ?? {};
  return {
    name: x.name,
    t0: x.t0,
    ...(asked.fusion !== undefined ? { fusion: asked.fusion } : {}),
    ...(asked.guidanceScale !== undefined ? { guidance_scale: asked.guidanceScale } : {}),
    ...(asked.sd15Prompt !== undefined ? { sd15_prompt: asked.sd15Prompt } : {}),
    sd15_width: x.sd15Width,
    sd15_height: x.sd15Height,
  };
}

export interface GenerateQuote extends PriceBreakdown {
  baseModel: string;
  family: Family;
  /** Every plugin of the request and how it runs (`native` or through X-Adapter). */
  plugins: PluginPlan[];
  /** What X-Adapter will run, when any plugin goes through it. */
  xAdapter: XAdapterPlan | null;
}

/**
 * Resolves the user's inputs, routes the plugins and prices the job: what jobs.quote shows and
 * exactly what createGenerateJob holds. Refusals (unknown model, another base's plugin without
 * X-Adapter, missing images or adapters) are thrown here, before anything is held.
 */
async function planGenerate(userId: string, input: GenerateInput) {
  const baseModel = baseModelOrDefault(input.baseModel);
  const resolved = await resolveInputs(userId, input);
  const routing = routeJob(input, baseModel, resolved.adapters);
  const price = priceGenerate(input, routing);
  return { baseModel, resolved, routing, price };
}

function quoteOf(p: Awaited<ReturnType<typeof planGenerate>>): GenerateQuote {
  const r = p.routing;
  return {
    ...p.price,
    baseModel: r.baseModel,
    family: r.family,
    plugins: [...r.controls, ...r.loras, ...(r.ipAdapter ? [r.ipAdapter] : [])],
    xAdapter: r.xAdapter,
  };
}

/** jobs.quote: the price, its lines and the routing, for the same request jobs.create takes. */
export async function quoteGenerateJob(userId: string, raw: unknown): Promise<GenerateQuote> {
  return quoteOf(await planGenerate(userId, parseInput(generateInput, raw)));
}

export async function createGenerateJob(
  userId: string,
  raw: unknown,
  opts: { apiKeyId?: string; webhookUrl?: string } = {},
) {
  const { webhook, ...input } = parseInput(generateInput, raw);
  const webhookUrl = webhook ?? opts.webhookUrl;
  if (webhookUrl) assertWebhookUrlAllowed(webhookUrl, 'webhook');
  // Checked, routed and priced before anything is held (no maps yet: made once credits are).
  const {
    baseModel,
    resolved: images,
    routing,
    price: breakdown,
  } = await planGenerate(userId, input);
  const seed = input.seed ?? randomInt(0, 2 ** 32);
  const request = { ...input, baseModel, seed };
  const draft = buildWorkerParams(input, routing, seed, {
    ...images,
    mapKeys: input.controls.map(() => null),
  });
  const price = breakdown.total;
  const made: string[] = [];
  /** Maps are made only after the credits are held, in the transaction that accepts the job. */
  const makeMaps = async (tx: Tx): Promise<GenerateJobParams> => {
    const mapKeys: (string | null)[] = [];
    for (const c of input.controls) {
      if (c.preprocess === 'none') {
        mapKeys.push(null);
        continue;
      }
      const map = await controlMapFor(
        images.images.get(c.imageId)!,
        c.preprocess,
        { low: c.cannyLow, high: c.cannyHigh },
        tx,
      );
      if (map.made) made.push(map.key);
      mapKeys.push(map.key);
    }
    const { worker, inputs } = buildWorkerParams(input, routing, seed, { ...images, mapKeys });
    return { request, worker, inputs };
  };
  try {
    return await enqueueJob({
      userId,
      kind: 'GENERATE',
      params: { request, worker: draft.worker, inputs: draft.inputs },
      prepare: input.controls.some((c) => c.preprocess !== 'none') ? makeMaps : undefined,
      baseModel,
      requiredModels: draft.requiredModels,
      price,
      progressTotal: input.steps,
      apiKeyId: opts.apiKeyId,
      webhookUrl,
    });
  } catch (e) {
    await forgetUnrecordedMaps(made);
    throw e;
  }
}

/**
 * After a refused create (its transaction rolled back, map rows and charges with it): deletes the
 * files of the maps it made, unless a row recorded meanwhile (a preview of the same map) keeps one.
 */
async function forgetUnrecordedMaps(keys: string[]): Promise<void> {
  for (const key of keys) {
    if (await db().controlMap.findFirst({ where: { storageKey: key }, select: { id: true } }))
      continue;
    await storage()
      .delete([key])
      .catch(() => {}); // an orphan under the image's prefix goes when the image goes
  }
}

export interface EnqueueArgs {
  userId: string;
  kind: 'GENERATE' | 'TRAIN' | 'EDIT';
  params: {
    request: unknown;
    worker: Record<string, unknown>;
    inputs: Record<string, WorkerInput>;
  };
  baseModel: string;
  requiredModels: string[];
  price: number;
  progressTotal: number;
  apiKeyId?: string;
  webhookUrl?: string;
  /**
   * Work that needs the credits held first (making control maps): runs in the transaction after
   * the hold and the active-job limit, and gives the job's final params. If it throws, the job,
   * the hold and anything it recorded roll back: a failed request changes nothing.
   */
  prepare?: (tx: Tx) => Promise<EnqueueArgs['params']>;
}

/** Making maps in the transaction takes longer than Prisma's 5 s default allows for. */
const PREPARE_TX = { maxWait: 10_000, timeout: 120_000 };

/** The one transaction that accepts a job of any kind: row, hold, active-job limit, signal. */
export async function enqueueJob(a: EnqueueArgs) {
  const e = env();
  const user = await db().user.findUnique({ where: { id: a.userId }, select: { plan: true } });
  if (!user) throw new AppError('NOT_FOUND', 'User not found.');
  // A test-mode key (as_test_…): accepted already done, nothing spent, never queued.
  if (await isTestKey(a.apiKeyId)) return acceptTestJob(a);
  const plan = planFor(user.plan);
  return db().$transaction(async (tx) => {
    const job = await tx.job.create({
      data: {
        userId: a.userId,
        apiKeyId: a.apiKeyId,
        webhookUrl: a.webhookUrl,
        kind: a.kind,
        params: a.params as unknown as Prisma.InputJsonValue,
        baseModel: a.baseModel,
        requiredModels: a.requiredModels,
        price: a.price,
        priority: plan.priority,
        pools: poolsForJob(e.WORKER_POOLS, {
          kind: a.kind,
          baseModel: a.baseModel,
          plan: user.plan,
        }),
        maxAttempts: e.JOB_MAX_ATTEMPTS,
        progressTotal: a.progressTotal,
      },
    });
    await holdForJob(tx, a.userId, job.id, a.price); // locks the user's row: creates serialise here
    const active = await tx.job.count({
      where: { userId: a.userId, status: { in: ['QUEUED', 'RUNNING'] } },
    });
    if (active > plan.maxActiveJobs) {
      throw new AppError(
        'RATE_LIMITED',
        `You already have ${active - 1} jobs in progress (your plan allows ${plan.maxActiveJobs}). Wait for one to finish.`,
      );
    }
    const ready = a.prepare
      ? await tx.job.update({
          where: { id: job.id },
          data: { params: (await a.prepare(tx)) as unknown as Prisma.InputJsonValue },
        })
      : job;
    await signalJobQueued(tx, job.id);
    return ready;
  }, PREPARE_TX);
}
