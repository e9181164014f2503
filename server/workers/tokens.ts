// Worker tokens: one per pool (or per machine), shown once, stored as a SHA-256 hash.
import { createHash, randomBytes } from 'node:crypto';
import { db } from '../db';
import { AppError } from '../errors';

const PREFIX = 'aswk_';

export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

export async function createWorkerToken(pool: string, name: string) {
  if (!/^[\w.-]{1,64}$/.test(pool))
    throw new AppError('VALIDATION_FAILED', 'Pool names use letters, digits, . _ -');
  const token = PREFIX + randomBytes(30).toString('base64url');
  const row = await db().workerToken.create({
    data: {
      pool,
      name: name.slice(0, 100),
      hashedKey: hashToken(token),
      start: token.slice(0, 10),
    },
  });
  return { id: row.id, pool, name: row.name, token };
}

export async function revokeWorkerToken(id: string): Promise<boolean> {
  const res = await db().workerToken.updateMany({
    where: { id, revokedAt: null },
    data: { revokedAt: new Date() },
  });
  return res.count === 1;
}

export function listWorkerTokens() {
  return db().workerToken.findMany({
    orderBy: { createdAt: 'desc' },
    select: {
      id: true,
      pool: true,
      name: true,
      start: true,
      createdAt: true,
      lastUsedAt: true,
      revokedAt: true,
    },
  });
}

export interface WorkerIdentity {
  tokenId: string;
  pool: string;
}

/** The worker behind `Authorization: Bearer aswk_…`; anything else is UNAUTHENTICATED. */
export async function authenticateWorker(authorization: string | null): Promise<WorkerIdentity> {
  const token = /^Bearer (aswk_[A-Za-z0-9_-]{20,100})$/.exec(authorization ?? '')?.[1];
  if (!token) throw new AppError('UNAUTHENTICATED', 'A valid worker token is required.');
  const row = await db().workerToken.findUnique({ where: { hashedKey: hashToken(token) } });
  if (!row || row.revokedAt)
    throw new AppError('UNAUTHENTICATED', 'A valid worker token is required.');
  // Touch last-used at most once a minute: heartbeats are frequent.
  if (!row.lastUsedAt || Date.now() - row.lastUsedAt.getTime() > 60_000) {
    await db().workerToken.update({ where: { id: row.id }, data: { lastUsedAt: new Date() } });
  }
  return { tokenId: row.id, pool: row.pool };
}
