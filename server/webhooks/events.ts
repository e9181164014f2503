// The outbox: a job's terminal transition writes its webhook deliveries in the SAME transaction
// (so a rolled-back transition sends nothing, and a committed one cannot lose its events), then
// pg_notify — delivered only on commit — wakes the queue (worker.ts). If no process is listening
// the periodic sweep finds the rows.
import type { Job, Prisma } from '@prisma/client';
import type { Tx } from '../db';
import type { WebhookEventBody, WebhookEventType } from './schemas';

export const DELIVERY_CHANNEL = 'webhook_delivery';

const EVENT_OF_STATUS: Partial<Record<Job['status'], WebhookEventType>> = {
  SUCCEEDED: 'job.succeeded',
  FAILED: 'job.failed',
  CANCELED: 'job.canceled',
};

/**
 * Records the event of a job that just reached a terminal status: one delivery per enabled
 * endpoint subscribed to it, and one to the job's own `webhook` URL. Call inside the transaction
 * that made the transition.
 */
export async function recordJobEvent(tx: Tx, job: Job): Promise<number> {
  const type = EVENT_OF_STATUS[job.status];
  if (!type) return 0;
  const endpoints = await tx.webhookEndpoint.findMany({
    where: { userId: job.userId, enabled: true, eventTypes: { has: type } },
    select: { id: true, url: true },
  });
  const targets: { endpointId: string | null; url: string }[] = endpoints.map((e) => ({
    endpointId: e.id,
    url: e.url,
  }));
  if (job.webhookUrl) targets.push({ endpointId: null, url: job.webhookUrl });
  if (!targets.length) return 0;
  // The job itself (with freshly signed output URLs) is filled in at each attempt.
  const payload: WebhookEventBody = {
    type,
    timestamp: (job.finishedAt ?? new Date()).toISOString(),
    data: { id: job.id, status: job.status },
  };
  const rows = await tx.webhookDelivery.createManyAndReturn({
    data: targets.map((t) => ({
      userId: job.userId,
      endpointId: t.endpointId,
      jobId: job.id,
      url: t.url,
      eventType: type,
      payload: payload as unknown as Prisma.InputJsonValue,
    })),
    select: { id: true },
  });
  for (const r of rows) await notifyDelivery(tx, r.id);
  return rows.length;
}

/** Wakes the queue for a delivery once the surrounding transaction commits. */
export async function notifyDelivery(tx: Tx, deliveryId: string): Promise<void> {
  await tx.$executeRaw`SELECT pg_notify(${DELIVERY_CHANNEL}, ${deliveryId})`;
}
