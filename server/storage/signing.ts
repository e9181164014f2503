// Signed, expiring URLs for the local-disk driver: HMAC-SHA256 over what the URL allows
// (operation, key, expiry, and for uploads the content type and size limit).
import { createHmac, timingSafeEqual } from 'node:crypto';
import { env } from '../env';
import { AppError } from '../errors';

export interface SignedGrant {
  op: 'get' | 'put';
  key: string;
  /** Unix seconds. */
  exp: number;
  contentType?: string;
  maxBytes?: number;
  /** `<job id>:<lease id>`: an upload that is valid only while that lease is live. */
  lease?: string;
}

function secret(): string {
  const e = env();
  return (
    e.STORAGE_SIGNING_SECRET ??
    createHmac('sha256', e.BETTER_AUTH_SECRET).update('storage-url-signing').digest('hex')
  );
}

function canonical(g: SignedGrant): string {
  const base = [g.op, g.key, g.exp, g.contentType ?? '', g.maxBytes ?? ''];
  return (g.lease ? [...base, g.lease] : base).join('\n');
}

export function sign(g: SignedGrant): string {
  return createHmac('sha256', secret()).update(canonical(g)).digest('base64url');
}

export function grantToQuery(g: SignedGrant): URLSearchParams {
  const q = new URLSearchParams({ op: g.op, exp: String(g.exp), sig: sign(g) });
  if (g.contentType) q.set('ct', g.contentType);
  if (g.maxBytes !== undefined) q.set('max', String(g.maxBytes));
  if (g.lease) q.set('lease', g.lease);
  return q;
}

/** Checks a signed URL's query for `key`; throws FORBIDDEN when it is forged or expired. */
export function verifyGrant(key: string, q: URLSearchParams, now = Date.now()): SignedGrant {
  const op = q.get('op');
  const exp = Number(q.get('exp'));
  const sig = q.get('sig') ?? '';
  if ((op !== 'get' && op !== 'put') || !Number.isInteger(exp)) {
    throw new AppError('FORBIDDEN', 'This link is not valid.');
  }
  const max = q.get('max');
  const g: SignedGrant = {
    op,
    key,
    exp,
    contentType: q.get('ct') ?? undefined,
    maxBytes: max === null ? undefined : Number(max),
    lease: q.get('lease') ?? undefined,
  };
  const want = Buffer.from(sign(g));
  const got = Buffer.from(sig);
  if (want.length !== got.length || !timingSafeEqual(want, got)) {
    throw new AppError('FORBIDDEN', 'This link is not valid.');
  }
  if (exp * 1000 < now) throw new AppError('FORBIDDEN', 'This link has expired.');
  return g;
}
