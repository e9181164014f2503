// The Generate form's base-model rules that run in the page: the size follows the family when
// the base model changes (SDXL paints at 1024², SD 1.5 at 512²), the routing preview is the
// server's rule, and remix reads the base model, each control's family and X-Adapter back.
import { describe, expect, it } from 'vitest';
import { refusalReason, routeFor } from '@/app/generate/families';
import { sizeChoiceOf, sizeForFamily, valuesFromJobRequest } from '@/app/generate/presets';

describe('Generate: sizes by family', () => {
  it('switching to SDXL keeps the shape at SDXL’s native size, and back again', () => {
    expect(sizeForFamily(512, 512, 'sd15', 'sdxl')).toEqual({ width: 1024, height: 1024 });
    expect(sizeForFamily(768, 768, 'sd15', 'sdxl')).toEqual({ width: 1024, height: 1024 });
    expect(sizeForFamily(640, 480, 'sd15', 'sdxl')).toEqual({ width: 1024, height: 768 });
    expect(sizeForFamily(576, 1024, 'sdxl', 'sd15')).toEqual({ width: 432, height: 768 });
    expect(sizeForFamily(1024, 1024, 'sdxl', 'sd15')).toEqual({ width: 512, height: 512 });
    // A custom size (a remixed API job) stays as it is.
    expect(sizeForFamily(296, 304, 'sd15', 'sdxl')).toEqual({ width: 296, height: 304 });
  });

  it('SDXL has one size per shape, never "large"; SD 1.5 sizes are custom on SDXL', () => {
    expect(sizeChoiceOf(1024, 768, 'sdxl')).toEqual({ aspect: '4:3', large: false });
    expect(sizeChoiceOf(512, 512, 'sdxl')).toEqual({ aspect: 'custom', large: false });
    expect(sizeChoiceOf(768, 768, 'sd15')).toEqual({ aspect: '1:1', large: true });
  });
});

describe('Generate: what runs on the chosen base model', () => {
  it('direct in the same family, SD 1.5 on SDXL through X-Adapter when on, else refused', () => {
    expect(routeFor('sd15', 'sd15', false)).toBe('native');
    expect(routeFor('sdxl', 'sdxl', true)).toBe('native');
    expect(routeFor('sd15', 'sdxl', true)).toBe('x_adapter');
    expect(routeFor('sd15', 'sdxl', false)).toBe('refused');
    expect(routeFor('sdxl', 'sd15', true)).toBe('refused');
    expect(refusalReason('sdxl', 'sd15')).toMatch(/Made for SDXL/);
    expect(refusalReason('sd15', 'sdxl')).toMatch(/X-Adapter is not available/);
  });

  it('remix keeps the base model, each control’s family and the X-Adapter settings', () => {
    const request = {
      prompt: 'a harbour',
      baseModel: 'tiny-sdxl',
      width: 1024,
      height: 1024,
      controls: [{ imageId: 'x', type: 'canny', family: 'sd15' }],
      xAdapter: { t0: 0.4, fusion: 1.1, sd15Prompt: 'tiny style' },
      webhook: 'https://example.com/hook',
    };
    const values = valuesFromJobRequest(request)!;
    expect(values).toMatchObject({
      baseModel: 'tiny-sdxl',
      controls: [{ family: 'sd15' }],
      xAdapter: { t0: 0.4, fusion: 1.1, sd15Prompt: 'tiny style' },
    });
    expect('webhook' in values).toBe(false);
  });
});
