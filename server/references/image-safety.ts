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
/** The shortest side a reference image may have, in pixels. */
export const MIN_IMAGE_SIDE = 64;
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

// Markers of other formats hiding inside an image (polyglot files). Long enough that
// compressed image data does not contain them by chance.
const TEXT_MARKERS = [/<script/i, /<html/i, /<\?php/, /%PDF-/];

/** A ZIP archive ends with an end-of-central-directory record whose comment reaches the end. */
function endsWithZip(b: Buffer): boolean {
  const from = Math.max(0, b.length - 22 - 0xffff);
  for (let p = b.length - 22; p >= from; p--) {
    if (b[p] === 0x50 && b[p + 1] === 0x4b && b[p + 2] === 0x05 && b[p + 3] === 0x06) {
      if (p + 22 + b.readUInt16LE(p + 20) === b.length) return true;
    }
  }
  return false;
}

/** Bytes after the image's own end (PNG IEND, WebP RIFF size), or another format inside it. */
export function hasForeignContent(b: Buffer, format: ImageFormat): boolean {
  if (format === 'png') {
    const iend = b.lastIndexOf(Buffer.from('IEND', 'latin1'));
    if (iend >= 0 && b.length > iend + 8) return true; // 'IEND' + its CRC end the file
  }
  if (format === 'webp' && b.readUInt32LE(4) + 8 < b.length) return true;
  if (endsWithZip(b)) return true;
  const text = b.toString('latin1');
  return TEXT_MARKERS.some((m) => m.test(text));
}

/**
 * The dimensions a file's header claims, read by hand before any decoder sees it, so a bomb is
 * refused whatever the decoder would make of the rest. Null when the header is unreadable.
 */
export function claimedDimensions(
  b: Buffer,
  format: ImageFormat,
): { width: number; height: number } | null {
  try {
    if (format === 'png') {
      if (b.toString('latin1', 12, 16) !== 'IHDR') return null;
      return { width: b.readUInt32BE(16), height: b.readUInt32BE(20) };
    }
    if (format === 'webp') {
      const kind = b.toString('latin1', 12, 16);
      if (kind === 'VP8X')
        return { width: b.readUIntLE(24, 3) + 1, height: b.readUIntLE(27, 3) + 1 };
      if (kind === 'VP8L') {
        const bits = b.readUInt32LE(21);
        return { width: (bits & 0x3fff) + 1, height: ((bits >>> 14) & 0x3fff) + 1 };
      }
      if (kind === 'VP8 ')
        return { width: b.readUInt16LE(26) & 0x3fff, height: b.readUInt16LE(28) & 0x3fff };
      return null;
    }
    // JPEG: walk the segments to the first start-of-frame marker.
    let p = 2;
    while (p + 9 < b.length) {
      if (b[p] !== 0xff) return null;
      const marker = b[p + 1]!;
      if (marker === 0xd8 || marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) {
        p += 2;
        continue;
      }
      const isSof =
        marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
      if (isSof) return { width: b.readUInt16BE(p + 7), height: b.readUInt16BE(p + 5) };
      p += 2 + b.readUInt16BE(p + 2);
    }
    return null;
  } catch {
    return null;
  }
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
  if (hasForeignContent(bytes, format)) {
    throw new AppError(
      'UNSUPPORTED_MEDIA_TYPE',
      'The file carries data besides the image (a polyglot file); it was refused.',
    );
  }
  const claimed = claimedDimensions(bytes, format);
  if (claimed && claimed.width * claimed.height > MAX_INPUT_PIXELS) {
    throw new AppError(
      'PAYLOAD_TOO_LARGE',
      `Images must be at most ${MAX_INPUT_PIXELS / 1e6} megapixels (this one claims ${claimed.width}×${claimed.height}).`,
    );
  }
  const opts = {
    limitInputPixels: MAX_INPUT_PIXELS,
    failOn: 'error' as const,
    sequentialRead: true,
  };
  let meta: Awaited<ReturnType<ReturnType<typeof sharp>['metadata']>>;
  try {
    // Reads the header only (no pixel is decoded), so the size check below sees the claimed
    // dimensions of even a bomb; decoding later is bounded by limitInputPixels.
    meta = await sharp(bytes, { ...opts, limitInputPixels: false }).metadata();
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
  if (Math.min(w, h) < MIN_IMAGE_SIDE)
    throw new AppError(
      'VALIDATION_FAILED',
      `Images must be at least ${MIN_IMAGE_SIDE} pixels on each side.`,
    );
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
