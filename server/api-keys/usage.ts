// Usage per API key and day: requests (counted with the rate limit, server/api-keys/rate-limit.ts)
// and credits spent (captured holds of the jobs the key created — the ledger is the truth).
import { z } from 'zod';
import { planFor } from '../billing/plans';
import { getBalance } from '../credits/balance';
import { db } from '../db';
import { storageUse } from '../storage/quota';
import { parseInput } from '../validation';

export const usageQuery = z.strictObject({
  days: z.coerce.number().int().min(1).max(90).default(30),
});

export interface UsageRow {
  apiKeyId: string;
  keyName: string;
  keyStart: string;
  day: string;
  requests: number;
  creditsSpent: number;
}

export async function usageByDay(userId: string, raw: unknown): Promise<UsageRow[]> {
  const { days } = parseInput(usageQuery, raw);
  const since = new Date(Date.now() - (days - 1) * 86_400_000).toISOString().slice(0, 10);
  const rows = await db().$queryRaw<
    { apiKeyId: string; name: string; start: string; day: Date; requests: number; spent: number }[]
  >`
    WITH spent AS (
      SELECT j."apiKeyId", (e."createdAt" AT TIME ZONE 'UTC')::date AS day, SUM(j.price)::int AS spent
      FROM "CreditLedgerEntry" e JOIN "Job" j ON j.id = e."jobId"
      WHERE e."userId" = ${userId} AND e.kind = 'CAPTURE' AND j."apiKeyId" IS NOT NULL
        AND e."createdAt" >= ${since}::date
      GROUP BY 1, 2
    ), reqs AS (
      SELECT u."apiKeyId", u.day, u.requests
      FROM "ApiKeyUsageDay" u JOIN "ApiKey" k ON k.id = u."apiKeyId"
      WHERE k."userId" = ${userId} AND u.day >= ${since}::date
    )
    SELECT k.id AS "apiKeyId", k.name, k.start, d.day,
           COALESCE(r.requests, 0)::int AS requests, COALESCE(s.spent, 0)::int AS spent
    FROM (SELECT "apiKeyId", day FROM reqs UNION SELECT "apiKeyId", day FROM spent) d
    JOIN "ApiKey" k ON k.id = d."apiKeyId"
    LEFT JOIN reqs r ON r."apiKeyId" = d."apiKeyId" AND r.day = d.day
    LEFT JOIN spent s ON s."apiKeyId" = d."apiKeyId" AND s.day = d.day
    ORDER BY d.day DESC, k.name`;
  return rows.map((r) => ({
    apiKeyId: r.apiKeyId,
    keyName: r.name,
    keyStart: r.start,
    day: r.day.toISOString().slice(0, 10),
    requests: r.requests,
    creditsSpent: r.spent,
  }));
}

/** What GET /api/v1/account answers: who, plan, balance, limit, storage and 30 days' usage. */
export async function accountOverview(userId: string) {
  const user = await db().user.findUniqueOrThrow({
    where: { id: userId },
    select: { email: true, plan: true },
  });
  const [credits, rows, storage] = await Promise.all([
    getBalance(userId),
    usageByDay(userId, {}),
    storageUse(userId),
  ]);
  return {
    email: user.email,
    plan: user.plan,
    credits,
    rateLimit: { requestsPerMinute: planFor(user.plan).apiRequestsPerMinute },
    storage: storage ?? { usedBytes: 0, quotaBytes: planFor(user.plan).storageQuotaBytes },
    usage: {
      days: 30,
      requests: rows.reduce((n, r) => n + r.requests, 0),
      creditsSpent: rows.reduce((n, r) => n + r.creditsSpent, 0),
    },
  };
}
