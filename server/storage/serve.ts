// Serves the local driver's signed URLs (app/api/storage/[...key]/route.ts is a thin face).
import { readBody } from '../body';
import { AppError } from '../errors';
import { isLeaseLive } from '../jobs/lease-live';
import { storage } from './index';
import { assertValidKey } from './keys';
import { LocalStorage } from './local';
import { type SignedGrant, verifyGrant } from './signing';

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

export async function acceptSignedPut(key: string, req: Request): Promise<Response> {
  const driver = localDriver();
  const grant = verifyGrant(assertValidKey(key), new URL(req.url).searchParams);
  if (grant.op !== 'put') throw new AppError('FORBIDDEN', 'This link does not allow uploading.');
  const contentType = req.headers.get('content-type')?.split(';')[0]?.trim();
  if (grant.contentType && contentType !== grant.contentType) {
    throw new AppError('UNSUPPORTED_MEDIA_TYPE', `Upload must be ${grant.contentType}.`);
  }
  if (grant.lease) return acceptLeaseUpload(driver, key, grant, req);
  const body = await readBody(req, grant.maxBytes ?? 0, 'Uploads to this link');
  await driver.put(key, body, grant.contentType ?? 'application/octet-stream');
  return new Response(null, { status: 200 });
}

/**
 * A worker's output slot: accepted only while its lease lives (checked before and after reading
 * the body, so a lease that ended during the upload does not get its file stored), and only once
 * (write-once keeps exactly what completion verified).
 */
async function acceptLeaseUpload(
  driver: LocalStorage,
  key: string,
  grant: SignedGrant,
  req: Request,
): Promise<Response> {
  const [jobId = '', leaseId = ''] = (grant.lease ?? '').split(':');
  const ended = () => new AppError('FORBIDDEN', 'This upload link ended with its lease.');
  if (!(await isLeaseLive(jobId, leaseId))) throw ended();
  const body = await readBody(req, grant.maxBytes ?? 0, 'Uploads to this link');
  if (!(await isLeaseLive(jobId, leaseId))) throw ended();
  const stored = await driver.putIfAbsent(
    key,
    body,
    grant.contentType ?? 'application/octet-stream',
  );
  if (!stored) {
    throw new AppError(
      'CONFLICT',
      'This output was already uploaded: upload slots are write-once.',
    );
  }
  return new Response(null, { status: 200 });
}
