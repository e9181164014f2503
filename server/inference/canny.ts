// Canny edges for TypeScript callers. The implementation is plain JavaScript (canny.mjs) so the
// map worker thread (map-worker.mjs) can load it without a compiler.
export { canny } from './canny.mjs';
