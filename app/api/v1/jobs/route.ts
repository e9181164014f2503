import { restRoute } from '@/server/api-keys/rest';
import { jobListQuery } from '@/server/api-keys/schemas';
import { listJobs } from '@/server/jobs/user-jobs';
import { parseInput } from '@/server/validation';

export const GET = restRoute('jobs:read', async (req, caller) => {
  const q = parseInput(jobListQuery, Object.fromEntries(new URL(req.url).searchParams));
  return Response.json(await listJobs(caller.userId, q));
});
