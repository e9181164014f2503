// Registered webhook endpoints of an account: create (the secret is shown in the answer), list,
// reveal the secret to its owner, delete. Another user's endpoint id reads like a missing one.
import type { WebhookEndpoint } from '@prisma/client';
import { db } from '../db';
import { AppError } from '../errors';
import { isJobId as isUuid } from '../jobs/lock';
import { parseInput } from '../validation';
import { createEndpointInput, type EndpointView, type WebhookEventType } from './schemas';
import { jobUrlSecret, newEndpointSecret } from './secrets';
import { assertWebhookUrlAllowed } from './ssrf';

/** Enough for staging + production + a few tools; more is usually a loop creating them. */
export const MAX_ENDPOINTS_PER_ACCOUNT = 20;

function toView(e: WebhookEndpoint): EndpointView {
  return {
    id: e.id,
    url: e.url,
    eventTypes: e.eventTypes as WebhookEventType[],
    enabled: e.enabled,
    createdAt: e.createdAt,
  };
}

function notFound(): AppError {
  return new AppError('NOT_FOUND', 'No such webhook endpoint.');
}

export async function createEndpoint(userId: string, raw: unknown) {
  const input = parseInput(createEndpointInput, raw);
  assertWebhookUrlAllowed(input.url, 'url');
  const row = await db().$transaction(async (tx) => {
    // The user's row lock makes the count and the insert one step for concurrent creates.
    await tx.$queryRaw`SELECT 1 FROM "user" WHERE "id" = ${userId} FOR UPDATE`;
    const count = await tx.webhookEndpoint.count({ where: { userId } });
    if (count >= MAX_ENDPOINTS_PER_ACCOUNT) {
      throw new AppError(
        'CONFLICT',
        `An account may have ${MAX_ENDPOINTS_PER_ACCOUNT} webhook endpoints; delete one first.`,
      );
    }
    return tx.webhookEndpoint.create({
      data: {
        userId,
        url: input.url,
        secret: newEndpointSecret(),
        eventTypes: [...new Set(input.eventTypes)],
      },
    });
  });
  return { ...toView(row), secret: row.secret };
}

export async function listEndpoints(userId: string): Promise<EndpointView[]> {
  const rows = await db().webhookEndpoint.findMany({
    where: { userId },
    orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
  });
  return rows.map(toView);
}

export async function endpointSecret(userId: string, id: string): Promise<{ secret: string }> {
  const row = isUuid(id)
    ? await db().webhookEndpoint.findFirst({ where: { id, userId }, select: { secret: true } })
    : null;
  if (!row) throw notFound();
  return { secret: row.secret };
}

/** The secret that signs deliveries to the `webhook` URLs given with jobs. */
export function jobWebhookSecret(userId: string): { secret: string } {
  return { secret: jobUrlSecret(userId) };
}

/** Deletes the endpoint; its deliveries go with it, and none still queued will be sent. */
export async function deleteEndpoint(userId: string, id: string): Promise<void> {
  const res = isUuid(id)
    ? await db().webhookEndpoint.deleteMany({ where: { id, userId } })
    : { count: 0 };
  if (res.count === 0) throw notFound();
}
