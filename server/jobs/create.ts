// Accepting a job: validate, resolve the user's own inputs, price it, then in ONE transaction
// insert the job, hold its price, make any control maps it needs (only once the credits are
// held: no credits, no CPU) and signal the queue. Either all of it happens or none.
import { randomInt } from 'node:crypto';
import type { Prisma } from '@prisma/client';
import { planFor } from '../billing/plans';
import { holdForJob } from '../credits/ledger';
import { priceGenerate } from '../credits/pricing';
import { db, type Tx } from '../db';
import { env } from '../env';
import { AppError } from '../errors';
import { controlMapFor } from '../inference/control-maps';
import { embeddingKey } from '../references/embeddings';
import { storage } from '../storage';
import { parseInput } from '../validation';
import { assertWebhookUrlAllowed } from '../webhooks/ssrf';
import { poolsForJob } from '../workers/pools';
import { signalJobQueued } from './queue-signal';
import { acceptTestJob, isTestKey } from './test-mode';
import { generateInput, type GenerateInput } from './schemas';

/** SD 1.5 first; every configured base model is of this family until SDXL lands. */
const FAMILY = 'sd15';

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
  baseModel: string,
  seed: number,
  resolved: Awaited<ReturnType<typeof resolveInputs>> & { mapKeys: (string | null)[] },
): {
  worker: Record<string, unknown>;
  inputs: Record<string, WorkerInput>;
  requiredModels: string[];
} {
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
  if (references.length) required.add(`ip_adapters:${FAMILY}/${input.ipAdapter}`);
  const controls = input.controls.map((c, i) => {
    const img = resolved.images.get(c.imageId)!;
    const mapKey = resolved.mapKeys[i];
    inputs[`control-${i}`] = mapKey
      ? { key: mapKey }
      : { key: img.originalKey, sha256: img.sha256, bytes: img.bytes };
    required.add(
      `${c.adapter === 'controlnet' ? 'controlnets' : 't2i_adapters'}:${FAMILY}/${c.type}`,
    );
    return {
      type: c.type,
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
    if (a.baseModel !== baseModel) {
      throw new AppError(
        'VALIDATION_FAILED',
        `Adapter "${a.name}" was made for ${a.baseModel}, not ${baseModel}.`,
      );
    }
    inputs[`lora-${i}`] = { key: a.fileKey, sha256: a.sha256, bytes: a.sizeBytes };
    return { file: `lora-${i}`, weight: l.weight };
  });
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
    preview_every: Math.max(1, Math.round(input.steps / 8)),
  };
  return { worker, inputs, requiredModels: [...required].sort() };
}

export async function createGenerateJob(
  userId: string,
  raw: unknown,
  opts: { apiKeyId?: string; webhookUrl?: string } = {},
) {
  const { webhook, ...input } = parseInput(generateInput, raw);
  const webhookUrl = webhook ?? opts.webhookUrl;
  if (webhookUrl) assertWebhookUrlAllowed(webhookUrl, 'webhook');
  const baseModel = baseModelOrDefault(input.baseModel);
  const images = await resolveInputs(userId, input);
  const seed = input.seed ?? randomInt(0, 2 ** 32);
  const request = { ...input, baseModel, seed };
  // Checked and priced before anything is held (no maps yet: they are made once credits are).
  const draft = buildWorkerParams(input, baseModel, seed, {
    ...images,
    mapKeys: input.controls.map(() => null),
  });
  const price = priceGenerate(input).total;
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
    const { worker, inputs } = buildWorkerParams(input, baseModel, seed, { ...images, mapKeys });
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

export function baseModelOrDefault(asked: string | undefined): string {
  const e = env();
  const baseModel = asked ?? e.BASE_MODELS[0]!;
  if (!e.BASE_MODELS.includes(baseModel)) {
    throw new AppError(
      'VALIDATION_FAILED',
      `baseModel: unknown model "${baseModel}"; available: ${e.BASE_MODELS.join(', ')}`,
    );
  }
  return baseModel;
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
