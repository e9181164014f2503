// The price of a generation before paying, with how each plugin runs (natively or through
// X-Adapter): the same request POST /generations takes; nothing is held or queued.
import { jsonBody, restRoute } from '@/server/api-keys/rest';
import { quoteGenerateJob } from '@/server/jobs/create';

export const POST = restRoute('jobs:read', async (req, caller) =>
  Response.json(await quoteGenerateJob(caller.userId, await jsonBody(req))),
);
