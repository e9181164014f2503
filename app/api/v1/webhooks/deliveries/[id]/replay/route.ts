// Sends a finished delivery again, as the same message (same webhook-id), through the queue.
import { restRoute } from '@/server/api-keys/rest';
import { replayDelivery } from '@/server/webhooks/deliveries';

type Ctx = { params: Promise<{ id: string }> };

export const POST = restRoute<Ctx>('webhooks:write', async (_req, caller, ctx) =>
  Response.json(await replayDelivery(caller.userId, (await ctx.params).id), { status: 202 }),
);
