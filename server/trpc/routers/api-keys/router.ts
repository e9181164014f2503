import { z } from 'zod';
import {
  API_SCOPES,
  createApiKey,
  createKeyInput,
  listApiKeys,
  revokeApiKey,
} from '../../../api-keys/keys';
import { usageRow } from '../../../api-keys/schemas';
import { usageByDay, usageQuery } from '../../../api-keys/usage';
import { protectedProcedure, router } from '../../init';

const keyView = z.object({
  id: z.string(),
  name: z.string(),
  start: z.string(),
  mode: z.enum(['live', 'test']),
  scopes: z.array(z.string()),
  lastUsedAt: z.date().nullable(),
  revokedAt: z.date().nullable(),
  createdAt: z.date(),
});

export const apiKeysRouter = router({
  scopes: protectedProcedure.output(z.array(z.string())).query(() => [...API_SCOPES]),
  list: protectedProcedure.output(z.array(keyView)).query(({ ctx }) => listApiKeys(ctx.user.id)),
  create: protectedProcedure
    .input(createKeyInput)
    .output(
      z.object({
        id: z.string(),
        name: z.string(),
        secret: z.string(),
        start: z.string(),
        scopes: z.array(z.string()),
        mode: z.enum(['live', 'test']),
      }),
    )
    .mutation(({ ctx, input }) => createApiKey(ctx.user.id, input)),
  /** Requests and credits spent per key and day, newest first. */
  usage: protectedProcedure
    .input(usageQuery.optional())
    .output(z.array(usageRow))
    .query(({ ctx, input }) => usageByDay(ctx.user.id, input ?? {})),
  revoke: protectedProcedure
    .input(z.strictObject({ id: z.string().max(64) }))
    .output(z.object({ ok: z.literal(true) }))
    .mutation(async ({ ctx, input }) => {
      await revokeApiKey(ctx.user.id, input.id);
      return { ok: true as const };
    }),
});
