// A worker thread (node:worker_threads) that makes control maps, so canny and ONNX maps never
// run on the app's event loop: one user's large map cannot stall other users' requests.
// Started by map-pool.ts; one task at a time; answers { id, png } or { id, error }.
import { parentPort } from 'node:worker_threads';
import * as ort from 'onnxruntime-node';
import { makeMap } from './map-compute.mjs';

/** @type {Map<string, Promise<ort.InferenceSession>>} */
const sessions = new Map();

/**
 * One session per model file, as server/inference/onnx.ts does on the main thread: the asked
 * execution provider when this machine has it, else the CPU.
 * @param {string} file
 * @param {string} provider
 */
function session(file, provider) {
  let s = sessions.get(file);
  if (!s) {
    s = (async () => {
      if (provider !== 'cpu') {
        try {
          return await ort.InferenceSession.create(file, { executionProviders: [provider, 'cpu'] });
        } catch {
          // fall through to the CPU, as the main thread does
        }
      }
      return ort.InferenceSession.create(file, {
        executionProviders: ['cpu'],
        graphOptimizationLevel: 'all',
      });
    })();
    s.catch(() => sessions.delete(file));
    sessions.set(file, s);
  }
  return s;
}

parentPort?.on('message', async (/** @type {any} */ m) => {
  try {
    const png = await makeMap(m.kind, Buffer.from(m.png), m.opts, m.model, (f) =>
      session(f, m.provider),
    );
    parentPort?.postMessage({ id: m.id, png });
  } catch (e) {
    parentPort?.postMessage({ id: m.id, error: e instanceof Error ? e.message : String(e) });
  }
});
