// Which plugins of a generation run natively on its base model and which go through X-Adapter
// (an SD 1.5 plugin on an SDXL base), decided once per job before anything is held: the price,
// the worker's params and the models a worker must have all follow from this one decision.
import type { Adapter } from '@prisma/client';
import { AppError } from '../errors';
import { familyOf, xAdapterConfig } from '../models/base-models';
import { FAMILY_LABELS, pluginRoute, type Family } from '../models/families';
import { defaultSd15Side, X_ADAPTER_DEFAULT_T0 } from '../models/x-adapter';
import type { GenerateInput } from './schemas';

export type PluginKind = 'controlnet' | 't2i_adapter' | 'lora' | 'ip_adapter';

export interface PluginPlan {
  kind: PluginKind;
  /** The control type, the adapter's name, or the IP-Adapter variant. */
  name: string;
  /** The adapter's id (LoRAs and spectral shifts). */
  adapterId?: string;
  family: Family;
  route: 'native' | 'x_adapter';
}

export interface XAdapterPlan {
  /** The worker registry's x_adapters entry. */
  name: string;
  sd15BaseModel: string;
  t0: number;
  sd15Width: number;
  sd15Height: number;
}

export interface JobRouting {
  baseModel: string;
  family: Family;
  /** Same order as the request's controls. */
  controls: PluginPlan[];
  /** Same order as the request's loras. */
  loras: PluginPlan[];
  /** The IP-Adapter the references use (always the base model's own family), if any. */
  ipAdapter: PluginPlan | null;
  /** Set when at least one plugin goes through X-Adapter. */
  xAdapter: XAdapterPlan | null;
}

type AdapterRow = Pick<Adapter, 'id' | 'name' | 'kind' | 'baseModel' | 'family'>;

const KIND_LABELS: Record<PluginKind, string> = {
  controlnet: 'ControlNet',
  t2i_adapter: 'T2I-Adapter',
  lora: 'LoRA',
  ip_adapter: 'IP-Adapter',
};

export function pluginLabel(p: Pick<PluginPlan, 'kind' | 'name'>): string {
  return p.kind === 'lora' ? `LoRA "${p.name}"` : `${KIND_LABELS[p.kind]} ${p.name}`;
}

/**
 * Routes every plugin of `input` on `baseModel`:
 * - a plugin of the base model's family runs natively;
 * - an SD 1.5 plugin (a LoRA whose Adapter row is `sd15`, a control with `family: 'sd15'`) on an
 *   SDXL base goes through X-Adapter when X_ADAPTER is configured;
 * - a job through X-Adapter carries SD 1.5 plugins only: an SDXL plugin or a reference beside
 *   them is refused (the worker's X-Adapter job runs every plugin on its SD 1.5 branch);
 * - anything else is refused with VALIDATION_FAILED naming each plugin and its family, before
 *   any credit is held. A spectral shift changes one model's own weights, so it must have been
 *   made for the exact base model whose UNet it lands in (the job's, or X-Adapter's SD 1.5 base).
 */
export function routeJob(
  input: GenerateInput,
  baseModel: string,
  adapters: Map<string, AdapterRow>,
): JobRouting {
  const family = familyOf(baseModel);
  const x = xAdapterConfig();
  const refused: PluginPlan[] = [];
  const plan = (p: Omit<PluginPlan, 'route'>): PluginPlan => {
    const route = pluginRoute(family, p.family, x !== null);
    const planned: PluginPlan = { ...p, route: route === 'x_adapter' ? 'x_adapter' : 'native' };
    if (route === 'refused') refused.push(planned);
    return planned;
  };
  const controls = input.controls.map((c) =>
    plan({ kind: c.adapter, name: c.type, family: c.family ?? family }),
  );
  const loras = input.loras.map((l) => {
    const a = adapters.get(l.adapterId)!;
    return plan({ kind: 'lora', name: a.name, adapterId: a.id, family: a.family as Family });
  });
  const ipAdapter = input.references.length
    ? plan({ kind: 'ip_adapter', name: input.ipAdapter, family })
    : null;
  if (refused.length) {
    const list = refused.map((p) => `${pluginLabel(p)} (${FAMILY_LABELS[p.family]})`).join(', ');
    const why =
      family === 'sd15'
        ? 'SDXL plugins cannot run on an SD 1.5 base model: pick an SDXL base model'
        : 'SD 1.5 plugins on SDXL need X-Adapter, which this server does not offer: pick an SD 1.5 base model or SDXL plugins';
    throw new AppError(
      'VALIDATION_FAILED',
      `${list} cannot run on ${baseModel} (${FAMILY_LABELS[family]}): ${why}.`,
    );
  }
  const routed = [...controls, ...loras].some((p) => p.route === 'x_adapter');
  // The worker's X-Adapter job runs every plugin on its SD 1.5 branch: an SDXL plugin (or an
  // IP-Adapter reference, which would take the base's SDXL IP-Adapter) cannot ride along.
  const native = routed ? [...controls, ...loras, ...(ipAdapter ? [ipAdapter] : [])] : [];
  const mixed = native.filter((p) => p.route === 'native');
  if (mixed.length) {
    const list = mixed.map((p) => `${pluginLabel(p)} (${FAMILY_LABELS[p.family]})`).join(', ');
    throw new AppError(
      'VALIDATION_FAILED',
      `${list} cannot be combined with SD 1.5 plugins in one job: a job through X-Adapter carries SD 1.5 plugins only (no SDXL plugins or references); run them as separate jobs.`,
    );
  }
  const xAdapter: XAdapterPlan | null =
    routed && x
      ? {
          name: x.name,
          sd15BaseModel: x.sd15BaseModel,
          t0: input.xAdapter?.t0 ?? X_ADAPTER_DEFAULT_T0,
          sd15Width: input.xAdapter?.sd15Width ?? defaultSd15Side(input.width),
          sd15Height: input.xAdapter?.sd15Height ?? defaultSd15Side(input.height),
        }
      : null;
  // A spectral shift is made for one model: the one whose UNet it lands in must be that model.
  input.loras.forEach((l, i) => {
    const a = adapters.get(l.adapterId)!;
    if (a.kind !== 'SPECTRAL_SHIFT') return;
    const target = loras[i]!.route === 'x_adapter' ? xAdapter!.sd15BaseModel : baseModel;
    if (a.baseModel !== target) {
      throw new AppError(
        'VALIDATION_FAILED',
        `Adapter "${a.name}" was made for ${a.baseModel}, not ${target}.`,
      );
    }
  });
  return { baseModel, family, controls, loras, ipAdapter, xAdapter };
}
