// Asking for a GPU provider that this machine lacks must fall back to the CPU, not fail.
import fs from 'node:fs';
import path from 'node:path';
import { expect, it, vi } from 'vitest';
import { embedImage, loadEncoder } from '@/server/inference/clip';
import { resetEnv } from '@/server/env';

it('falls back to the CPU when the CUDA provider is asked for and missing', async () => {
  process.env.ONNX_EXECUTION_PROVIDER = 'cuda';
  resetEnv();
  const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
  const FIX = path.resolve(import.meta.dirname, '..', 'fixtures', 'onnx');
  const enc = loadEncoder(path.join(FIX, 'clip-tiny.onnx'), 'vit-h');
  const e = await embedImage(enc, fs.readFileSync(path.join(FIX, 'test-image.png')));
  const expected = JSON.parse(fs.readFileSync(path.join(FIX, 'expected.json'), 'utf8')) as {
    image_embeds: { data: number[] };
  };
  expect(
    Math.max(
      ...Array.from(e.imageEmbeds.data, (v, i) => Math.abs(v - expected.image_embeds.data[i]!)),
    ),
  ).toBeLessThan(1e-4);
  expect(warn).toHaveBeenCalledWith(expect.stringContaining('cuda is not available'));
  warn.mockRestore();
  delete process.env.ONNX_EXECUTION_PROVIDER;
  resetEnv();
});
