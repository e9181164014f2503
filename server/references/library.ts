// The user's image library (IP-Adapter references and control images).
import { createHash } from 'node:crypto';
import { db } from '../db';
import { AppError } from '../errors';
import { storage, storageKeys, URL_TTL_S } from '../storage';
import { chargeStorage, releaseStorage } from '../storage/quota';
import { isJobId as isUuid } from '../jobs/lock';
import { storeEmbeddings } from './embeddings';
import { normaliseImage } from './image-safety';

export async function addLibraryImage(userId: string, bytes: Buffer) {
  const img = await normaliseImage(bytes);
  const sha256 = createHash('sha256').update(img.png).digest('hex');
  const existing = await db().referenceImage.findUnique({
    where: { userId_sha256: { userId, sha256 } },
  });
  if (existing) return { image: existing, deduplicated: true };
  const size = img.png.length;
  // Checked and charged in one statement before anything is stored; given back on any failure.
  await chargeStorage(userId, size, 'This image');
  let stored: Awaited<ReturnType<typeof storeNewImage>>;
  try {
    stored = await storeNewImage(userId, sha256, img);
  } catch (e) {
    await releaseStorage(userId, size);
    throw e;
  }
  // A concurrent upload of the same image was charged for it already.
  if (stored.deduplicated) await releaseStorage(userId, size);
  return stored;
}

async function storeNewImage(
  userId: string,
  sha256: string,
  img: Awaited<ReturnType<typeof normaliseImage>>,
) {
  const originalKey = storageKeys.referenceOriginal(userId, sha256);
  const thumbnailKey = storageKeys.referenceThumbnail(userId, sha256);
  await storage().put(originalKey, img.png, 'image/png');
  await storage().put(thumbnailKey, img.thumbnail, 'image/webp');
  let embedding: Awaited<ReturnType<typeof storeEmbeddings>> = null;
  try {
    embedding = await storeEmbeddings(userId, sha256, img.png);
  } catch (e) {
    // Not fatal: without a stored embedding the worker encodes the image itself.
    console.warn(
      `[references] embedding failed for ${sha256}: ${e instanceof Error ? e.message : String(e)}`,
    );
  }
  try {
    const image = await db().referenceImage.create({
      data: {
        userId,
        sha256,
        originalKey,
        thumbnailKey,
        contentType: 'image/png',
        width: img.width,
        height: img.height,
        bytes: img.png.length,
        embedding: embedding?.vector,
        embeddingModel: embedding?.model,
      },
    });
    return { image, deduplicated: false };
  } catch (e) {
    // A concurrent upload of the same image won the unique constraint: return that one (its
    // files are these same bytes under the same keys).
    const raced = await db().referenceImage.findUnique({
      where: { userId_sha256: { userId, sha256 } },
    });
    if (raced) return { image: raced, deduplicated: true };
    await storage().delete([originalKey, thumbnailKey]);
    await storage().deletePrefix(storageKeys.referenceDerived(userId, sha256));
    throw e;
  }
}

/**
 * Copies one of the user's outputs into their library through the upload path (same checks,
 * normalisation, dedupe, quota and embedding), so "use as reference" twice adds it once.
 */
export async function addLibraryImageFromOutput(userId: string, outputId: string) {
  const notFound = () => new AppError('NOT_FOUND', 'No such image.');
  if (!isUuid(outputId)) throw notFound();
  const output = await db().jobOutput.findFirst({
    where: { id: outputId, userId },
    select: { storageKey: true },
  });
  if (!output) throw notFound();
  const bytes = await storage().get(output.storageKey);
  if (!bytes) throw notFound();
  return addLibraryImage(userId, bytes);
}

export async function listLibraryImages(userId: string) {
  const rows = await db().referenceImage.findMany({
    where: { userId },
    orderBy: { createdAt: 'desc' },
    take: 200,
  });
  const s = storage();
  return Promise.all(
    rows.map(async (r) => ({
      id: r.id,
      width: r.width,
      height: r.height,
      thumbnailUrl: await s.signedGetUrl(r.thumbnailKey, URL_TTL_S.browser),
      url: await s.signedGetUrl(r.originalKey, URL_TTL_S.browser),
      hasEmbedding: r.embedding !== null,
      createdAt: r.createdAt,
    })),
  );
}

/** Deletes an image with its control maps and gives back their bytes, in one transaction. */
export async function deleteLibraryImage(userId: string, id: string) {
  const row = isUuid(id) ? await db().referenceImage.findFirst({ where: { id, userId } }) : null;
  if (!row) throw new AppError('NOT_FOUND', 'No such image.');
  await db().$transaction(async (tx) => {
    // The row lock keeps a map from being added (its foreign key waits) between sum and delete.
    const locked = await tx.$queryRaw<unknown[]>`
      SELECT 1 FROM "ReferenceImage" WHERE "id" = ${id}::uuid AND "userId" = ${userId} FOR UPDATE`;
    if (locked.length === 0) throw new AppError('NOT_FOUND', 'No such image.'); // deleted meanwhile
    const maps = await tx.controlMap.aggregate({ where: { imageId: id }, _sum: { bytes: true } });
    await tx.referenceImage.delete({ where: { id } });
    await releaseStorage(userId, row.bytes + (maps._sum.bytes ?? 0), tx);
  });
  await storage().delete([row.originalKey, row.thumbnailKey]);
  await storage().deletePrefix(storageKeys.referenceDerived(userId, row.sha256));
}
