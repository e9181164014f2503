// API keys for developers (issue 07), the way dub and Stripe do them: a readable prefix that says
// live or test, a random secret shown once, stored as a SHA-256 hash plus a display fragment;
// scopes; last used; revocable.
import { createHash, randomBytes } from 'node:crypto';
import { db } from '../db';
import { pgPool } from '../db-pool';
import { AppError } from '../errors';
import { isJobId as isUuid } from '../jobs/lock';
import { parseInput } from '../validation';
import { API_SCOPES, createKeyInput, type ApiScope } from './key-input';

// The schema lives in key-input.ts so client forms can import it without Node code.
export { API_SCOPES, createKeyInput, type ApiScope };

export function hashApiKey(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

export async function createApiKey(userId: string, raw: unknown) {
  const input = parseInput(createKeyInput, raw);
  const secret = `as_${input.mode}_${randomBytes(24).toString('base64url')}`;
  const row = await db().apiKey.create({
    data: {
      userId,
      name: input.name,
      mode: input.mode === 'live' ? 'LIVE' : 'TEST',
      hashedKey: hashApiKey(secret),
      start: `${secret.slice(0, 11)}…${secret.slice(-4)}`,
      scopes: [...new Set(input.scopes)],
    },
  });
  // The only time the secret exists outside the caller's hands.
  return {
    id: row.id,
    name: row.name,
    secret,
    start: row.start,
    scopes: row.scopes,
    mode: input.mode,
  };
}

export async function listApiKeys(userId: string) {
  const rows = await db().apiKey.findMany({ where: { userId }, orderBy: { createdAt: 'desc' } });
  return rows.map((k) => ({
    id: k.id,
    name: k.name,
    start: k.start,
    mode: k.mode === 'LIVE' ? ('live' as const) : ('test' as const),
    scopes: k.scopes,
    lastUsedAt: k.lastUsedAt,
    revokedAt: k.revokedAt,
    createdAt: k.createdAt,
  }));
}

export async function revokeApiKey(userId: string, id: string) {
  const res = isUuid(id)
    ? await db().apiKey.updateMany({
        where: { id, userId, revokedAt: null },
        data: { revokedAt: new Date() },
      })
    : { count: 0 };
  if (res.count === 0) throw new AppError('NOT_FOUND', 'No such active key.');
}

export interface ApiKeyIdentity {
  keyId: string;
  userId: string;
  scopes: string[];
  /** The owner's plan: it sets the key's rate limit. */
  plan: string;
}

/** The key behind `Authorization: Bearer as_…`, or null when the header carries none. */
export async function authenticateApiKey(
  authorization: string | null,
): Promise<ApiKeyIdentity | null> {
  const secret = /^Bearer (as_(?:live|test)_[A-Za-z0-9_-]{20,64})$/.exec(authorization ?? '')?.[1];
  if (!secret) return null;
  // Every API request comes through here: one statement on the plain pool (see db-pool.ts).
  const { rows } = await pgPool().query<{
    id: string;
    userId: string;
    scopes: string[];
    revokedAt: Date | null;
    lastUsedAt: Date | null;
    plan: string;
  }>(
    `SELECT k.id, k."userId", k.scopes, k."revokedAt",
            k."lastUsedAt" AT TIME ZONE 'UTC' AS "lastUsedAt", u.plan
       FROM "ApiKey" k JOIN "user" u ON u.id = k."userId" WHERE k."hashedKey" = $1`,
    [hashApiKey(secret)],
  );
  const row = rows[0];
  if (!row || row.revokedAt)
    throw new AppError('UNAUTHENTICATED', 'This API key is not valid (revoked or unknown).');
  if (!row.lastUsedAt || Date.now() - row.lastUsedAt.getTime() > 60_000) {
    await db().apiKey.update({ where: { id: row.id }, data: { lastUsedAt: new Date() } });
  }
  return { keyId: row.id, userId: row.userId, scopes: row.scopes, plan: row.plan };
}

export function requireScope(identity: ApiKeyIdentity | null, scope: ApiScope): void {
  if (identity && !identity.scopes.includes(scope)) {
    throw new AppError('FORBIDDEN', `This API key lacks the ${scope} scope.`);
  }
}
