import { restRoute } from '@/server/api-keys/rest';
import { usageByDay } from '@/server/api-keys/usage';

export const GET = restRoute('account:read', async (req, caller) =>
  Response.json({
    items: await usageByDay(caller.userId, Object.fromEntries(new URL(req.url).searchParams)),
  }),
);
