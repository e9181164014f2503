// Asking for a GPU provider that this machine lacks must fall back to the CPU, not fail; where
// the machine has it (CUDA on a GPU runner), it is used. Either way the embeddings are right.
import fs from 'node:fs';
import path from 'node:path';
import * as ort from 'onnxruntime-node';
import { expect, it, vi } from 'vitest';
import { embedImage, loadEncoder } from '@/server/inference/clip';
import { resetEnv } from '@/server/env';

const FIX = path.resolve(import.meta.dirname, '..', 'fixtures', 'onnx');

/** Whether onnxruntime can open a session on CUDA here (asked directly, with no CPU fallback). */
async function cudaWorks(): Promise<boolean> {
  try {
    await ort.InferenceSession.create(path.join(FIX, 'clip-tiny.onnx'), {
      executionProviders: ['cuda'],
    });
    return true;
  } catch {
    return false;
  }
}

it('uses CUDA when asked for and present, and falls back to the CPU when it is missing', async () => {
  const hasCuda = await cudaWorks();
  console.info(`[onnx-fallback] CUDA provider ${hasCuda ? 'present' : 'missing'} on this machine`);
  process.env.ONNX_EXECUTION_PROVIDER = 'cuda';
  resetEnv();
  const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
  const enc = loadEncoder(path.join(FIX, 'clip-tiny.onnx'), 'vit-h');
  const e = await embedImage(enc, fs.readFileSync(path.join(FIX, 'test-image.png')));
  const expected = JSON.parse(fs.readFileSync(path.join(FIX, 'expected.json'), 'utf8')) as {
    image_embeds: { data: number[] };
  };
  expect(
    Math.max(
      ...Array.from(e.imageEmbeds.data, (v, i) => Math.abs(v - expected.image_embeds.data[i]!)),
    ),
  ).toBeLessThan(hasCuda ? 5e-3 : 1e-4); // CUDA's matmuls may run in TF32
  const fellBack = warn.mock.calls.some((c) => String(c[0]).includes('cuda is not available'));
  expect(fellBack).toBe(!hasCuda);
  warn.mockRestore();
  delete process.env.ONNX_EXECUTION_PROVIDER;
  resetEnv();
});
