import { jobResponse } from '@/server/api-keys/prefer-wait';
import { jsonBody, restRoute } from '@/server/api-keys/rest';
import { createTrainJob } from '@/server/jobs/personal';

export const POST = restRoute('jobs:write', async (req, caller) => {
  const job = await createTrainJob(caller.userId, await jsonBody(req), {
    apiKeyId: caller.apiKey?.keyId,
  });
  return jobResponse(req, caller.userId, job.id, 201);
});
