// Decoding a shared output for the page image and the card, bounded: sharp reads the pixel
// count from the file's header and refuses anything over the limit before decoding a pixel, so
// a decompression bomb among the outputs (whatever a worker uploaded) cannot take the memory.
import sharp, { type Sharp } from 'sharp';
import { AppError } from '../errors';

/**
 * 4096 × 4096: twice the largest side a job may ask for (2048), so every real output fits and a
 * bomb claiming more is refused at its header.
 */
export const SHARE_MAX_INPUT_PIXELS = 4096 * 4096;

/** Runs `pipeline` on the image with the pixel limit; too many pixels → PAYLOAD_TOO_LARGE. */
export async function renderBounded(
  image: Buffer,
  pipeline: (img: Sharp) => Sharp,
): Promise<Buffer> {
  try {
    return await pipeline(sharp(image, { limitInputPixels: SHARE_MAX_INPUT_PIXELS })).toBuffer();
  } catch (e) {
    if (e instanceof Error && /pixel limit/i.test(e.message)) {
      throw new AppError(
        'PAYLOAD_TOO_LARGE',
        `This image has more than ${SHARE_MAX_INPUT_PIXELS} pixels and is not rendered.`,
      );
    }
    throw e;
  }
}
