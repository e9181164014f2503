export interface StoredObjectInfo {
  bytes: number;
  contentType: string;
}

/** What an object holds, read back (bounded) to check a worker's declared size and hash. */
export interface StoredDigest {
  /** Bytes read; more than the bound given means the object is larger (then `sha256` is ''). */
  bytes: number;
  sha256: string;
}

/**
 * An upload URL for a worker's lease: it dies with the lease. The local driver refuses the PUT
 * unless that lease is still live; S3 URLs expire within `ttlS` (the lease's TTL). Either way the
 * object is write-once: a second PUT to the key is refused, so what completion checked stays.
 */
export interface LeaseBinding {
  jobId: string;
  leaseId: string;
  ttlS: number;
}

export interface SignedUpload {
  url: string;
  /** Headers the PUT must carry (content type, and for S3 whatever the signature covers). */
  headers: Record<string, string>;
}

/** Object storage as the app uses it; the local-disk and S3 drivers both implement it. */
export interface StorageDriver {
  put(key: string, body: Buffer, contentType: string): Promise<void>;
  get(key: string): Promise<Buffer | null>;
  head(key: string): Promise<StoredObjectInfo | null>;
  /** SHA-256 and size of the stored object, reading at most `maxBytes + 1` bytes; null if absent. */
  digest(key: string, maxBytes: number): Promise<StoredDigest | null>;
  delete(keys: string[]): Promise<void>;
  /** Deletes every object whose key starts with `prefix` (a folder, ending in "/"). */
  deletePrefix(prefix: string): Promise<void>;
  signedGetUrl(key: string, ttlS: number): Promise<string>;
  signedPutUrl(
    key: string,
    opts: { contentType: string; maxBytes: number; ttlS: number; lease?: LeaseBinding },
  ): Promise<SignedUpload>;
}
