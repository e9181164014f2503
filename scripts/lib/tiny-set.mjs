// The tiny model set `npm run dev` and the end-to-end tests serve (built by the worker's factory,
// `python -m adapter_worker.tiny --out DIR`), and the app settings that name what is in it.
// Node built-ins only: dev.mjs imports it before anything is installed.
import fs from 'node:fs';

/** The app's base models: tiny SD 1.5 (the default) and tiny SDXL (`name:family`). */
export const TINY_BASE_MODELS = 'tiny-sd15,tiny-sdxl:sdxl';
/** The worker registry's X-Adapter entry the app routes SD 1.5 plugins on SDXL through. */
export const TINY_X_ADAPTER = 'default';
/** The SD 1.5 base that X-Adapter entry pairs with. */
export const TINY_X_ADAPTER_SD15_BASE = 'tiny-sd15';

/** Registry entries (section, name) the settings above need in the set's models.json. */
export const TINY_SET_ENTRIES = [
  ['base_models', 'tiny-sd15'],
  ['base_models', 'tiny-sdxl'],
  ['x_adapters', TINY_X_ADAPTER],
];

/**
 * The entries of TINY_SET_ENTRIES that `modelsJson` lacks, as "section.name" (all of them when
 * the file is missing or not JSON). A set built before SDXL and X-Adapter existed has a
 * models.json too: the entries, not the file, say whether it must be built again.
 */
export function missingTinyEntries(modelsJson) {
  let config = null;
  try {
    config = JSON.parse(fs.readFileSync(modelsJson, 'utf8'));
  } catch {
    config = null;
  }
  return TINY_SET_ENTRIES.filter(([section, name]) => {
    const entries = config && typeof config === 'object' ? config[section] : null;
    return !(entries && typeof entries === 'object' && Object.hasOwn(entries, name));
  }).map(([section, name]) => `${section}.${name}`);
}
