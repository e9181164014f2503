// One storage quota per plan (server/billing/plans.ts: free 1 GB, pro 50 GB, studio 250 GB)
// covering everything a user keeps: library images, control maps, adapters (imported and made by
// jobs) and job outputs. `user.storageUsedBytes` is the count; it moves only here.
//
// What is counted, in bytes: a library image's normalised PNG; a control map's PNG; an adapter's
// file; an output image. Not counted: thumbnails and embeddings (derived, small, deleted with
// their image), training sample previews (a handful of small PNGs per trained adapter) and a
// running job's preview frame (overwritten, one per job).
//
// Charging rules:
// - A new upload, import or control map is checked AND charged in one statement (`chargeStorage`:
//   a conditional UPDATE … WHERE used + n <= quota RETURNING). The row lock serialises concurrent
//   charges of one user and the WHERE is re-checked after the wait, so concurrent uploads can
//   never overshoot the quota. It is charged before anything is stored and released if storing
//   fails, so a refused or failed request changes nothing.
// - Outputs are charged when the worker completes the job, unconditionally (`addStorageUsed`):
//   the user paid credits for them, and a paid job is never failed for quota. Such outputs can
//   take a user over the quota; then new uploads, imports and maps are refused until they delete.
// - Deleting anything releases exactly what it was charged (`releaseStorage`).
import { Prisma } from '@prisma/client';
import { PLANS } from '../billing/plans';
import { db, type Tx } from '../db';
import { AppError } from '../errors';
import { formatBytes } from '../../lib/format-bytes';

export { formatBytes };

type Sql = Pick<Tx, '$queryRaw'>;

/** plan key → quota, for the statement; an unknown plan is the free one, as in planFor. */
const QUOTAS_JSON = JSON.stringify(
  Object.fromEntries(Object.values(PLANS).map((p) => [p.key, p.storageQuotaBytes])),
);
const FREE_QUOTA = PLANS.free!.storageQuotaBytes;
/** The user row's quota in SQL, for statements on "user". */
const QUOTA_SQL = Prisma.sql`COALESCE((${QUOTAS_JSON}::jsonb ->> "plan")::bigint, ${FREE_QUOTA}::bigint)`;

export interface StorageUse {
  usedBytes: number;
  quotaBytes: number;
}

/**
 * Checks and charges `bytes` against the user's plan quota in one statement; throws
 * QUOTA_EXCEEDED with the numbers ("This file is 300 MB; you have 120 MB of 1 GB left.") and
 * changes nothing when it does not fit. `what` names the thing in that sentence.
 */
export async function chargeStorage(
  userId: string,
  bytes: number,
  what = 'This file',
  sql: Sql = db(),
): Promise<StorageUse> {
  const rows = await sql.$queryRaw<{ used: bigint; quota: bigint }[]>`
    UPDATE "user"
       SET "storageUsedBytes" = "storageUsedBytes" + ${bytes}::bigint
     WHERE "id" = ${userId}
       AND "storageUsedBytes" + ${bytes}::bigint <= ${QUOTA_SQL}
 RETURNING "storageUsedBytes" AS used,
           ${QUOTA_SQL} AS quota`;
  const row = rows[0];
  if (row) return { usedBytes: Number(row.used), quotaBytes: Number(row.quota) };
  const now = await storageUse(userId, sql);
  if (!now) throw new AppError('NOT_FOUND', 'User not found.');
  const left = Math.max(0, now.quotaBytes - now.usedBytes);
  throw new AppError(
    'QUOTA_EXCEEDED',
    `${what} is ${formatBytes(bytes)}; you have ${formatBytes(left)} of ${formatBytes(now.quotaBytes)} left. Delete images, adapters or results you no longer need, or upgrade your plan.`,
    { neededBytes: bytes, usedBytes: now.usedBytes, quotaBytes: now.quotaBytes, leftBytes: left },
  );
}

/** Counts bytes whatever the quota says: outputs of a paid job (see the rules above). */
export async function addStorageUsed(userId: string, bytes: number, sql: Sql = db()) {
  if (bytes <= 0) return;
  await sql.$queryRaw`
    UPDATE "user" SET "storageUsedBytes" = "storageUsedBytes" + ${bytes}::bigint
     WHERE "id" = ${userId} RETURNING 1`;
}

/** Gives back what deleting something freed (never below zero). */
export async function releaseStorage(userId: string, bytes: number, sql: Sql = db()) {
  if (bytes <= 0) return;
  await sql.$queryRaw`
    UPDATE "user"
       SET "storageUsedBytes" = GREATEST(0, "storageUsedBytes" - ${bytes}::bigint)
     WHERE "id" = ${userId} RETURNING 1`;
}

/** Used and quota bytes for the account page and GET /account; null for an unknown user. */
export async function storageUse(userId: string, sql: Sql = db()): Promise<StorageUse | null> {
  const rows = await sql.$queryRaw<{ used: bigint; quota: bigint }[]>`
    SELECT "storageUsedBytes" AS used,
           ${QUOTA_SQL} AS quota
      FROM "user" WHERE "id" = ${userId}`;
  const row = rows[0];
  return row ? { usedBytes: Number(row.used), quotaBytes: Number(row.quota) } : null;
}
