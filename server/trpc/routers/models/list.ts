import { z } from 'zod';
import { baseModels, xAdapterConfig } from '../../../models/base-models';
import { FAMILIES, NATIVE_SIDE } from '../../../models/families';
import { defaultSd15Side, X_ADAPTER_DEFAULT_T0 } from '../../../models/x-adapter';
import { publicProcedure } from '../../init';

/**
 * The model picker's catalogue: the offered base models (first = default) with their family and
 * native side, and whether SD 1.5 plugins on SDXL go through X-Adapter here (else refused).
 * Which route a plugin takes: `pluginRoute` (server/models/families.ts).
 */
export const list = publicProcedure
  .output(
    z.object({
      baseModels: z.array(
        z.object({
          name: z.string(),
          family: z.enum(FAMILIES),
          nativeSide: z.number().int(),
          isDefault: z.boolean(),
        }),
      ),
      xAdapter: z.object({
        available: z.boolean(),
        name: z.string().nullable(),
        sd15BaseModel: z.string().nullable(),
        defaults: z.object({ t0: z.number(), sd15SideAt1024: z.number().int() }),
      }),
    }),
  )
  .query(() => {
    const x = xAdapterConfig();
    return {
      baseModels: baseModels().map((m, i) => ({
        name: m.name,
        family: m.family,
        nativeSide: NATIVE_SIDE[m.family],
        isDefault: i === 0,
      })),
      xAdapter: {
        available: x !== null,
        name: x?.name ?? null,
        sd15BaseModel: x?.sd15BaseModel ?? null,
        defaults: { t0: X_ADAPTER_DEFAULT_T0, sd15SideAt1024: defaultSd15Side(1024) },
      },
    };
  });
