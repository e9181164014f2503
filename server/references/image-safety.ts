// Untrusted image bytes in, a normalised image out, or a clear error. Decides by content, never
// by file name or declared type; bounds bytes and pixels BEFORE decoding (sharp's default
// pixel limit lets a 50-byte WebP expand to ~2 GB).
import sharp from 'sharp';
import { AppError } from '../errors';

export const MAX_UPLOAD_BYTES = 20 * 1024 * 1024;
/** 36 megapixels: a 6000×6000 photo, far beyond what a 512–1024 px model uses. */
export const MAX_INPUT_PIXELS = 36_000_000;
/** Longest side of the stored original. */
export const MAX_STORED_SIDE = 2048;
export const THUMBNAIL_SIDE = 256;

export type ImageFormat = 'png' | 'jpeg' | 'webp';

export function sniffImageFormat(b: Buffer): ImageFormat | null {
  if (
    b.length >= 8 &&
    b.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))
  )
    return 'png';
  if (b.length >= 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) return 'jpeg';
  if (
    b.length >= 12 &&
    b.toString('latin1', 0, 4) === 'RIFF' &&
    b.toString('latin1', 8, 12) === 'WEBP'
  )
    return 'webp';
  return null;
}

export interface NormalisedImage {
  png: Buffer;
  thumbnail: Buffer;
  width: number;
  height: number;
}

export async function normaliseImage(bytes: Buffer): Promise<NormalisedImage> {
  if (bytes.length === 0) throw new AppError('VALIDATION_FAILED', 'The file is empty.');
  if (bytes.length > MAX_UPLOAD_BYTES) {
    throw new AppError(
      'PAYLOAD_TOO_LARGE',
      `Images must be at most ${MAX_UPLOAD_BYTES / 1024 / 1024} MB.`,
    );
  }
  const format = sniffImageFormat(bytes);
  if (!format) {
    throw new AppError('UNSUPPORTED_MEDIA_TYPE', 'Only JPEG, PNG and WebP images are accepted.');
  }
  const opts = {
    limitInputPixels: MAX_INPUT_PIXELS,
    failOn: 'error' as const,
    sequentialRead: true,
  };
  let meta: Awaited<ReturnType<ReturnType<typeof sharp>['metadata']>>;
  try {
    // Reads the header only: dimensions are checked before any pixel is decoded.
    meta = await sharp(bytes, opts).metadata();
  } catch {
    throw new AppError(
      'VALIDATION_FAILED',
      'The file is not a readable image (it may be truncated or corrupt).',
    );
  }
  if (meta.format !== format) {
    throw new AppError(
      'UNSUPPORTED_MEDIA_TYPE',
      'The file content does not match an accepted image type.',
    );
  }
  if (meta.pages && meta.pages > 1)
    throw new AppError('UNSUPPORTED_MEDIA_TYPE', 'Animated images are not accepted.');
  const w = meta.width ?? 0;
  const h = meta.height ?? 0;
  if (!w || !h || w * h > MAX_INPUT_PIXELS) {
    throw new AppError(
      'PAYLOAD_TOO_LARGE',
      `Images must be at most ${MAX_INPUT_PIXELS / 1e6} megapixels (this one is ${w}×${h}).`,
    );
  }
  if (Math.min(w, h) < 64)
    throw new AppError('VALIDATION_FAILED', 'Images must be at least 64 pixels on each side.');
  try {
    // rotate() applies EXIF orientation; output carries no metadata (EXIF, GPS, ICC text) at all.
    const { data, info } = await sharp(bytes, opts)
      .rotate()
      .resize({
        width: MAX_STORED_SIDE,
        height: MAX_STORED_SIDE,
        fit: 'inside',
        withoutEnlargement: true,
      })
      .toColourspace('srgb')
      .removeAlpha()
      .png({ compressionLevel: 6 })
      .toBuffer({ resolveWithObject: true });
    const thumbnail = await sharp(data)
      .resize({ width: THUMBNAIL_SIDE, height: THUMBNAIL_SIDE, fit: 'inside' })
      .webp({ quality: 80 })
      .toBuffer();
    return { png: data, thumbnail, width: info.width, height: info.height };
  } catch {
    throw new AppError(
      'VALIDATION_FAILED',
      'The image could not be decoded (it may be truncated or corrupt).',
    );
  }
}
