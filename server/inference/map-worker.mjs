// A worker thread (node:worker_threads) that makes control maps, so canny and ONNX maps never
// run on the app's event loop: one user's large map cannot stall other users' requests.
// Started by map-pool.ts; one task at a time; answers { id, png } or { id, error }.
import { parentPort } from 'node:worker_threads';
import { makeMap } from './map-compute.mjs';
import { onnxSessionOn } from './onnx-session.mjs';

parentPort?.on('message', async (/** @type {any} */ m) => {
  try {
    const png = await makeMap(m.kind, Buffer.from(m.png), m.opts, m.model, (f) =>
      onnxSessionOn(f, m.provider),
    );
    parentPort?.postMessage({ id: m.id, png });
  } catch (e) {
    parentPort?.postMessage({ id: m.id, error: e instanceof Error ? e.message : String(e) });
  }
});
