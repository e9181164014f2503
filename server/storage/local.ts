// Local-disk storage (the default): files under STORAGE_DIR, served and accepted only through
// signed, expiring URLs handled by app/api/storage/[...key]/route.ts.
import { createReadStream } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { digestStream } from './digest';
import { assertValidKey } from './keys';
import { grantToQuery } from './signing';
import type {
  LeaseBinding,
  SignedUpload,
  StorageDriver,
  StoredDigest,
  StoredObjectInfo,
} from './types';

const META_SUFFIX = '.meta.json';

export class LocalStorage implements StorageDriver {
  constructor(
    private readonly root: string,
    private readonly publicUrl: string,
  ) {}

  private file(key: string): string {
    return path.join(this.root, assertValidKey(key));
  }

  async put(key: string, body: Buffer, contentType: string): Promise<void> {
    const file = this.file(key);
    await fs.mkdir(path.dirname(file), { recursive: true });
    // Write then rename: a reader never sees half a file.
    const tmp = `${file}.${randomBytes(6).toString('hex')}.tmp`;
    await fs.writeFile(tmp, body);
    await fs.writeFile(file + META_SUFFIX, JSON.stringify({ contentType }));
    await fs.rename(tmp, file);
  }

  /**
   * Writes only when nothing is stored at `key` yet (a hard link is created atomically or fails
   * with EEXIST): false when the key was taken. Worker output slots are write-once this way.
   */
  async putIfAbsent(key: string, body: Buffer, contentType: string): Promise<boolean> {
    const file = this.file(key);
    await fs.mkdir(path.dirname(file), { recursive: true });
    const tmp = `${file}.${randomBytes(6).toString('hex')}.tmp`;
    await fs.writeFile(tmp, body);
    try {
      await fs.link(tmp, file);
      await fs.writeFile(file + META_SUFFIX, JSON.stringify({ contentType }));
      return true;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false;
      throw e;
    } finally {
      await fs.rm(tmp, { force: true });
    }
  }

  async digest(key: string, maxBytes: number): Promise<StoredDigest | null> {
    const stream = createReadStream(this.file(key), { highWaterMark: 1 << 20 });
    try {
      return await digestStream(stream, maxBytes, () => stream.destroy());
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw e;
    } finally {
      stream.destroy();
    }
  }

  async get(key: string): Promise<Buffer | null> {
    try {
      return await fs.readFile(this.file(key));
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw e;
    }
  }

  async head(key: string): Promise<StoredObjectInfo | null> {
    const file = this.file(key);
    try {
      const [stat, meta] = await Promise.all([
        fs.stat(file),
        fs.readFile(file + META_SUFFIX, 'utf8').catch(() => '{}'),
      ]);
      const contentType = (JSON.parse(meta) as { contentType?: string }).contentType;
      return { bytes: stat.size, contentType: contentType ?? 'application/octet-stream' };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw e;
    }
  }

  async delete(keys: string[]): Promise<void> {
    await Promise.all(
      keys.flatMap((k) => [
        fs.rm(this.file(k), { force: true }),
        fs.rm(this.file(k) + META_SUFFIX, { force: true }),
      ]),
    );
  }

  async deletePrefix(prefix: string): Promise<void> {
    if (!prefix.endsWith('/')) throw new Error('deletePrefix takes a folder ending in "/"');
    await fs.rm(this.file(prefix.slice(0, -1)), { recursive: true, force: true });
  }

  signedGetUrl(key: string, ttlS: number): Promise<string> {
    const q = grantToQuery({ op: 'get', key: assertValidKey(key), exp: expiry(ttlS) });
    return Promise.resolve(`${this.publicUrl}/api/storage/${key}?${q.toString()}`);
  }

  /** With `lease`, the URL carries the lease (signed) and the PUT route checks it is live. */
  signedPutUrl(
    key: string,
    {
      contentType,
      maxBytes,
      ttlS,
      lease,
    }: { contentType: string; maxBytes: number; ttlS: number; lease?: LeaseBinding },
  ): Promise<SignedUpload> {
    const q = grantToQuery({
      op: 'put',
      key: assertValidKey(key),
      exp: expiry(ttlS),
      contentType,
      maxBytes,
      ...(lease ? { lease: `${lease.jobId}:${lease.leaseId}` } : {}),
    });
    return Promise.resolve({
      url: `${this.publicUrl}/api/storage/${key}?${q.toString()}`,
      headers: { 'Content-Type': contentType },
    });
  }
}

function expiry(ttlS: number): number {
  return Math.floor(Date.now() / 1000) + ttlS;
}
