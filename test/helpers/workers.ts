// Worker-side test helpers: real worker tokens, the worker routes called with them, and uploads
// through the storage route's signed URLs, exactly as a GPU worker does over HTTP.
import { createHash } from 'node:crypto';
import { POST as completeRoute } from '@/app/api/worker/v1/jobs/[id]/complete/route';
import { POST as failRoute } from '@/app/api/worker/v1/jobs/[id]/fail/route';
import { POST as heartbeatRoute } from '@/app/api/worker/v1/jobs/[id]/heartbeat/route';
import { POST as releaseRoute } from '@/app/api/worker/v1/jobs/[id]/release/route';
import { POST as leaseRoute } from '@/app/api/worker/v1/lease/route';
import { PUT as storagePut } from '@/app/api/storage/[...key]/route';
import * as lease from '@/server/jobs/lease';
import * as reports from '@/server/jobs/worker-report';
import type {
  CompleteRequest,
  FailRequest,
  HeartbeatRequest,
  LeaseRequest,
  ReleaseRequest,
} from '@/server/workers/protocol';
import { createWorkerToken, type WorkerIdentity } from '@/server/workers/tokens';
import { leaseBody } from './users';

export interface TestWorker extends WorkerIdentity {
  token: string;
}

/** A real worker token of `pool` (minted as scripts/worker-token.ts does). */
export async function makeWorker(pool = 'default'): Promise<TestWorker> {
  const t = await createWorkerToken(pool, `test ${pool}`);
  return { tokenId: t.id, pool: t.pool, token: t.token };
}

function post(url: string, token: string, body: unknown): Request {
  return new Request(`http://localhost:3000/api/worker/v1${url}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
}

export interface LeasedJobWire {
  id: string;
  lease_id: string;
  kind: string;
  outputs: {
    key: string;
    upload_url: string;
    content_type: string;
    headers: Record<string, string>;
  }[];
}

/** POST /lease; null for 204. */
export async function leaseAs(
  w: TestWorker,
  wait_s = 0,
  caps = leaseBody().capabilities,
): Promise<LeasedJobWire | null> {
  const res = await leaseRoute(
    post('/lease', w.token, { ...leaseBody(`w-${w.pool}`, wait_s, caps) }),
  );
  if (res.status === 204) return null;
  if (res.status !== 200) throw new Error(`lease: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { job: LeasedJobWire }).job;
}

const ctx = (id: string) => ({ params: Promise.resolve({ id }) });

export const report = {
  heartbeat: (w: TestWorker, id: string, body: unknown) =>
    heartbeatRoute(post(`/jobs/${id}/heartbeat`, w.token, body), ctx(id)),
  complete: (w: TestWorker, id: string, body: unknown) =>
    completeRoute(post(`/jobs/${id}/complete`, w.token, body), ctx(id)),
  fail: (w: TestWorker, id: string, body: unknown) =>
    failRoute(post(`/jobs/${id}/fail`, w.token, body), ctx(id)),
  release: (w: TestWorker, id: string, body: unknown) =>
    releaseRoute(post(`/jobs/${id}/release`, w.token, body), ctx(id)),
};

/** PUT to a signed upload URL through the local driver's storage route. */
export function putSigned(
  slot: { upload_url: string; content_type: string; headers: Record<string, string> },
  body: Buffer,
): Promise<Response> {
  const url = new URL(slot.upload_url);
  const key = url.pathname.replace(/^\/api\/storage\//, '').split('/');
  return storagePut(
    new Request(url, {
      method: 'PUT',
      headers: { ...slot.headers, 'Content-Type': slot.content_type },
      body: new Uint8Array(body),
    }),
    { params: Promise.resolve({ key }) },
  );
}

/** A valid 1×1 PNG: the smallest image a worker can upload and declare. */
export const PNG_1x1 = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==',
  'base64',
);

export const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

/** What a worker declares for an uploaded image in `complete`. */
export function declaredImage(key: string, png: Buffer, size = 1) {
  return {
    key,
    content_type: 'image/png' as const,
    width: size,
    height: size,
    bytes: png.length,
    sha256: sha256(png),
    seed: 1,
  };
}

/** A .safetensors file from a header and its data. */
export function safetensors(header: Record<string, unknown>, data: Buffer): Buffer {
  const json = Buffer.from(JSON.stringify(header));
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(BigInt(json.length));
  return Buffer.concat([len, json, data]);
}

/** A small spectral-shift adapter as the worker's train job writes it (for sd15). */
export function spectralShiftFile(baseModel = 'sd15'): Buffer {
  const data = Buffer.alloc(4 * 4 + 4 * 2);
  return safetensors(
    {
      __metadata__: { format: 'adapter-studio/svdiff', version: '1', base_model: baseModel },
      'unet.down_blocks.0.attentions.0.proj_in.spectral_shift': {
        dtype: 'F32',
        shape: [4],
        data_offsets: [0, 16],
      },
      'unet.down_blocks.0.attentions.0.norm.norm_shift': {
        dtype: 'F32',
        shape: [2],
        data_offsets: [16, 24],
      },
    },
    data,
  );
}

/**
 * The token identity domain-level tests lease and report as (the routes get it from a real
 * token; `makeWorker` mints one). No pools are configured in those tests, so any pool leases.
 */
export const TEST_WORKER = { tokenId: '0193a000-0000-7000-8000-00000000000a', pool: 'default' };

/** The domain's lease and report functions, called as TEST_WORKER (for domain-level tests). */
export const leaseNextJob = (req: LeaseRequest) => lease.leaseNextJob(req, TEST_WORKER);
export const leaseWithWait = (req: LeaseRequest) => lease.leaseWithWait(req, TEST_WORKER);
export const recordHeartbeat = (id: string, body: HeartbeatRequest) =>
  reports.recordHeartbeat(id, body, TEST_WORKER);
export const completeJob = (id: string, body: CompleteRequest) =>
  reports.completeJob(id, body, TEST_WORKER);
export const failJob = (id: string, body: FailRequest) => reports.failJob(id, body, TEST_WORKER);
export const releaseJob = (id: string, body: ReleaseRequest) =>
  reports.releaseJob(id, body, TEST_WORKER);
