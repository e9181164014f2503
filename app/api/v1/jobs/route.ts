import { z } from 'zod';
import { restRoute } from '@/server/api-keys/rest';
import { listJobs } from '@/server/jobs/user-jobs';
import { parseInput } from '@/server/validation';

const query = z.strictObject({
  cursor: z.string().max(64).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(20),
});

export const GET = restRoute('jobs:read', async (req, caller) => {
  const q = parseInput(query, Object.fromEntries(new URL(req.url).searchParams));
  return Response.json(await listJobs(caller.userId, q));
});
