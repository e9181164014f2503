// Web-tier inference against fixtures the worker's own tooling made
// (gpu-worker/scripts/make_onnx_fixtures.py): the Node pipeline must reproduce Python's
// CLIPImageProcessor pixels exactly and the encoder's embeddings within 1e-4.
import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import {
  clipPixelValues,
  decodeRgb,
  embedImage,
  loadEncoder,
  zeroImageEmbeddings,
} from '@/server/inference/clip';
import { runMapModel } from '@/server/inference/control-maps';

const FIX = path.resolve(import.meta.dirname, '..', 'fixtures', 'onnx');
interface Tensor {
  shape: number[];
  data: number[];
}
const expected = JSON.parse(fs.readFileSync(path.join(FIX, 'expected.json'), 'utf8')) as {
  pixel_values: Tensor;
  image_embeds: Tensor;
  penultimate_hidden_states: Tensor;
  zeros_input: { penultimate_hidden_states: Tensor };
  control_map: { map: Tensor };
};

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

const encoder = loadEncoder(path.join(FIX, 'clip-tiny.onnx'), 'vit-h');

describe('IP-Adapter embeddings on the web tier', () => {
  it("preprocesses exactly as transformers' CLIPImageProcessor (bit for bit)", async () => {
    const rgb = await decodeRgb(fs.readFileSync(path.join(FIX, 'test-image.png')));
    const pixels = clipPixelValues(rgb, encoder.sidecar);
    expect(expected.pixel_values.shape).toEqual([1, 3, 32, 32]);
    // The fixture writes float32 values in their shortest round-trip form: fround restores them.
    expect(maxAbsDiff(pixels, expected.pixel_values.data.map(Math.fround))).toBe(0);
  });

  it('gives the Python embedding of the same image within 1e-4', async () => {
    const e = await embedImage(encoder, fs.readFileSync(path.join(FIX, 'test-image.png')));
    expect(e.imageEmbeds.shape).toEqual(expected.image_embeds.shape);
    expect(maxAbsDiff(e.imageEmbeds.data, expected.image_embeds.data)).toBeLessThan(1e-4);
    expect(e.penultimate.shape).toEqual(expected.penultimate_hidden_states.shape);
    expect(maxAbsDiff(e.penultimate.data, expected.penultimate_hidden_states.data)).toBeLessThan(
      1e-4,
    );
  });

  it("gives the Plus negative (the encoder's output for an all-zeros input) within 1e-4", async () => {
    const z = await zeroImageEmbeddings(encoder);
    expect(
      maxAbsDiff(z.penultimate.data, expected.zeros_input.penultimate_hidden_states.data),
    ).toBeLessThan(1e-4);
  });

  it('is sensitive to the image (a different picture gives a different embedding)', async () => {
    const other = await sharp({
      create: { width: 80, height: 60, channels: 3, background: '#f0f' },
    })
      .png()
      .toBuffer();
    const e = await embedImage(encoder, other);
    expect(maxAbsDiff(e.imageEmbeds.data, expected.image_embeds.data)).toBeGreaterThan(1e-3);
  });
});

describe('ONNX control-map models', () => {
  it('runs a map model as the worker tooling does, within 1e-4', async () => {
    const sidecar = JSON.parse(
      fs.readFileSync(path.join(FIX, 'control-map-tiny.json'), 'utf8'),
    ) as Record<string, unknown>;
    const model = { ...sidecar, file: path.join(FIX, 'control-map-tiny.onnx') } as Parameters<
      typeof runMapModel
    >[0];
    const rgb = await decodeRgb(fs.readFileSync(path.join(FIX, 'test-image.png')));
    const map = await runMapModel(model, rgb);
    expect([1, 1, map.height, map.width]).toEqual(expected.control_map.map.shape);
    expect(maxAbsDiff(map.values, expected.control_map.map.data)).toBeLessThan(1e-4);
  });
});
