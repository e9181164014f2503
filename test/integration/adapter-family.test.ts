// Adapters record their family: decided from the file at import (SD 1.5 or SDXL), stored on the
// row, shown by the list (tRPC and REST) and usable as a filter with the base model.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GET as listRoute } from '@/app/api/v1/adapters/route';
import { importAdapter, listAdapters } from '@/server/adapters/adapters';
import { inspectAdapterFile } from '@/server/adapters/inspect';
import { db } from '@/server/db';
import { resetEnv } from '@/server/env';
import { sessionHeaders } from '../helpers/app';
import { makeUser } from '../helpers/users';

const saved = process.env.BASE_MODELS;
beforeAll(() => {
  process.env.BASE_MODELS = 'tiny-sd15,tiny-sdxl:sdxl';
  resetEnv();
});
afterAll(() => {
  if (saved === undefined) delete process.env.BASE_MODELS;
  else process.env.BASE_MODELS = saved;
  resetEnv();
});

/** A .safetensors file of F32 zeros with these tensors (name → shape). */
function safetensors(tensors: Record<string, number[]>, metadata?: Record<string, string>) {
  const header: Record<string, unknown> = metadata ? { __metadata__: metadata } : {};
  let offset = 0;
  for (const [name, shape] of Object.entries(tensors)) {
    const bytes = shape.reduce((a, d) => a * d, 1) * 4;
    header[name] = { dtype: 'F32', shape, data_offsets: [offset, offset + bytes] };
    offset += bytes;
  }
  const json = Buffer.from(JSON.stringify(header));
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(BigInt(json.length));
  return Buffer.concat([len, json, Buffer.alloc(offset)]);
}

/** PEFT layout on the first cross-attention's key projection, reading `context` features. */
const peftCrossAttention = (context: number) =>
  safetensors({
    'unet.down_blocks.1.attentions.0.transformer_blocks.0.attn2.to_k.lora_A.weight': [2, context],
    'unet.down_blocks.1.attentions.0.transformer_blocks.0.attn2.to_k.lora_B.weight': [8, 2],
  });
const SD15_PEFT = peftCrossAttention(768);
const SDXL_PEFT = peftCrossAttention(2048);
/** kohya's SDXL layout: SGM UNet names and the second text encoder. */
const SDXL_KOHYA = safetensors({
  'lora_unet_input_blocks_4_1_transformer_blocks_0_attn1_to_q.lora_down.weight': [2, 8],
  'lora_unet_input_blocks_4_1_transformer_blocks_0_attn1_to_q.lora_up.weight': [8, 2],
  'lora_te2_text_model_encoder_layers_0_mlp_fc1.lora_down.weight': [2, 8],
  'lora_te2_text_model_encoder_layers_0_mlp_fc1.lora_up.weight': [8, 2],
});
/** diffusers-named, no text encoder, but SDXL's stacked transformer blocks. */
const SDXL_STACKED = safetensors({
  'unet.down_blocks.2.attentions.1.transformer_blocks.7.attn1.to_q.lora_A.weight': [2, 8],
  'unet.down_blocks.2.attentions.1.transformer_blocks.7.attn1.to_q.lora_B.weight': [8, 2],
});
/** kohya's metadata naming SDXL on otherwise ambiguous keys. */
const SDXL_BY_METADATA = safetensors(
  {
    'lora_unet_down_blocks_1_attentions_0_proj_in.lora_down.weight': [2, 8],
    'lora_unet_down_blocks_1_attentions_0_proj_in.lora_up.weight': [8, 2],
  },
  { ss_base_model_version: 'sdxl_base_v1-0' },
);

describe('adapter family', () => {
  it('is decided from the file', () => {
    expect(inspectAdapterFile(SD15_PEFT).family).toBe('sd15');
    for (const f of [SDXL_PEFT, SDXL_KOHYA, SDXL_STACKED, SDXL_BY_METADATA])
      expect(inspectAdapterFile(f).family).toBe('sdxl');
  });

  it('is stored at import, the base model defaulting to the first of the file’s family', async () => {
    const u = await makeUser();
    const sd15 = await importAdapter(u.id, SD15_PEFT, { name: 'Ink' });
    expect(sd15).toMatchObject({ family: 'sd15', baseModel: 'tiny-sd15' });
    const sdxl = await importAdapter(u.id, SDXL_PEFT, { name: 'Glow' });
    expect(sdxl).toMatchObject({ family: 'sdxl', baseModel: 'tiny-sdxl' });
    const row = await db().adapter.findUniqueOrThrow({ where: { id: sdxl.id } });
    expect(row.family).toBe('sdxl');
    // An SDXL file named for an SD 1.5 base (and the reverse) is refused, nothing stored.
    await expect(
      importAdapter(u.id, SDXL_KOHYA, { name: 'x', baseModel: 'tiny-sd15' }),
    ).rejects.toMatchObject({ code: 'VALIDATION_FAILED', message: /made for SDXL/ });
    await expect(
      importAdapter(u.id, SD15_PEFT, { name: 'x', baseModel: 'tiny-sdxl' }),
    ).rejects.toMatchObject({ code: 'VALIDATION_FAILED', message: /made for SD 1\.5/ });
    expect(await db().adapter.count({ where: { userId: u.id } })).toBe(2);

    // The list shows the family and filters by family or base model (tRPC's and REST's).
    expect((await listAdapters(u.id)).map((a) => [a.name, a.family])).toEqual([
      ['Glow', 'sdxl'],
      ['Ink', 'sd15'],
    ]);
    expect((await listAdapters(u.id, { family: 'sd15' })).map((a) => a.name)).toEqual(['Ink']);
    expect((await listAdapters(u.id, { baseModel: 'tiny-sdxl' })).map((a) => a.name)).toEqual([
      'Glow',
    ]);
    const rest = await listRoute(
      new Request('http://localhost:3000/api/v1/adapters?family=sdxl', {
        headers: sessionHeaders(u.cookie),
      }),
      undefined,
    );
    expect(rest.status).toBe(200);
    const body = (await rest.json()) as { items: { name: string; family: string }[] };
    expect(body.items.map((a) => [a.name, a.family])).toEqual([['Glow', 'sdxl']]);
    const bad = await listRoute(
      new Request('http://localhost:3000/api/v1/adapters?family=sd3', {
        headers: sessionHeaders(u.cookie),
      }),
      undefined,
    );
    expect(bad.status).toBe(422);
  });

  it("the migration's backfill gives rows made before it their base model's family", async () => {
    const u = await makeUser();
    const row = (name: string, baseModel: string) =>
      db().adapter.create({
        data: {
          userId: u.id,
          name,
          kind: 'LORA',
          source: 'UPLOADED',
          baseModel,
          fileKey: `users/${u.id}/adapters/${name}.safetensors`,
          sizeBytes: 1,
          sha256: 'e'.repeat(64),
        },
      });
    // As the column's default left them: sd15.
    const xl = await row('xl', 'sdxl-base-1.0');
    const plain = await row('plain', 'sd15');
    const sql = fs.readFileSync(
      path.join(
        import.meta.dirname,
        '../../prisma/migrations/20261205141500_adapter_family/migration.sql',
      ),
      'utf8',
    );
    const backfill = sql.split(';').find((s) => /UPDATE "Adapter"/.test(s))!;
    await db().$executeRawUnsafe(backfill.replace(/^(--.*\n|\s)*/gm, ''));
    const family = async (id: string) =>
      (await db().adapter.findUniqueOrThrow({ where: { id } })).family;
    expect(await family(xl.id)).toBe('sdxl');
    expect(await family(plain.id)).toBe('sd15');
    // The column refuses any other family.
    await expect(
      db().adapter.update({ where: { id: plain.id }, data: { family: 'sd3' } }),
    ).rejects.toThrow();
  });
});
