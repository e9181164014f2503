// Storage keys: namespaced per user, and validated wherever a key comes from outside.
import { AppError } from '../errors';

const KEY = /^[A-Za-z0-9][A-Za-z0-9._-]*(\/[A-Za-z0-9][A-Za-z0-9._-]*)*$/;

export function assertValidKey(key: string): string {
  if (key.length > 512 || !KEY.test(key) || key.split('/').some((s) => s === '..' || s === '.')) {
    throw new AppError('VALIDATION_FAILED', 'Invalid storage key.');
  }
  return key;
}

export const storageKeys = {
  jobOutput: (userId: string, jobId: string, index: number) =>
    `users/${userId}/jobs/${jobId}/output-${index}.png`,
  jobPreview: (userId: string, jobId: string) => `users/${userId}/jobs/${jobId}/preview.png`,
  referenceOriginal: (userId: string, sha256: string) => `users/${userId}/references/${sha256}.png`,
  referenceThumbnail: (userId: string, sha256: string) =>
    `users/${userId}/references/${sha256}-thumb.webp`,
  /** Everything derived from one library image (control maps, embeddings) lives under here. */
  referenceDerived: (userId: string, sha256: string) =>
    `users/${userId}/references/${sha256}-derived/`,
  adapterFile: (userId: string, adapterId: string) =>
    `users/${userId}/adapters/${adapterId}.safetensors`,
};

export function ownerOfKey(key: string): string | null {
  const m = /^users\/([^/]+)\//.exec(key);
  return m?.[1] ?? null;
}
