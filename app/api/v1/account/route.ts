import { restRoute } from '@/server/api-keys/rest';
import { accountOverview } from '@/server/api-keys/usage';

export const GET = restRoute('account:read', async (_req, caller) =>
  Response.json(await accountOverview(caller.userId)),
);
