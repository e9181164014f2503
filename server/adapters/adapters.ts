// Personal adapters: LoRA files a user brings (issue 05 adds trained ones and spectral shifts).
// Files live in object storage under the user's namespace and go with the record.
import { createHash, randomUUID } from 'node:crypto';
import { z } from 'zod';
import { text } from '../jobs/schemas';
import { db } from '../db';
import { env } from '../env';
import { AppError } from '../errors';
import { isJobId as isUuid } from '../jobs/lock';
import { storage, storageKeys } from '../storage';
import { chargeStorage, releaseStorage } from '../storage/quota';
import { parseInput } from '../validation';
import { baseModelMismatch, inspectAdapterFile } from './inspect';

export const adapterName = text(80, 'Give the adapter a name');

const importFields = z.strictObject({
  name: adapterName,
  baseModel: z.string().max(64).optional(),
});

export async function importAdapter(userId: string, bytes: Buffer, fields: unknown) {
  const { name, baseModel: asked } = parseInput(importFields, fields);
  const e = env();
  const baseModel = asked ?? e.BASE_MODELS[0]!;
  if (!e.BASE_MODELS.includes(baseModel)) {
    throw new AppError(
      'VALIDATION_FAILED',
      `baseModel: unknown model "${baseModel}"; available: ${e.BASE_MODELS.join(', ')}`,
    );
  }
  const info = inspectAdapterFile(bytes);
  const madeFor = baseModelMismatch(info, baseModel);
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

export async function listAdapters(userId: string) {
  const rows = await db().adapter.findMany({
    where: { userId },
    orderBy: { createdAt: 'desc' },
    take: 200,
  });
  return rows.map((a) => ({
    id: a.id,
    name: a.name,
    kind: a.kind,
    source: a.source,
    baseModel: a.baseModel,
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
