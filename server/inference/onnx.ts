// onnxruntime-node sessions for TypeScript callers, on the provider ONNX_EXECUTION_PROVIDER asks
// for (with the CPU fallback of onnx-session.mjs, which the map worker threads share).
import * as ort from 'onnxruntime-node';
import { env } from '../env';
import { onnxSessionOn } from './onnx-session.mjs';

export function onnxSession(file: string): Promise<ort.InferenceSession> {
  return onnxSessionOn(file, env().ONNX_EXECUTION_PROVIDER);
}

export { ort };
