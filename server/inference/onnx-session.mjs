// onnxruntime-node sessions, one per model file per thread (the app's, and each map worker
// thread's). CPU by default; when the provider asked for is a GPU one that this machine lacks,
// onnxruntime throws instead of falling back, so we catch that, say so, and use the CPU.
//
// Plain JavaScript (types in JSDoc) so the map worker thread (map-worker.mjs) loads it as it is;
// onnx.ts gives TypeScript callers the same sessions with the provider from the environment.
import fs from 'node:fs';
import * as ort from 'onnxruntime-node';

/** @type {Map<string, Promise<ort.InferenceSession>>} */
const sessions = new Map();

/**
 * @param {string} file
 * @param {string} provider
 * @returns {Promise<ort.InferenceSession>}
 */
async function create(file, provider) {
  if (provider !== 'cpu') {
    try {
      return await ort.InferenceSession.create(file, { executionProviders: [provider, 'cpu'] });
    } catch (e) {
      console.warn(
        `[inference] ${provider} is not available (${e instanceof Error ? e.message.split('\n')[0] : String(e)}); using the CPU`,
      );
    }
  }
  return ort.InferenceSession.create(file, {
    executionProviders: ['cpu'],
    graphOptimizationLevel: 'all',
  });
}

/**
 * The session for `file` on `provider` (ONNX_EXECUTION_PROVIDER), made once per file.
 * @param {string} file
 * @param {string} provider
 * @returns {Promise<ort.InferenceSession>}
 */
export function onnxSessionOn(file, provider) {
  let s = sessions.get(file);
  if (!s) {
    if (!fs.existsSync(file)) return Promise.reject(new Error(`ONNX model not found: ${file}`));
    s = create(file, provider);
    s.catch(() => sessions.delete(file));
    sessions.set(file, s);
  }
  return s;
}
