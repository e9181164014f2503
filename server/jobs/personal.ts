// Personal-adapter jobs: `train` (SVDiff spectral shifts or LoRA from 1–20 library photos,
// Cut-Mix-Unmix for two subjects) and `edit` (CoSINE on one photo). Same acceptance path as a
// generation: validate, resolve the user's own photos, price, enqueue in one transaction.
import { randomInt } from 'node:crypto';
import { priceEdit, priceTrain } from '../credits/pricing';
import { db } from '../db';
import { AppError } from '../errors';
import { parseInput } from '../validation';
import { assertWebhookUrlAllowed } from '../webhooks/ssrf';
import { baseModels, familyOf } from '../models/base-models';
import { baseModelOrDefault, enqueueJob, type WorkerInput } from './create';
import { editInput, trainInput } from './schemas';

async function ownPhotos(userId: string, ids: string[], minSide: number) {
  const rows = await db().referenceImage.findMany({ where: { id: { in: ids }, userId } });
  const byId = new Map(rows.map((r) => [r.id, r]));
  return ids.map((id) => {
    const img = byId.get(id);
    if (!img) throw new AppError('NOT_FOUND', `Image ${id} was not found in your library.`);
    if (Math.min(img.width, img.height) < minSide) {
      throw new AppError(
        'VALIDATION_FAILED',
        `A photo is ${img.width}×${img.height}: photos must be at least ${minSide} pixels on the short side for this resolution.`,
      );
    }
    return img;
  });
}

/**
 * The base model of a train or edit job: these run on SD 1.5 base models only (the worker trains
 * and edits SD 1.5), so an SDXL one is refused before anything is held.
 */
function sd15BaseModel(asked: string | undefined, what: string): string {
  const baseModel = baseModelOrDefault(asked);
  if (familyOf(baseModel) !== 'sd15') {
    const sd15 = baseModels().filter((m) => m.family === 'sd15');
    throw new AppError(
      'VALIDATION_FAILED',
      `baseModel: ${what} runs on SD 1.5 base models only, not ${baseModel} (SDXL); available: ${sd15.map((m) => m.name).join(', ') || 'none'}.`,
    );
  }
  return baseModel;
}

export async function createTrainJob(
  userId: string,
  raw: unknown,
  opts: { apiKeyId?: string } = {},
) {
  const { webhook, ...t } = parseInput(trainInput, raw);
  if (webhook) assertWebhookUrlAllowed(webhook, 'webhook');
  const baseModel = sd15BaseModel(t.baseModel, 'Training');
  if (new Set(t.imageIds).size !== t.imageIds.length)
    throw new AppError('VALIDATION_FAILED', 'Each photo may be chosen once.');
  const photos = await ownPhotos(userId, t.imageIds, t.resolution);
  const second = t.secondSubject
    ? await ownPhotos(userId, t.secondSubject.imageIds, t.resolution)
    : [];
  const inputs: Record<string, WorkerInput> = {};
  const names = photos.map((p, i) => {
    inputs[`photo-${i}`] = { key: p.originalKey, sha256: p.sha256, bytes: p.bytes };
    return `photo-${i}`;
  });
  const secondNames = second.map((p, i) => {
    inputs[`photo2-${i}`] = { key: p.originalKey, sha256: p.sha256, bytes: p.bytes };
    return `photo2-${i}`;
  });
  const seed = t.seed ?? randomInt(0, 2 ** 32);
  const worker = {
    base_model: baseModel,
    method: t.method,
    rank: t.rank,
    images: names,
    instance_prompt: t.instancePrompt,
    token: t.token ?? null,
    class_prompt: t.classPrompt ?? null,
    prior_preservation: t.priorPreservation,
    second_subject: t.secondSubject
      ? {
          images: secondNames,
          instance_prompt: t.secondSubject.instancePrompt,
          token: t.secondSubject.token,
        }
      : null,
    steps: t.steps,
    seed,
    resolution: t.resolution,
    num_samples: 2,
  };
  return enqueueJob({
    apiKeyId: opts.apiKeyId,
    userId,
    kind: 'TRAIN',
    params: { request: { ...t, baseModel, seed }, worker, inputs },
    baseModel,
    requiredModels: [],
    price: priceTrain(t).total,
    progressTotal: t.steps,
    webhookUrl: webhook,
  });
}

export async function createEditJob(
  userId: string,
  raw: unknown,
  opts: { apiKeyId?: string } = {},
) {
  const { webhook, ...e } = parseInput(editInput, raw);
  if (webhook) assertWebhookUrlAllowed(webhook, 'webhook');
  const baseModel = sd15BaseModel(e.baseModel, 'Editing');
  const [photo] = await ownPhotos(userId, [e.imageId], e.resolution);
  const seed = e.seed ?? randomInt(0, 2 ** 32);
  const worker = {
    base_model: baseModel,
    image: 'photo',
    source_prompt: e.sourcePrompt,
    target_prompt: e.targetPrompt,
    steps: e.steps,
    resolution: e.resolution,
    eta: e.eta,
    slerp_alpha: e.strength,
    num_images: e.numImages,
    seed,
  };
  return enqueueJob({
    apiKeyId: opts.apiKeyId,
    userId,
    kind: 'EDIT',
    params: {
      request: { ...e, baseModel, seed },
      worker,
      inputs: { photo: { key: photo!.originalKey, sha256: photo!.sha256, bytes: photo!.bytes } },
    },
    baseModel,
    requiredModels: [],
    price: priceEdit(e).total,
    progressTotal: e.steps,
    webhookUrl: webhook,
  });
}
