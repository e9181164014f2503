// Prices by base model and resolution, and X-Adapter's two UNets, against the formula written
// out plainly here (server/credits/pricing.ts's docstring); and the BASE_MODELS / X_ADAPTER
// settings. No database.
import { describe, expect, it } from 'vitest';
import { priceGenerate, PRICES, WORK_RATIOS, type PriceRouting } from '@/server/credits/pricing';
import { parseEnv, type EnvError } from '@/server/env';
import { generateInput } from '@/server/jobs/schemas';

const ID = '0193a000-0000-7000-8000-000000000001';

/** The formula, re-implemented: credits of one image. */
function plain(o: {
  sdxl: boolean;
  W: number;
  H: number;
  steps: number;
  x?: { t0: number; w: number; h: number; sd15Nets: number; sdxlNets: number };
  nets?: number;
  loras?: number;
}): number {
  const s = o.steps / 25;
  const main = o.sdxl
    ? (WORK_RATIOS.SDXL_1024_VS_SD15_512 * o.W * o.H) / (1024 * 1024)
    : (o.W * o.H) / (512 * 512);
  let credits: number;
  if (!o.x) {
    credits = PRICES.imageBase * main * s + PRICES.controlNetPerImage * (o.nets ?? 0) * main * s;
  } else {
    const sd15 = (o.x.w * o.x.h) / (512 * 512);
    const stage2 = (1 - o.x.t0) * s;
    credits =
      PRICES.imageBase * main * stage2 +
      PRICES.imageBase * sd15 * (s + WORK_RATIOS.MAPPING_VS_SD15_UNET * stage2) +
      PRICES.controlNetPerImage * (o.x.sd15Nets * sd15 * s + o.x.sdxlNets * main * stage2);
  }
  return credits + PRICES.loraPerImage * (o.loras ?? 0);
}

const total = (perImage: number, images = 1) => Math.max(1, Math.ceil(perImage * images - 1e-9));

const control = (family?: 'sd15' | 'sdxl') => ({ imageId: ID, type: 'canny', family });

describe('priceGenerate by base model and resolution', () => {
  it('prices SD 1.5 as before when no routing is given', () => {
    const p = generateInput.parse({ prompt: 'x' });
    expect(priceGenerate(p).total).toBe(2);
    expect(priceGenerate(p).lines).toEqual([
      { label: 'Image', credits: 2, detail: 'SD 1.5 512×512 · 25 steps' },
    ]);
  });

  it('prices SDXL natively at 1024² from SDXL_1024_VS_SD15_512', () => {
    const routing: PriceRouting = { family: 'sdxl', controls: [], xAdapter: null };
    for (const [W, H, steps] of [
      [1024, 1024, 25],
      [1024, 768, 30],
      [512, 512, 10],
    ] as const) {
      const p = generateInput.parse({ prompt: 'x', width: W, height: H, steps });
      expect(priceGenerate(p, routing).total).toBe(total(plain({ sdxl: true, W, H, steps })));
    }
    const p = generateInput.parse({ prompt: 'x', width: 1024, height: 1024, numImages: 2 });
    expect(priceGenerate(p, routing).total).toBe(
      total(plain({ sdxl: true, W: 1024, H: 1024, steps: 25 }), 2),
    );
  });

  it('prices X-Adapter as both UNets: SD 1.5 every step, SDXL + mapping after t0', () => {
    const p = generateInput.parse({
      prompt: 'x',
      width: 1024,
      height: 1024,
      steps: 30,
      controls: [control('sd15'), control('sdxl')],
      loras: [{ adapterId: ID }],
    });
    for (const t0 of [0, 0.5, 0.7, 1]) {
      const routing: PriceRouting = {
        family: 'sdxl',
        controls: [
          { kind: 'controlnet', name: 'canny', family: 'sd15', route: 'x_adapter' },
          { kind: 'controlnet', name: 'canny', family: 'sdxl', route: 'native' },
        ],
        xAdapter: { name: 'default', sd15BaseModel: 'sd15', t0, sd15Width: 512, sd15Height: 384 },
      };
      const quote = priceGenerate(p, routing);
      expect(quote.total).toBe(
        total(
          plain({
            sdxl: true,
            W: 1024,
            H: 1024,
            steps: 30,
            x: { t0, w: 512, h: 384, sd15Nets: 1, sdxlNets: 1 },
            loras: 1,
          }),
        ),
      );
      const xLine = quote.lines.find((l) => l.label === 'X-Adapter')!;
      expect(xLine.credits).toBeCloseTo(
        PRICES.imageBase *
          ((512 * 384) / 512 ** 2) *
          (30 / 25) *
          (1 + WORK_RATIOS.MAPPING_VS_SD15_UNET * (1 - t0)),
      );
    }
  });

  it('a smaller t0 (SDXL joins earlier) costs more', () => {
    const p = generateInput.parse({ prompt: 'x', width: 1024, height: 1024 });
    const at = (t0: number) =>
      priceGenerate(p, {
        family: 'sdxl',
        controls: [],
        xAdapter: { name: 'd', sd15BaseModel: 's', t0, sd15Width: 512, sd15Height: 512 },
      }).lines.reduce((s, l) => s + l.credits, 0);
    expect(at(0.2)).toBeGreaterThan(at(0.7));
  });
});

describe('BASE_MODELS and X_ADAPTER settings', () => {
  const base = { DATABASE_URL: 'postgresql://u:p@localhost:5432/db' };
  const problems = (raw: Record<string, string>) => {
    try {
      parseEnv({ ...base, ...raw });
    } catch (e) {
      return (e as EnvError).problems;
    }
    return [];
  };

  it('reads name or name:family, a bare name being sd15', () => {
    expect(parseEnv({ ...base, BASE_MODELS: 'tiny-sd15, tiny-sdxl:sdxl' }).BASE_MODELS).toEqual([
      { name: 'tiny-sd15', family: 'sd15' },
      { name: 'tiny-sdxl', family: 'sdxl' },
    ]);
    expect(parseEnv(base).BASE_MODELS).toEqual([{ name: 'sd15', family: 'sd15' }]);
    expect(problems({ BASE_MODELS: 'a:sd3' })).toEqual([
      { variable: 'BASE_MODELS', message: expect.stringMatching(/unknown family "sd3"/) as string },
    ]);
    expect(problems({ BASE_MODELS: 'a,a:sdxl' })[0]?.message).toMatch(/twice/);
  });

  it('X_ADAPTER needs an SD 1.5 base of BASE_MODELS and an SDXL base', () => {
    const models = { BASE_MODELS: 'tiny-sd15,tiny-sdxl:sdxl' };
    expect(
      parseEnv({ ...base, ...models, X_ADAPTER: 'default', X_ADAPTER_SD15_BASE: 'tiny-sd15' })
        .X_ADAPTER,
    ).toBe('default');
    expect(problems({ ...models, X_ADAPTER: 'default' }).map((p) => p.variable)).toEqual([
      'X_ADAPTER_SD15_BASE',
    ]);
    expect(
      problems({ ...models, X_ADAPTER: 'default', X_ADAPTER_SD15_BASE: 'tiny-sdxl' })[0]?.message,
    ).toMatch(/family sd15/);
    expect(
      problems({
        BASE_MODELS: 'tiny-sd15',
        X_ADAPTER: 'default',
        X_ADAPTER_SD15_BASE: 'tiny-sd15',
      }).map((p) => p.variable),
    ).toEqual(['X_ADAPTER']);
    expect(
      problems({ ...models, X_ADAPTER_SD15_BASE: 'tiny-sd15' }).map((p) => p.variable),
    ).toEqual(['X_ADAPTER']);
  });
});
