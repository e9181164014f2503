// Model families and the one routing rule between a base model and a plugin, with no server
// imports so that pages (the Generate form's model picker) can use the same rule.

export const FAMILIES = ['sd15', 'sdxl'] as const;
export type Family = (typeof FAMILIES)[number];

export const FAMILY_LABELS: Record<Family, string> = { sd15: 'SD 1.5', sdxl: 'SDXL' };

/** The square side each family is trained at (what its price and its default size refer to). */
export const NATIVE_SIDE: Record<Family, number> = { sd15: 512, sdxl: 1024 };

/**
 * How a plugin of family `plugin` runs on a base model of family `base`:
 * - `native`: same family, loaded straight into the base model;
 * - `x_adapter`: an SD 1.5 plugin on an SDXL base, through X-Adapter (when one is configured);
 * - `refused`: an SDXL plugin on an SD 1.5 base (nothing maps SDXL features down), or an SD 1.5
 *   plugin on SDXL without X-Adapter.
 */
export type PluginRoute = 'native' | 'x_adapter' | 'refused';

export function pluginRoute(base: Family, plugin: Family, xAdapterAvailable: boolean): PluginRoute {
  if (plugin === base) return 'native';
  if (base === 'sdxl' && plugin === 'sd15') return xAdapterAvailable ? 'x_adapter' : 'refused';
  return 'refused';
}
