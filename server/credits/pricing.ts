// The price list, in one place. A job's price is fixed when it is accepted and shown before
// submit (jobs.quote). One credit ≈ one 512×512, 25-step SD 1.5 image's GPU time / 2.
import type { EditInput, GenerateInput, TrainInput } from '../jobs/schemas';

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

export interface PriceBreakdown {
  total: number;
  lines: { label: string; credits: number }[];
}

export function priceGenerate(p: GenerateInput): PriceBreakdown {
  const work = ((p.width * p.height) / (512 * 512)) * (p.steps / 25);
  const controlNets = p.controls.filter((c) => c.adapter === 'controlnet').length;
  const t2i = p.controls.length - controlNets;
  const perImage = [
    { label: 'Image', credits: PRICES.imageBase * work },
    { label: 'ControlNet', credits: PRICES.controlNetPerImage * controlNets * work },
    { label: 'T2I-Adapter', credits: PRICES.t2iAdapterPerImage * t2i },
    { label: 'IP-Adapter', credits: p.references.length ? PRICES.ipAdapterPerImage : 0 },
    { label: 'LoRA', credits: PRICES.loraPerImage * p.loras.length },
  ].filter((l) => l.credits > 0);
  const lines = perImage.map((l) => ({ label: l.label, credits: l.credits * p.numImages }));
  const total = Math.max(1, Math.ceil(lines.reduce((s, l) => s + l.credits, 0) - 1e-9));
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
