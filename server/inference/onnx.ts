// onnxruntime-node sessions, one per model file per process. CPU by default; when
// ONNX_EXECUTION_PROVIDER asks for a GPU provider that this machine lacks, onnxruntime throws
// instead of falling back, so we catch that and use the CPU.
import fs from 'node:fs';
import * as ort from 'onnxruntime-node';
import { env } from '../env';

const sessions = new Map<string, Promise<ort.InferenceSession>>();

async function create(file: string): Promise<ort.InferenceSession> {
  const wanted = env().ONNX_EXECUTION_PROVIDER;
  if (wanted !== 'cpu') {
    try {
      return await ort.InferenceSession.create(file, { executionProviders: [wanted, 'cpu'] });
    } catch (e) {
      console.warn(
        `[inference] ${wanted} is not available (${e instanceof Error ? e.message.split('\n')[0] : String(e)}); using the CPU`,
      );
    }
  }
  return ort.InferenceSession.create(file, {
    executionProviders: ['cpu'],
    graphOptimizationLevel: 'all',
  });
}

export function onnxSession(file: string): Promise<ort.InferenceSession> {
  let s = sessions.get(file);
  if (!s) {
    if (!fs.existsSync(file)) return Promise.reject(new Error(`ONNX model not found: ${file}`));
    s = create(file);
    s.catch(() => sessions.delete(file));
    sessions.set(file, s);
  }
  return s;
}

export { ort };
