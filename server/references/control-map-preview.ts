// The control-map preview a user sees before paying (GET /api/references/{id}/control-map).
// Cached, counted and rate-limited as server/inference/control-maps.ts says (controlMapFor).
import { z } from 'zod';
import { db } from '../db';
import { AppError } from '../errors';
import { controlMapFor, MAP_KINDS } from '../inference/control-maps';
import { isJobId as isUuid } from '../jobs/lock';
import { parseInput } from '../validation';

const previewQuery = z.strictObject({
  kind: z.enum(MAP_KINDS),
  low: z.coerce.number().int().min(0).max(1020).default(100),
  high: z.coerce.number().int().min(0).max(1020).default(200),
});

export async function controlMapPreview(
  userId: string,
  imageId: string,
  query: URLSearchParams,
): Promise<Buffer> {
  const q = parseInput(previewQuery, Object.fromEntries(query));
  const image = isUuid(imageId)
    ? await db().referenceImage.findFirst({ where: { id: imageId, userId } })
    : null;
  if (!image) throw new AppError('NOT_FOUND', 'No such image.');
  return (await controlMapFor(image, q.kind, { low: q.low, high: q.high })).png;
}
