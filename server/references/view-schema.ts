// A library image as its owner sees it (references/library.ts listLibraryImages), for tRPC
// (dates as Date) and REST (ISO 8601 strings) alike; see server/jobs/view-schema.ts.
import { z } from 'zod';

export function referenceViewSchema<D extends z.ZodType>(date: D) {
  return z.object({
    id: z.uuid(),
    width: z.number().int(),
    height: z.number().int(),
    thumbnailUrl: z.string(),
    url: z.string(),
    hasEmbedding: z.boolean(),
    createdAt: date,
  });
}
