import sharp from 'sharp';

type Sharp = ReturnType<typeof sharp>;
import { describe, expect, it } from 'vitest';
import { claimedDimensions, sniffImageFormat } from '@/server/references/image-safety';

describe('claimedDimensions reads real headers', () => {
  it.each([
    ['png', (s: Sharp) => s.png()],
    ['jpeg', (s: Sharp) => s.jpeg()],
    ['webp', (s: Sharp) => s.webp({ lossless: true })],
    ['webp', (s: Sharp) => s.webp({ quality: 80 })],
  ] as const)('%s', async (format, encode) => {
    const img = await encode(
      sharp({ create: { width: 333, height: 127, channels: 3, background: '#369' } }),
    ).toBuffer();
    expect(sniffImageFormat(img)).toBe(format);
    expect(claimedDimensions(img, format)).toEqual({ width: 333, height: 127 });
  });
});
