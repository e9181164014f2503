import path from 'node:path';
import { env } from '../env';
import { LocalStorage } from './local';
import { S3Storage } from './s3';
import type { StorageDriver } from './types';

export type { StorageDriver } from './types';
export { storageKeys } from './keys';

/** How long a signed URL handed to a browser or a worker stays valid. */
export const URL_TTL_S = { browser: 15 * 60, worker: 30 * 60 } as const;
/** Largest file a worker may upload for one output. */
export const MAX_OUTPUT_BYTES = 32 * 1024 * 1024;

const g = globalThis as unknown as { __storage?: StorageDriver };

export function storage(): StorageDriver {
  if (g.__storage) return g.__storage;
  const e = env();
  g.__storage =
    e.STORAGE_DRIVER === 's3'
      ? new S3Storage({
          bucket: e.S3_BUCKET!,
          region: e.S3_REGION,
          endpoint: e.S3_ENDPOINT,
          accessKeyId: e.S3_ACCESS_KEY_ID,
          secretAccessKey: e.S3_SECRET_ACCESS_KEY,
          forcePathStyle: e.S3_FORCE_PATH_STYLE,
        })
      : new LocalStorage(path.resolve(e.STORAGE_DIR), e.APP_URL.replace(/\/$/, ''));
  return g.__storage;
}
