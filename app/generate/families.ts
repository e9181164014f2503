// Base-model families on the Generate page: which of a person's plugins run on the chosen base
// directly, which go through X-Adapter, which cannot be used — shown before anything is paid.
// The rule is the server's own (server/models/families.ts pluginRoute, which routes the job when
// it is created); this file adds the page's words.
import {
  FAMILY_LABELS,
  NATIVE_SIDE,
  pluginRoute,
  type Family,
  type PluginRoute,
} from '@/server/models/families';

export type { Family };
export type Route = PluginRoute;

/** What models.list answers: the offered bases (first = default) and whether X-Adapter is on. */
export interface ModelsInfo {
  baseModels: { name: string; family: Family }[];
  xAdapter: { available: boolean };
}

export const FAMILY_NAMES = FAMILY_LABELS;
/** Native square side of each family: SD 1.5 was trained at 512², SDXL at 1024². */
export const NATIVE_SIZE = NATIVE_SIDE;

/** How a plugin made for `plugin` runs on a base of family `base` (the server's rule). */
export function routeFor(plugin: Family, base: Family, xAdapterOn: boolean): Route {
  return pluginRoute(base, plugin, xAdapterOn);
}

/** Why a plugin cannot be used, in words (the badge's explanation). */
export function refusalReason(plugin: Family, base: Family): string {
  if (plugin === 'sdxl' && base === 'sd15')
    return 'Made for SDXL: an SD 1.5 model cannot run it. Pick an SDXL base model.';
  return 'Made for SD 1.5, and X-Adapter is not available here to carry it to SDXL.';
}

export const X_ADAPTER_EXPLANATION =
  'Runs in an SD 1.5 model beside SDXL; X-Adapter maps its features into SDXL. Costs both models’ work.';

/** The family of a base model by name (none: the default's; unknown names: SD 1.5). */
export function familyOf(models: ModelsInfo | undefined, name: string | undefined): Family {
  const list = models?.baseModels ?? [];
  const found = name ? list.find((m) => m.name === name) : list[0];
  return found?.family ?? 'sd15';
}
