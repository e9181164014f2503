// What a job looks like to its owner (server/jobs/user-jobs.ts JobView), as one schema for both
// faces: tRPC sends dates as Date (superjson), REST as ISO 8601 strings, so the date type is
// the only thing each face chooses.
import { z } from 'zod';

export function jobViewSchema<D extends z.ZodType>(date: D) {
  return z.object({
    id: z.uuid(),
    kind: z.enum(['GENERATE', 'EDIT', 'TRAIN']),
    status: z.enum(['QUEUED', 'RUNNING', 'SUCCEEDED', 'FAILED', 'CANCELED']),
    livemode: z.boolean().meta({
      description:
        'False for a job made with a test key (as_test_…): it spent nothing, never ran on a GPU, and its outputs are placeholder images marked TEST.',
    }),
    price: z.number().int().meta({ description: 'Credits held for the job, captured on success.' }),
    progress: z.object({ step: z.number().int(), total: z.number().int() }),
    previewUrl: z.string().nullable().meta({ description: 'Latest latent preview while running.' }),
    cancelRequested: z.boolean(),
    error: z.object({ code: z.string(), message: z.string() }).nullable(),
    request: z
      .unknown()
      .meta({ description: 'The request as accepted, defaults and seed filled in.' }),
    outputs: z.array(
      z.object({
        id: z.uuid(),
        index: z.number().int(),
        url: z.string().meta({ description: 'Signed URL, valid for 15 minutes.' }),
        width: z.number().int(),
        height: z.number().int(),
        seed: z.string().nullable(),
        shareSlug: z
          .string()
          .nullable()
          .meta({ description: 'Set while the output is public at /s/{shareSlug}.' }),
      }),
    ),
    adapter: z
      .object({ id: z.uuid(), name: z.string(), samples: z.array(z.string()) })
      .nullable()
      .meta({ description: 'The adapter a training or edit job made.' }),
    createdAt: date,
    startedAt: date.nullable(),
    finishedAt: date.nullable(),
  });
}
