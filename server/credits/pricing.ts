// The price list, in one place. A job's price is fixed when it is accepted and shown before
// submit (jobs.quote). One credit ≈ one 512×512, 25-step SD 1.5 image's GPU time / 2.
import type { JobRouting } from '../jobs/routing';
import type { EditInput, GenerateInput, TrainInput } from '../jobs/schemas';
import { FAMILY_LABELS, NATIVE_SIDE, type Family } from '../models/families';

export const PRICES = {
  /** Per image at 512×512 and 25 steps; scales with pixels and steps. */
  imageBase: 2,
  /** ControlNet runs a UNet-encoder copy every step (~+45% per net). */
  controlNetPerImage: 1,
  /** T2I-Adapter runs once per image: cheap. */
  t2iAdapterPerImage: 0.25,
  /** IP-Adapter: encoder once + extra cross-attention. */
  ipAdapterPerImage: 0.5,
  loraPerImage: 0.25,
  edit: 20,
  train: 60,
} as const;

/**
 * Measured work per denoising step, as FLOP ratios: the ONE place base models and X-Adapter are
 * priced from (the lead updates them from the worker's measurements, gpu-worker/bench).
 */
export const WORK_RATIOS = {
  /**
   * One SDXL UNet step at 1024² ÷ one SD 1.5 UNet step at 512², measured with FlopCounterMode on
   * the published shapes (`python gpu-worker/bench/bench.py --flops`): 6.761 / 0.803 TFLOP.
   */
  SDXL_1024_VS_SD15_512: 8.42,
  /**
   * X-Adapter's mapping layers in one stage-two step ÷ one SD 1.5 UNet step at the SD 1.5
   * branch's size (three levels of three ResNet blocks on the last three decoder blocks' features),
   * measured at the paper's pairing (SD 1.5 512², SDXL 1024²; `gpu-worker/bench/bench_xadapter.py`):
   * 1.79 / 0.803 TFLOP per image and step. The mapping is heavy (3×3 convs at SDXL's widths).
   */
  MAPPING_VS_SD15_UNET: 2.23,
} as const;

/** What pricing needs of a job's routing (server/jobs/routing.ts); none = SD 1.5, all native. */
export type PriceRouting = Pick<JobRouting, 'family' | 'controls' | 'xAdapter'>;

export interface PriceLine {
  label: string;
  credits: number;
  /** What the line pays for, e.g. "SDXL 1024×1024 · 25 steps". */
  detail?: string;
}

export interface PriceBreakdown {
  total: number;
  lines: PriceLine[];
}

/**
 * UNet work of one step of family `f` at `w`×`h`, in SD 1.5 512² steps: the family's ratio at its
 * native side, scaled by pixels (a UNet's FLOPs grow about linearly with the latent's area).
 *   unitWork(sd15, w, h) = w·h / 512²
 *   unitWork(sdxl, w, h) = SDXL_1024_VS_SD15_512 · w·h / 1024²
 */
export function unitWork(f: Family, w: number, h: number): number {
  const ratio = f === 'sdxl' ? WORK_RATIOS.SDXL_1024_VS_SD15_512 : 1;
  return (ratio * w * h) / NATIVE_SIDE[f] ** 2;
}

const size = (f: Family, w: number, h: number) => `${FAMILY_LABELS[f]} ${w}×${h}`;
const stepsText = (n: number) => `${Math.round(n * 100) / 100} steps`;

/**
 * Credits of a generation, per image (× numImages), with S = steps, s = S/25:
 * - native (every plugin of the base family f, W×H):
 *     Image      = imageBase · unitWork(f, W, H) · s
 *     ControlNet = controlNetPerImage · unitWork(f, W, H) · s          (per net)
 * - through X-Adapter (SDXL at W×H, SD 1.5 branch at w×h, stage one = t0·S steps of SD 1.5
 *   alone, stage two = (1 − t0)·S steps of both UNets + the mapping layers):
 *     Image      = imageBase · unitWork(sdxl, W, H) · (1 − t0)·s
 *     X-Adapter  = imageBase · unitWork(sd15, w, h) · (s + MAPPING_VS_SD15_UNET · (1 − t0)·s)
 *     ControlNet = controlNetPerImage · unitWork(sd15, w, h) · s           (per SD 1.5 net)
 *                + controlNetPerImage · unitWork(sdxl, W, H) · (1 − t0)·s (per SDXL net)
 * - flat per image: T2I-Adapter t2iAdapterPerImage each, IP-Adapter ipAdapterPerImage when there
 *   are references, LoRA loraPerImage each.
 * Total = max(1, ⌈Σ lines⌉).
 */
export function priceGenerate(p: GenerateInput, routing?: PriceRouting): PriceBreakdown {
  const family = routing?.family ?? 'sd15';
  const x = routing?.xAdapter ?? null;
  const s = p.steps / 25;
  const branches = p.controls.map((_, i) => routing?.controls[i]?.route ?? 'native');
  const controlNets = p.controls.map((c, i) => ({ net: c.adapter === 'controlnet', i }));
  const nets = (route: 'native' | 'x_adapter') =>
    controlNets.filter((c) => c.net && branches[c.i] === route).length;
  const t2i = p.controls.length - controlNets.filter((c) => c.net).length;
  const main = unitWork(family, p.width, p.height);
  const perImage: PriceLine[] = [];
  if (!x) {
    perImage.push(
      {
        label: 'Image',
        credits: PRICES.imageBase * main * s,
        detail: `${size(family, p.width, p.height)} · ${stepsText(p.steps)}`,
      },
      { label: 'ControlNet', credits: PRICES.controlNetPerImage * nets('native') * main * s },
    );
  } else {
    const stage2 = (1 - x.t0) * s;
    const sd15 = unitWork('sd15', x.sd15Width, x.sd15Height);
    perImage.push(
      {
        label: 'Image',
        credits: PRICES.imageBase * main * stage2,
        detail: `${size(family, p.width, p.height)} · ${stepsText((1 - x.t0) * p.steps)} of ${p.steps}`,
      },
      {
        label: 'X-Adapter',
        credits: PRICES.imageBase * sd15 * (s + WORK_RATIOS.MAPPING_VS_SD15_UNET * stage2),
        detail: `${size('sd15', x.sd15Width, x.sd15Height)} · ${stepsText(p.steps)}, alone for the first ${stepsText(x.t0 * p.steps)}; mapping layers after`,
      },
      {
        label: 'ControlNet',
        credits:
          PRICES.controlNetPerImage *
          (nets('x_adapter') * sd15 * s + nets('native') * main * stage2),
      },
    );
  }
  perImage.push(
    { label: 'T2I-Adapter', credits: PRICES.t2iAdapterPerImage * t2i },
    { label: 'IP-Adapter', credits: p.references.length ? PRICES.ipAdapterPerImage : 0 },
    { label: 'LoRA', credits: PRICES.loraPerImage * p.loras.length },
  );
  const lines = perImage
    .filter((l) => l.credits > 0)
    .map((l) => ({ ...l, credits: l.credits * p.numImages }));
  const total = Math.max(1, Math.ceil(lines.reduce((sum, l) => sum + l.credits, 0) - 1e-9));
  return { total, lines };
}

export function priceTrain(t: TrainInput): PriceBreakdown {
  const work = (t.steps / 500) * ((t.resolution * t.resolution) / (512 * 512));
  const lines = [
    {
      label: t.method === 'lora' ? 'LoRA training' : 'SVDiff training',
      credits: PRICES.train * work * (t.secondSubject ? 1.5 : 1),
    },
    ...(t.priorPreservation ? [{ label: 'Prior preservation', credits: PRICES.train * 0.25 }] : []),
  ];
  return { total: Math.max(1, Math.ceil(lines.reduce((s, l) => s + l.credits, 0))), lines };
}

export function priceEdit(e: EditInput): PriceBreakdown {
  const work = (e.steps / 500) * ((e.resolution * e.resolution) / (512 * 512));
  const lines = [
    { label: 'Single-image tune (CoSINE)', credits: PRICES.edit * work },
    { label: 'Edited images', credits: PRICES.imageBase * 2 * e.numImages },
  ];
  return { total: Math.max(1, Math.ceil(lines.reduce((s, l) => s + l.credits, 0))), lines };
}
