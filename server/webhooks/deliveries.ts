// The delivery log of an account, and replay: a delivery is sent again as the SAME message
// (same webhook-id, so a receiver that already processed it can tell), through the queue.
import type { WebhookDelivery } from '@prisma/client';
import { db } from '../db';
import { AppError } from '../errors';
import { isJobId as isUuid } from '../jobs/lock';
import { cursorArgs } from '../pagination';
import { parseInput } from '../validation';
import { notifyDelivery } from './events';
import { listDeliveriesInput, type DeliveryView } from './schemas';

export function toDeliveryView(d: WebhookDelivery): DeliveryView {
  return {
    id: d.id,
    endpointId: d.endpointId,
    jobId: d.jobId,
    url: d.url,
    eventType: d.eventType,
    status: d.status,
    attempts: d.attempts,
    nextAttemptAt: d.status === 'PENDING' ? d.nextAttemptAt : null,
    lastStatusCode: d.lastStatusCode,
    lastError: d.lastError,
    createdAt: d.createdAt,
    deliveredAt: d.deliveredAt,
  };
}

function notFound(): AppError {
  return new AppError('NOT_FOUND', 'No such webhook delivery.');
}

/** Newest first, a page at a time. */
export async function listDeliveries(userId: string, raw: unknown) {
  const q = parseInput(listDeliveriesInput, raw);
  const rows = await db().webhookDelivery.findMany({
    where: { userId, status: q.status, endpointId: q.endpointId, jobId: q.jobId },
    orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
    take: q.limit + 1,
    ...(await cursorArgs(q.cursor, (id) =>
      db().webhookDelivery.findFirst({ where: { id, userId }, select: { id: true } }),
    )),
  });
  const page = rows.slice(0, q.limit);
  return {
    items: page.map(toDeliveryView),
    nextCursor: rows.length > q.limit ? (page[page.length - 1]?.id ?? null) : null,
  };
}

/**
 * Queues a finished delivery (succeeded or failed) for a new round of attempts. A pending one is
 * already on its way: CONFLICT rather than a second copy racing the first.
 */
export async function replayDelivery(userId: string, id: string): Promise<DeliveryView> {
  if (!isUuid(id)) throw notFound();
  return db().$transaction(async (tx) => {
    const rows = await tx.$queryRaw<{ id: string }[]>`
      SELECT "id" FROM "WebhookDelivery" WHERE "id" = ${id}::uuid AND "userId" = ${userId} FOR UPDATE`;
    if (!rows.length) throw notFound();
    const current = await tx.webhookDelivery.findUniqueOrThrow({
      where: { id },
      include: { endpoint: { select: { enabled: true } } },
    });
    if (current.status === 'PENDING') {
      throw new AppError('CONFLICT', 'This delivery is still being attempted.');
    }
    if (current.endpointId && !current.endpoint?.enabled) {
      throw new AppError('CONFLICT', 'Its endpoint is disabled.');
    }
    const row = await tx.webhookDelivery.update({
      where: { id },
      data: { status: 'PENDING', attempts: 0, nextAttemptAt: new Date(), deliveredAt: null },
    });
    await notifyDelivery(tx, id);
    console.info(`[webhooks] ${id} replay requested (was ${current.status.toLowerCase()})`);
    return toDeliveryView(row);
  });
}
