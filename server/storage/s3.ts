// S3-compatible storage (AWS S3, R2, MinIO, …): presigned URLs straight to the bucket, so image
// bytes never pass through the app. A presigned PUT cannot cap the size, so completion checks it
// with HEAD (server/jobs) and refuses oversize outputs.
import {
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import type { Readable } from 'node:stream';
import { digestStream } from './digest';
import { assertValidKey } from './keys';
import type {
  LeaseBinding,
  SignedUpload,
  StorageDriver,
  StoredDigest,
  StoredObjectInfo,
} from './types';

export interface S3Options {
  bucket: string;
  region: string;
  endpoint?: string;
  accessKeyId?: string;
  secretAccessKey?: string;
  forcePathStyle: boolean;
}

function isNotFound(e: unknown): boolean {
  return (
    e instanceof S3ServiceException &&
    (e.name === 'NotFound' || e.name === 'NoSuchKey' || e.$metadata.httpStatusCode === 404)
  );
}

export class S3Storage implements StorageDriver {
  private readonly client: S3Client;
  private readonly bucket: string;

  constructor(o: S3Options) {
    this.bucket = o.bucket;
    this.client = new S3Client({
      region: o.region,
      endpoint: o.endpoint,
      forcePathStyle: o.forcePathStyle,
      credentials:
        o.accessKeyId && o.secretAccessKey
          ? { accessKeyId: o.accessKeyId, secretAccessKey: o.secretAccessKey }
          : undefined,
    });
  }

  async put(key: string, body: Buffer, contentType: string): Promise<void> {
    await this.client.send(
      new PutObjectCommand({
        Bucket: this.bucket,
        Key: assertValidKey(key),
        Body: body,
        ContentType: contentType,
      }),
    );
  }

  async get(key: string): Promise<Buffer | null> {
    try {
      const res = await this.client.send(
        new GetObjectCommand({ Bucket: this.bucket, Key: assertValidKey(key) }),
      );
      return res.Body ? Buffer.from(await res.Body.transformToByteArray()) : null;
    } catch (e) {
      if (isNotFound(e)) return null;
      throw e;
    }
  }

  async head(key: string): Promise<StoredObjectInfo | null> {
    try {
      const res = await this.client.send(
        new HeadObjectCommand({ Bucket: this.bucket, Key: assertValidKey(key) }),
      );
      return {
        bytes: res.ContentLength ?? 0,
        contentType: res.ContentType ?? 'application/octet-stream',
      };
    } catch (e) {
      if (isNotFound(e)) return null;
      throw e;
    }
  }

  async digest(key: string, maxBytes: number): Promise<StoredDigest | null> {
    try {
      const res = await this.client.send(
        new GetObjectCommand({ Bucket: this.bucket, Key: assertValidKey(key) }),
      );
      const body = res.Body as Readable | undefined;
      if (!body) return null;
      return await digestStream(body, maxBytes, () => body.destroy());
    } catch (e) {
      if (isNotFound(e)) return null;
      throw e;
    }
  }

  async delete(keys: string[]): Promise<void> {
    for (let i = 0; i < keys.length; i += 1000) {
      const chunk = keys.slice(i, i + 1000).map((k) => ({ Key: assertValidKey(k) }));
      if (chunk.length) {
        await this.client.send(
          new DeleteObjectsCommand({
            Bucket: this.bucket,
            Delete: { Objects: chunk, Quiet: true },
          }),
        );
      }
    }
  }

  async deletePrefix(prefix: string): Promise<void> {
    if (!prefix.endsWith('/')) throw new Error('deletePrefix takes a folder ending in "/"');
    let token: string | undefined;
    do {
      const page = await this.client.send(
        new ListObjectsV2Command({
          Bucket: this.bucket,
          Prefix: assertValidKey(prefix.slice(0, -1)) + '/',
          ContinuationToken: token,
        }),
      );
      await this.delete((page.Contents ?? []).flatMap((o) => (o.Key ? [o.Key] : [])));
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
  }

  signedGetUrl(key: string, ttlS: number): Promise<string> {
    return getSignedUrl(
      this.client,
      new GetObjectCommand({ Bucket: this.bucket, Key: assertValidKey(key) }),
      {
        expiresIn: ttlS,
      },
    );
  }

  /**
   * A presigned PUT. For a worker's lease (`lease`) it expires with the lease's TTL (a heartbeat
   * in the `uploading` stage hands out fresh ones) and is write-once: `If-None-Match: *` is
   * signed, so S3 refuses (412) any PUT to a key that already holds an object. S3 cannot ask the
   * app whether the lease is still live, so after a lease ends its URL still works until it
   * expires, but only for a slot that nothing was uploaded to: what completion verified stays.
   */
  async signedPutUrl(
    key: string,
    {
      contentType,
      ttlS,
      lease,
    }: { contentType: string; maxBytes: number; ttlS: number; lease?: LeaseBinding },
  ): Promise<SignedUpload> {
    const url = await getSignedUrl(
      this.client,
      new PutObjectCommand({
        Bucket: this.bucket,
        Key: assertValidKey(key),
        ContentType: contentType,
        ...(lease ? { IfNoneMatch: '*' } : {}),
      }),
      {
        expiresIn: lease ? Math.min(ttlS, lease.ttlS) : ttlS,
        signableHeaders: new Set(lease ? ['content-type', 'if-none-match'] : ['content-type']),
      },
    );
    return {
      url,
      headers: { 'Content-Type': contentType, ...(lease ? { 'If-None-Match': '*' } : {}) },
    };
  }
}
