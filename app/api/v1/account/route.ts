import { restRoute } from '@/server/api-keys/rest';
import { getBalance } from '@/server/credits/balance';
import { db } from '@/server/db';

export const GET = restRoute('account:read', async (_req, caller) => {
  const user = await db().user.findUniqueOrThrow({
    where: { id: caller.userId },
    select: { email: true, plan: true },
  });
  return Response.json({
    email: user.email,
    plan: user.plan,
    credits: await getBalance(caller.userId),
  });
});
