import { createHash } from 'node:crypto';
import type { StoredDigest } from './types';

/**
 * SHA-256 and length of a byte stream, read at most `maxBytes + 1` bytes: an object larger than
 * the bound is reported with `bytes > maxBytes` and no hash, and the rest is never read.
 */
export async function digestStream(
  chunks: AsyncIterable<Uint8Array>,
  maxBytes: number,
  stop: () => void,
): Promise<StoredDigest> {
  const hash = createHash('sha256');
  let bytes = 0;
  for await (const chunk of chunks) {
    bytes += chunk.length;
    if (bytes > maxBytes) {
      stop();
      return { bytes, sha256: '' };
    }
    hash.update(chunk);
  }
  return { bytes, sha256: hash.digest('hex') };
}
