// An adapter as its owner sees it (adapters/adapters.ts listAdapters), for tRPC (dates as Date)
// and REST (ISO 8601 strings) alike; see server/jobs/view-schema.ts.
import { z } from 'zod';

export function adapterViewSchema<D extends z.ZodType>(date: D) {
  return z.object({
    id: z.uuid(),
    name: z.string(),
    kind: z.enum(['LORA', 'SPECTRAL_SHIFT']),
    source: z.enum(['UPLOADED', 'TRAINED', 'EDIT']),
    baseModel: z.string(),
    sizeBytes: z.number().int(),
    settings: z.record(z.string(), z.unknown()),
    createdAt: date,
  });
}
