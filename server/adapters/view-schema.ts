// An adapter as its owner sees it (adapters/adapters.ts listAdapters), for tRPC (dates as Date)
// and REST (ISO 8601 strings) alike; see server/jobs/view-schema.ts.
import { z } from 'zod';
import { FAMILIES } from '../models/families';

export function adapterViewSchema<D extends z.ZodType>(date: D) {
  return z.object({
    id: z.uuid(),
    name: z.string(),
    kind: z.enum(['LORA', 'SPECTRAL_SHIFT']),
    source: z.enum(['UPLOADED', 'TRAINED', 'EDIT']),
    baseModel: z.string(),
    /** The model family the file is for (read from the file at import). */
    family: z.enum(FAMILIES),
    sizeBytes: z.number().int(),
    settings: z.record(z.string(), z.unknown()),
    createdAt: date,
  });
}
