// Personal adapters: LoRA files a user brings (issue 05 adds trained ones and spectral shifts).
// Files live in object storage under the user's namespace and go with the record.
import { createHash, randomUUID } from 'node:crypto';
import { z } from 'zod';
import { text } from '../jobs/schemas';
import { db } from '../db';
import { AppError } from '../errors';
import { isJobId as isUuid } from '../jobs/lock';
import { storage, storageKeys } from '../storage';
import { chargeStorage, releaseStorage } from '../storage/quota';
import { defaultBaseModelOf, familyOf } from '../models/base-models';
import { FAMILIES, FAMILY_LABELS } from '../models/families';
import { parseInput } from '../validation';
import { baseModelMismatch, inspectAdapterFile } from './inspect';

export const adapterName = text(80, 'Give the adapter a name');

const importFields = z.strictObject({
  name: adapterName,
  baseModel: z.string().max(64).optional(),
});

export async function importAdapter(userId: string, bytes: Buffer, fields: unknown) {
  const { name, baseModel: asked } = parseInput(importFields, fields);
  if (asked !== undefined) familyOf(asked); // an unknown model is refused before the file is read
  const info = inspectAdapterFile(bytes);
  // Unnamed: the first offered base model of the file's own family.
  const baseModel = asked ?? defaultBaseModelOf(info.family);
  if (!baseModel) {
    throw new AppError(
      'VALIDATION_FAILED',
      `This adapter was made for ${FAMILY_LABELS[info.family]}; this server offers no ${FAMILY_LABELS[info.family]} base model.`,
    );
  }
  const madeFor = baseModelMismatch(info, baseModel, familyOf(baseModel));
  if (madeFor) {
    throw new AppError(
      'VALIDATION_FAILED',
      `This adapter was made for ${madeFor}; it cannot be used with ${baseModel}.`,
    );
  }
  const id = randomUUID();
  const fileKey = storageKeys.adapterFile(userId, id);
  // Checked and charged in one statement before the file is stored; given back if storing fails.
  await chargeStorage(userId, bytes.length, 'This file');
  try {
    await storage().put(fileKey, bytes, 'application/octet-stream');
    return await db().adapter.create({
      data: {
        id,
        userId,
        name,
        kind: info.kind,
        source: 'UPLOADED',
        baseModel,
        family: info.family,
        fileKey,
        sizeBytes: bytes.length,
        sha256: createHash('sha256').update(bytes).digest('hex'),
        settings: {
          layout: info.layout,
          rank: info.rank,
          tensors: info.tensors,
          parameters: info.parameters,
          targetsTextEncoder: info.targetsTextEncoder,
        },
      },
    });
  } catch (err) {
    await storage().delete([fileKey]);
    await releaseStorage(userId, bytes.length);
    throw err;
  }
}

export const adapterListFilter = z.strictObject({
  /** Only adapters made for this base model. */
  baseModel: z.string().min(1).max(64).optional(),
  /** Only adapters of this family (`sd15`, `sdxl`). */
  family: z.enum(FAMILIES).optional(),
});
export type AdapterListFilter = z.infer<typeof adapterListFilter>;

export async function listAdapters(userId: string, filter: AdapterListFilter = {}) {
  const rows = await db().adapter.findMany({
    where: { userId, baseModel: filter.baseModel, family: filter.family },
    orderBy: { createdAt: 'desc' },
    take: 200,
  });
  return rows.map((a) => ({
    id: a.id,
    name: a.name,
    kind: a.kind,
    source: a.source,
    baseModel: a.baseModel,
    family: a.family as (typeof FAMILIES)[number],
    sizeBytes: a.sizeBytes,
    settings: a.settings as Record<string, unknown>,
    createdAt: a.createdAt,
  }));
}

async function ownAdapter(userId: string, id: string) {
  const row = isUuid(id) ? await db().adapter.findFirst({ where: { id, userId } }) : null;
  if (!row) throw new AppError('NOT_FOUND', 'No such adapter.');
  return row;
}

export async function renameAdapter(userId: string, id: string, name: string) {
  await ownAdapter(userId, id);
  return db().adapter.update({ where: { id }, data: { name: adapterName.parse(name) } });
}

/** Deletes an adapter with its files and gives back the file's bytes to the storage quota. */
export async function deleteAdapter(userId: string, id: string) {
  const row = await ownAdapter(userId, id);
  await db().$transaction(async (tx) => {
    const { count } = await tx.adapter.deleteMany({ where: { id, userId } });
    if (count === 0) throw new AppError('NOT_FOUND', 'No such adapter.'); // deleted meanwhile
    await releaseStorage(userId, row.sizeBytes, tx);
  });
  await storage().delete([row.fileKey, ...row.sampleKeys]);
}
