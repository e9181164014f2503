// `Idempotency-Key` for POST requests, as Stripe does it: the first request with a key runs and
// its successful response is stored for 24 h; a retry with the same key and body gets that response back
// (`Idempotent-Replayed: true`), the same key with another body is refused, and requests that
// race on one key wait for the first to finish instead of running twice.
import { createHash } from 'node:crypto';
import { Prisma } from '@prisma/client';
import { readBody } from '../body';
import { db } from '../db';
import { AppError } from '../errors';

const KEEP_MS = 24 * 60 * 60 * 1000;
/** A request that started this long ago and never stored a response is taken to have crashed. */
const STALE_MS = 2 * 60 * 1000;
const WAIT_FOR_FIRST_MS = 90_000;
const KEY_RE = /^[\x21-\x7e]{1,255}$/;

export function idempotencyKeyOf(req: Request): string | null {
  const key = req.headers.get('idempotency-key');
  if (key === null) return null;
  if (!KEY_RE.test(key)) {
    throw new AppError(
      'VALIDATION_FAILED',
      'Idempotency-Key must be 1–255 printable ASCII characters (a UUID is a good choice).',
    );
  }
  return key;
}

function requestHash(req: Request, body: Buffer): string {
  const url = new URL(req.url);
  return createHash('sha256')
    .update(`${req.method} ${url.pathname}${url.search}\n`)
    .update(req.headers.get('content-type')?.split(';')[0] ?? '')
    .update('\n')
    .update(body)
    .digest('hex');
}

/**
 * Runs `run` at most once per (user, key) within 24 h. The body is read here, once and at most
 * `maxBodyBytes` of it (server/body.ts: a larger one is refused with 413 before anything is
 * claimed), since it is part of the fingerprint; `run` gets it as a fresh Request.
 */
export async function withIdempotency(
  req: Request,
  userId: string,
  key: string,
  maxBodyBytes: number,
  run: (req: Request) => Promise<Response>,
): Promise<Response> {
  const body = await readBody(req, maxBodyBytes, 'Request bodies');
  const hash = requestHash(req, body);
  const record = await claim(userId, key, hash);
  if (record.kind === 'stored') return replay(record.status, record.body);

  let res: Response;
  try {
    res = await run(new Request(req.url, { method: req.method, headers: req.headers, body }));
  } catch (e) {
    await release(record.id);
    throw e;
  }
  // Only a success is a result to replay: after a refusal (no credits, bad input, a server
  // error) the client fixes the cause and retries with the same key.
  if (!res.ok) {
    await release(record.id);
    return res;
  }
  const text = await res.text();
  await db().idempotencyRecord.update({
    where: { id: record.id },
    data: {
      responseStatus: res.status,
      responseBody: { contentType: res.headers.get('content-type'), text },
    },
  });
  return new Response(text, { status: res.status, headers: res.headers });
}

type Claim = { kind: 'mine'; id: string } | { kind: 'stored'; status: number; body: unknown };

async function claim(userId: string, key: string, hash: string): Promise<Claim> {
  const deadline = Date.now() + WAIT_FOR_FIRST_MS;
  for (;;) {
    await db().idempotencyRecord.deleteMany({
      where: {
        userId,
        key,
        OR: [
          { expiresAt: { lt: new Date() } },
          { responseStatus: null, createdAt: { lt: new Date(Date.now() - STALE_MS) } },
        ],
      },
    });
    try {
      const row = await db().idempotencyRecord.create({
        data: { userId, key, requestHash: hash, expiresAt: new Date(Date.now() + KEEP_MS) },
      });
      return { kind: 'mine', id: row.id };
    } catch (e) {
      if (!(e instanceof Prisma.PrismaClientKnownRequestError && e.code === 'P2002')) throw e;
    }
    for (;;) {
      const existing = await db().idempotencyRecord.findUnique({
        where: { userId_key: { userId, key } },
      });
      if (!existing) break; // released or expired meanwhile: try to claim it again
      if (existing.requestHash !== hash) {
        throw new AppError(
          'VALIDATION_FAILED',
          'This Idempotency-Key was already used with a different request; use a new key.',
          { reason: 'idempotency_key_reused' },
        );
      }
      if (existing.responseStatus !== null) {
        return { kind: 'stored', status: existing.responseStatus, body: existing.responseBody };
      }
      if (Date.now() > deadline) {
        throw new AppError('CONFLICT', 'A request with this Idempotency-Key is still running.');
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}

async function release(id: string): Promise<void> {
  await db().idempotencyRecord.deleteMany({ where: { id, responseStatus: null } });
}

function replay(status: number, stored: unknown): Response {
  const { contentType, text } = stored as { contentType: string | null; text: string };
  return new Response(text, {
    status,
    headers: {
      'Content-Type': contentType ?? 'application/json',
      'Idempotent-Replayed': 'true',
    },
  });
}

/** Housekeeping for the background sweep: records are kept 24 h. */
export async function dropExpiredIdempotencyRecords(): Promise<number> {
  const { count } = await db().idempotencyRecord.deleteMany({
    where: { expiresAt: { lt: new Date() } },
  });
  return count;
}
