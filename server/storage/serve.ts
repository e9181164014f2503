// Serves the local driver's signed URLs (app/api/storage/[...key]/route.ts is a thin face).
import { AppError } from '../errors';
import { storage } from './index';
import { assertValidKey } from './keys';
import { LocalStorage } from './local';
import { verifyGrant } from './signing';

function localDriver(): LocalStorage {
  const s = storage();
  if (!(s instanceof LocalStorage)) throw new AppError('NOT_FOUND', 'Not found.');
  return s;
}

export async function serveSignedGet(key: string, query: URLSearchParams): Promise<Response> {
  const driver = localDriver();
  verifyGrant(assertValidKey(key), query);
  if (query.get('op') !== 'get')
    throw new AppError('FORBIDDEN', 'This link does not allow reading.');
  const [info, body] = await Promise.all([driver.head(key), driver.get(key)]);
  if (!info || !body) throw new AppError('NOT_FOUND', 'Not found.');
  return new Response(new Uint8Array(body), {
    headers: {
      'Content-Type': info.contentType,
      'Content-Length': String(body.length),
      'Cache-Control': 'private, max-age=600',
      'X-Content-Type-Options': 'nosniff',
      'Content-Security-Policy': "default-src 'none'",
    },
  });
}

/** Reads a request body, refusing it as soon as it passes `max` bytes. */
async function readBounded(req: Request, max: number): Promise<Buffer> {
  const declared = Number(req.headers.get('content-length') ?? NaN);
  if (Number.isFinite(declared) && declared > max) {
    throw new AppError('PAYLOAD_TOO_LARGE', `Upload is larger than ${max} bytes.`);
  }
  const chunks: Uint8Array[] = [];
  let total = 0;
  if (req.body) {
    const reader = req.body.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.length;
      if (total > max) {
        await reader.cancel();
        throw new AppError('PAYLOAD_TOO_LARGE', `Upload is larger than ${max} bytes.`);
      }
      chunks.push(value);
    }
  }
  return Buffer.concat(chunks);
}

export async function acceptSignedPut(key: string, req: Request): Promise<Response> {
  const driver = localDriver();
  const grant = verifyGrant(assertValidKey(key), new URL(req.url).searchParams);
  if (grant.op !== 'put') throw new AppError('FORBIDDEN', 'This link does not allow uploading.');
  const contentType = req.headers.get('content-type')?.split(';')[0]?.trim();
  if (grant.contentType && contentType !== grant.contentType) {
    throw new AppError('UNSUPPORTED_MEDIA_TYPE', `Upload must be ${grant.contentType}.`);
  }
  const body = await readBounded(req, grant.maxBytes ?? 0);
  await driver.put(key, body, grant.contentType ?? 'application/octet-stream');
  return new Response(null, { status: 200 });
}
