export interface StoredObjectInfo {
  bytes: number;
  contentType: string;
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
  delete(keys: string[]): Promise<void>;
  /** Deletes every object whose key starts with `prefix` (a folder, ending in "/"). */
  deletePrefix(prefix: string): Promise<void>;
  signedGetUrl(key: string, ttlS: number): Promise<string>;
  signedPutUrl(
    key: string,
    opts: { contentType: string; maxBytes: number; ttlS: number },
  ): Promise<SignedUpload>;
}
