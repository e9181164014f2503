// `npm run dev` builds the tiny model set again when its models.json lacks an entry the app's
// settings name (a set built before SDXL and X-Adapter has the file, not the entries).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  missingTinyEntries,
  TINY_BASE_MODELS,
  TINY_X_ADAPTER,
  TINY_X_ADAPTER_SD15_BASE,
} from '../../scripts/lib/tiny-set.mjs';
import { parseEnv } from '@/server/env';

function modelsJson(content: string | null): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tiny-set-'));
  const file = path.join(dir, 'models.json');
  if (content !== null) fs.writeFileSync(file, content);
  return file;
}

describe('the tiny set npm run dev serves', () => {
  it('a set from before SDXL (only tiny-sd15) lacks tiny-sdxl and the X-Adapter', () => {
    const old = {
      version: 1,
      default_base_model: 'tiny-sd15',
      base_models: { 'tiny-sd15': { path: 'base', family: 'sd15' } },
      controlnets: { sd15: {} },
    };
    expect(missingTinyEntries(modelsJson(JSON.stringify(old)))).toEqual([
      'base_models.tiny-sdxl',
      'x_adapters.default',
    ]);
  });

  it('a complete set lacks nothing; a missing or broken file lacks everything', () => {
    const full = {
      base_models: { 'tiny-sd15': {}, 'tiny-sdxl': { family: 'sdxl' } },
      x_adapters: { default: { path: 'x-adapter.safetensors' } },
    };
    expect(missingTinyEntries(modelsJson(JSON.stringify(full)))).toEqual([]);
    const all = ['base_models.tiny-sd15', 'base_models.tiny-sdxl', 'x_adapters.default'];
    expect(missingTinyEntries(modelsJson(null))).toEqual(all);
    expect(missingTinyEntries(modelsJson('{"base_models": '))).toEqual(all);
  });

  it('its settings are valid: tiny-sd15 first (the default), tiny-sdxl as SDXL, X-Adapter on', () => {
    const e = parseEnv({
      DATABASE_URL: 'postgresql://u:p@localhost:5432/db',
      BASE_MODELS: TINY_BASE_MODELS,
      X_ADAPTER: TINY_X_ADAPTER,
      X_ADAPTER_SD15_BASE: TINY_X_ADAPTER_SD15_BASE,
    });
    expect(e.BASE_MODELS).toEqual([
      { name: 'tiny-sd15', family: 'sd15' },
      { name: 'tiny-sdxl', family: 'sdxl' },
    ]);
    expect([e.X_ADAPTER, e.X_ADAPTER_SD15_BASE]).toEqual(['default', 'tiny-sd15']);
  });
});
