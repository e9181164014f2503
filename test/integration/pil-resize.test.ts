// Our port of Pillow's bicubic resize against Pillow itself (the worker's venv), on random
// images and sizes: shrinking and enlarging, landscape and portrait (Pillow changes its pass
// order for tall shrinks), so CLIP preprocessing in Node can match the worker bit for bit.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { expect, it } from 'vitest';
import { pilResizeBicubic } from '@/server/inference/pil-resize';
import { ROOT } from '../helpers/live';

it('matches PIL.Image.resize(BICUBIC) byte for byte on 40 random cases', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'as-pil-'));
  const script = `
import json, sys
import numpy as np
from PIL import Image
rng = np.random.default_rng(7)
cases = [(900, 200, 32, 144), (200, 900, 144, 32), (300, 300, 301, 17)]
while len(cases) < 40:
    cases.append(tuple(int(v) for v in rng.integers(8, 640, 4)))
for i, (h, w, oh, ow) in enumerate(cases):
    a = (rng.random((h, w, 3)) * 255).astype('uint8')
    Image.fromarray(a).save(f'{sys.argv[1]}/in-{i}.png')
    Image.fromarray(a).resize((ow, oh), Image.BICUBIC).save(f'{sys.argv[1]}/out-{i}.png')
print(json.dumps([[ow, oh] for (h, w, oh, ow) in cases]))
`;
  const res = spawnSync(
    path.join(ROOT, 'gpu-worker', '.venv', 'bin', 'python'),
    ['-c', script, dir],
    { encoding: 'utf8' },
  );
  expect(res.status, res.stderr).toBe(0);
  const sizes = JSON.parse(res.stdout) as [number, number][];
  for (const [i, [w, h]] of sizes.entries()) {
    const src = await sharp(path.join(dir, `in-${i}.png`))
      .raw()
      .toBuffer({ resolveWithObject: true });
    const want = await sharp(path.join(dir, `out-${i}.png`))
      .raw()
      .toBuffer();
    const got = pilResizeBicubic(
      { width: src.info.width, height: src.info.height, data: new Uint8Array(src.data) },
      w,
      h,
    );
    expect([got.width, got.height]).toEqual([w, h]);
    expect(
      Buffer.from(got.data).equals(want),
      `case ${i}: ${src.info.width}×${src.info.height} → ${w}×${h}`,
    ).toBe(true);
  }
  fs.rmSync(dir, { recursive: true, force: true });
});
