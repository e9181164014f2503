// The control-map preview: what the user sees before paying is what the job sends.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { GET as previewRoute } from '@/app/api/references/[id]/control-map/route';
import { db } from '@/server/db';
import { createGenerateJob, type GenerateJobParams } from '@/server/jobs/create';
import { addLibraryImage } from '@/server/references/library';
import { storage } from '@/server/storage';
import { photoPng } from '../helpers/hostile-files';
import { makeUser } from '../helpers/users';

// Empty at first: no ONNX map model is configured until a test copies one in.
const modelsDir = fs.mkdtempSync(path.join(os.tmpdir(), 'as-maps-'));
process.env.CONTROL_MAP_MODELS_DIR = modelsDir;
const FIX = path.resolve(import.meta.dirname, '..', 'fixtures', 'onnx');

let user: { id: string; cookie: string };
let imageId: string;

beforeAll(async () => {
  user = await makeUser();
  imageId = (await addLibraryImage(user.id, await photoPng(320, 240))).image.id;
});

function preview(id: string, query: string, cookie = user.cookie) {
  return previewRoute(
    new Request(`http://localhost:3000/api/references/${id}/control-map?${query}`, {
      // As the Generate page's <img> asks: same-origin, a GET that stores a map.
      headers: { cookie, 'sec-fetch-site': 'same-origin' },
    }),
    {
      params: Promise.resolve({ id }),
    },
  );
}

describe('control-map preview', () => {
  it('returns the canny map as a PNG the size of the image', async () => {
    const res = await preview(imageId, 'kind=canny&low=50&high=150');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('image/png');
    const png = Buffer.from(await res.arrayBuffer());
    const meta = await sharp(png).metadata();
    expect([meta.width, meta.height]).toEqual([320, 240]);
    const { data } = await sharp(png).greyscale().raw().toBuffer({ resolveWithObject: true });
    const edges = data.filter((v) => v === 255).length;
    expect(edges).toBeGreaterThan(100); // the circle's outline
    expect(edges).toBeLessThan(320 * 240 * 0.1);
  });

  it('the job sends exactly the previewed map', async () => {
    const shown = Buffer.from(
      await (await preview(imageId, 'kind=canny&low=50&high=150')).arrayBuffer(),
    );
    const job = await createGenerateJob(user.id, {
      prompt: 'x',
      controls: [{ imageId, type: 'canny', preprocess: 'canny', cannyLow: 50, cannyHigh: 150 }],
    });
    const params = (await db().job.findUniqueOrThrow({ where: { id: job.id } }))
      .params as unknown as GenerateJobParams;
    const sent = await storage().get(params.inputs['control-0']!.key);
    expect(sent?.equals(shown)).toBe(true);
    expect((params.worker.controls as { preprocess: string }[])[0]!.preprocess).toBe('none');
  });

  it('reports a model-based map without its model as unavailable, clearly', async () => {
    const res = await preview(imageId, 'kind=depth');
    expect(res.status).toBe(503);
    expect(((await res.json()) as { detail: string }).detail).toMatch(
      /depth maps are not available/,
    );
    const state = async () => {
      const u = await db().user.findUniqueOrThrow({ where: { id: user.id } });
      return {
        balance: u.creditBalance,
        held: u.creditHeld,
        jobs: await db().job.count({ where: { userId: user.id } }),
        ledger: await db().creditLedgerEntry.count({ where: { userId: user.id } }),
      };
    };
    const before = await state();
    await expect(
      createGenerateJob(user.id, {
        prompt: 'x',
        controls: [{ imageId, type: 'depth', preprocess: 'depth' }],
      }),
    ).rejects.toMatchObject({ code: 'SERVICE_UNAVAILABLE' });
    // The refusal made no job, held nothing and wrote nothing to the ledger.
    expect(await state()).toEqual(before);
  });

  it('uses an operator-supplied ONNX model once it is configured', async () => {
    fs.copyFileSync(
      path.join(FIX, 'control-map-tiny.onnx'),
      path.join(modelsDir, 'control-map-tiny.onnx'),
    );
    fs.copyFileSync(
      path.join(FIX, 'control-map-tiny.json'),
      path.join(modelsDir, 'control-map-tiny.json'),
    );
    const res = await preview(imageId, 'kind=depth');
    expect(res.status).toBe(200);
    const meta = await sharp(Buffer.from(await res.arrayBuffer())).metadata();
    expect([meta.width, meta.height]).toEqual([320, 240]);
  });

  it("refuses anonymous callers, another user's image, bad kinds and unknown fields", async () => {
    expect((await preview(imageId, 'kind=canny', '')).status).toBe(401);
    const other = await makeUser();
    expect((await preview(imageId, 'kind=canny', other.cookie)).status).toBe(404);
    expect((await preview('not-a-uuid', 'kind=canny')).status).toBe(404);
    expect((await preview(imageId, 'kind=xray')).status).toBe(422);
    expect((await preview(imageId, 'kind=canny&low=5000')).status).toBe(422);
    expect((await preview(imageId, 'kind=canny&debug=1')).status).toBe(422);
  });
});
