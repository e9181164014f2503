// Pillow's bicubic resize for TypeScript callers. The implementation is plain JavaScript
// (pil-resize.mjs) so the map worker thread (map-worker.mjs) can load it without a compiler.
export { pilResizeBicubic, type RgbImage } from './pil-resize.mjs';
