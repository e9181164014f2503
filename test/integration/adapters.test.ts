// Importing LoRA files: real kohya and PEFT files from the worker's tiny model factory are
// accepted; pickles and malformed or lying safetensors files are refused with nothing stored.
import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { POST as importAdapter } from '@/app/api/v1/adapters/route';
import { deleteAdapter, listAdapters, renameAdapter } from '@/server/adapters/adapters';
import { inspectAdapterFile } from '@/server/adapters/inspect';
import { db } from '@/server/db';
import { createGenerateJob, type GenerateJobParams } from '@/server/jobs/create';
import { tinyModels } from '../helpers/live';
import { sessionHeaders } from '../helpers/app';
import { makeUser } from '../helpers/users';

let kohya: Buffer;
let peft: Buffer;
let user: { id: string; cookie: string };

beforeAll(async () => {
  const loras = path.join(tinyModels(), 'loras');
  kohya = fs.readFileSync(path.join(loras, 'style-kohya.safetensors'));
  peft = fs.readFileSync(path.join(loras, 'style-peft.safetensors'));
  user = await makeUser();
}, 120_000);

function safetensors(header: Record<string, unknown>, data: Buffer): Buffer {
  const json = Buffer.from(JSON.stringify(header));
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(BigInt(json.length));
  return Buffer.concat([len, json, data]);
}

/** The import route (REST v1, which the app's own adapters page calls with its session). */
const importRoute = (req: Request) => importAdapter(req, undefined);

function upload(
  bytes: Buffer,
  fields: Record<string, string> = { name: 'Style' },
  cookie = user.cookie,
) {
  const form = new FormData();
  form.set('file', new Blob([new Uint8Array(bytes)]), 'lora.safetensors');
  for (const [k, v] of Object.entries(fields)) form.set(k, v);
  return importRoute(
    new Request('http://localhost:3000/api/v1/adapters', {
      method: 'POST',
      headers: sessionHeaders(cookie),
      body: form,
    }),
  );
}

/** A LoRA whose keys name SDXL's second text encoder. */
const sdxlLora = () =>
  safetensors(
    {
      'lora_te2_text_model_encoder_layers_0_mlp_fc1.lora_down.weight': {
        dtype: 'F32',
        shape: [2, 1],
        data_offsets: [0, 8],
      },
    },
    Buffer.alloc(8),
  );

describe('inspectAdapterFile', () => {
  it('reads the kohya and PEFT files the worker factory writes', () => {
    expect(inspectAdapterFile(kohya)).toMatchObject({
      kind: 'LORA',
      layout: 'kohya',
      family: 'sd15',
      targetsTextEncoder: true,
    });
    expect(inspectAdapterFile(peft)).toMatchObject({
      kind: 'LORA',
      layout: 'peft',
      family: 'sd15',
    });
    expect(inspectAdapterFile(kohya).rank).toBeGreaterThan(0);
  });

  const f32 = (n: number) => Buffer.alloc(n * 4);
  it.each([
    ['a pickle', Buffer.from([0x80, 0x04, 0x95, 0, 0, 0]), /Pickle/],
    ['a torch zip archive', Buffer.from('PK\x03\x04rest-of-zip', 'latin1'), /Pickle/],
    ['too short', Buffer.from('abc'), /too short/],
    [
      'a header length past the end',
      Buffer.concat([Buffer.from([0xff, 0xff, 0, 0, 0, 0, 0, 0]), Buffer.alloc(16)]),
      /header length/,
    ],
    [
      'a header that is not JSON',
      Buffer.concat([Buffer.from([4, 0, 0, 0, 0, 0, 0, 0]), Buffer.from('{{{{')]),
      /not JSON/,
    ],
    [
      'a truncated file',
      safetensors(
        { 'lora_unet_x.lora_down.weight': { dtype: 'F32', shape: [4, 8], data_offsets: [0, 128] } },
        f32(10),
      ),
      /truncated|outside/,
    ],
    [
      'an integer dtype',
      safetensors(
        { 'lora_unet_x.lora_down.weight': { dtype: 'I64', shape: [1], data_offsets: [0, 8] } },
        Buffer.alloc(8),
      ),
      /dtype/,
    ],
    [
      'overlapping tensors',
      safetensors(
        {
          'lora_unet_a.lora_down.weight': { dtype: 'F32', shape: [2], data_offsets: [0, 8] },
          'lora_unet_a.lora_up.weight': { dtype: 'F32', shape: [2], data_offsets: [0, 8] },
        },
        f32(2),
      ),
      /overlaps/,
    ],
    [
      'bytes after the last tensor',
      safetensors(
        { 'lora_unet_a.lora_down.weight': { dtype: 'F32', shape: [2], data_offsets: [0, 8] } },
        f32(4),
      ),
      /bytes after/,
    ],
    [
      'keys that are no LoRA layout',
      safetensors(
        { 'model.diffusion_model.weight': { dtype: 'F32', shape: [2], data_offsets: [0, 8] } },
        f32(2),
      ),
      /No LoRA weights recognised.*model\.diffusion_model\.weight/,
    ],
    [
      'LoRA keys mixed with others',
      safetensors(
        {
          'lora_unet_a.lora_down.weight': { dtype: 'F32', shape: [2, 1], data_offsets: [0, 8] },
          'optimizer.state': { dtype: 'F32', shape: [2], data_offsets: [8, 16] },
        },
        f32(4),
      ),
      /not kohya LoRA weights: optimizer\.state/,
    ],
  ])('refuses %s with a clear error', (_label, bytes, message) => {
    expect(() => inspectAdapterFile(bytes)).toThrow(message);
  });

  it('recognises an SDXL LoRA by its keys', () => {
    expect(inspectAdapterFile(sdxlLora()).family).toBe('sdxl');
  });
});

describe('adapter import over the route', () => {
  it('imports, lists, renames, uses in a job and deletes with its file', async () => {
    const res = await upload(kohya, { name: 'Watercolour' });
    expect(res.status).toBe(201);
    const { id } = (await res.json()) as { id: string };
    const [listed] = await listAdapters(user.id);
    expect(listed).toMatchObject({ id, name: 'Watercolour', kind: 'LORA', source: 'UPLOADED' });
    expect((await renameAdapter(user.id, id, 'Wet paper')).name).toBe('Wet paper');

    const job = await createGenerateJob(user.id, {
      prompt: 'x',
      loras: [{ adapterId: id, weight: 0.7 }],
    });
    const params = (await db().job.findUniqueOrThrow({ where: { id: job.id } }))
      .params as unknown as GenerateJobParams;
    expect(params.worker.loras).toEqual([{ file: 'lora-0', weight: 0.7, family: 'sd15' }]);
    expect(params.inputs['lora-0']!.key).toMatch(
      new RegExp(`users/${user.id}/adapters/${id}\\.safetensors$`),
    );

    const row = await db().adapter.findUniqueOrThrow({ where: { id } });
    const file = path.join(process.env.STORAGE_DIR!, row.fileKey);
    expect(fs.existsSync(file)).toBe(true);
    await deleteAdapter(user.id, id);
    expect(fs.existsSync(file)).toBe(false);
    expect(await db().adapter.count({ where: { id } })).toBe(0);
  });

  it('refuses bad files, names and fields, and stores nothing', async () => {
    const u = await makeUser();
    const before = await db().adapter.count();
    expect((await upload(Buffer.from([0x80, 0x04, 0x95]), { name: 'x' }, u.cookie)).status).toBe(
      415,
    );
    expect((await upload(kohya, { name: '' }, u.cookie)).status).toBe(422);
    expect((await upload(kohya, { name: 'x', baseModel: 'sd99' }, u.cookie)).status).toBe(422);
    expect((await upload(kohya, { name: 'x', trigger: 'y' }, u.cookie)).status).toBe(422);
    // An SDXL LoRA for an SD 1.5 base model: the same rule a training job's output meets.
    const refused = await upload(sdxlLora(), { name: 'x' }, u.cookie);
    expect(refused.status).toBe(422);
    expect(((await refused.json()) as { detail: string }).detail).toMatch(/made for SDXL/);
    expect((await upload(kohya, { name: 'x' }, '')).status).toBe(401);
    expect(await db().adapter.count()).toBe(before);
    const dir = path.join(process.env.STORAGE_DIR!, 'users', u.id);
    expect(fs.existsSync(dir)).toBe(false);
  });

  it("another user's adapter cannot be used, renamed or deleted", async () => {
    const res = await upload(peft, { name: 'Mine' });
    const { id } = (await res.json()) as { id: string };
    const other = await makeUser();
    await expect(
      createGenerateJob(other.id, { prompt: 'x', loras: [{ adapterId: id }] }),
    ).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(renameAdapter(other.id, id, 'Theirs')).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
    await expect(deleteAdapter(other.id, id)).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });
});
