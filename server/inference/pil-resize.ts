// Pillow's bicubic resize for TypeScript callers. The implementation is plain JavaScript
// (pil-resize.mjs) so the map worker thread (map-worker.mjs) can load it without a compiler.
export { pilResizeBicubic } from './pil-resize.mjs';

export interface RgbImage {
  width: number;
  height: number;
  /** Interleaved 8-bit RGB, row-major. */
  data: Uint8Array;
}
