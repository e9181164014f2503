import { jsonBody, restRoute } from '@/server/api-keys/rest';
import { createGenerateJob } from '@/server/jobs/create';
import { getJob } from '@/server/jobs/user-jobs';

export const POST = restRoute('jobs:write', async (req, caller) => {
  const job = await createGenerateJob(caller.userId, await jsonBody(req), {
    apiKeyId: caller.apiKeyId ?? undefined,
  });
  return Response.json(await getJob(caller.userId, job.id), { status: 201 });
});
