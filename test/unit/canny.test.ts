import { describe, expect, it } from 'vitest';
import { canny } from '@/server/inference/canny';

/** W×H RGB image of `bg` with a filled rectangle of `fg` over [x0,x1)×[y0,y1). */
function rectImage(
  w: number,
  h: number,
  x0: number,
  y0: number,
  x1: number,
  y1: number,
  fg: number,
  bg = 0,
) {
  const rgb = new Uint8Array(w * h * 3).fill(bg);
  for (let y = y0; y < y1; y++)
    for (let x = x0; x < x1; x++) rgb.fill(fg, (y * w + x) * 3, (y * w + x) * 3 + 3);
  return rgb;
}

describe('canny', () => {
  const W = 128,
    H = 96,
    X0 = 32,
    Y0 = 24,
    X1 = 96,
    Y1 = 72;

  it('finds exactly the border of a white rectangle on black', () => {
    const edges = canny(rectImage(W, H, X0, Y0, X1, Y1, 255), W, H, { low: 100, high: 200 });
    const at = (x: number, y: number) => edges[y * W + x] === 255;
    // Every edge pixel lies within one pixel of the rectangle's border…
    for (let y = 0; y < H; y++) {
      for (let x = 0; x < W; x++) {
        if (!at(x, y)) continue;
        const nearV =
          (Math.abs(x - X0) <= 1 || Math.abs(x - (X1 - 1)) <= 1) && y >= Y0 - 1 && y <= Y1;
        const nearH =
          (Math.abs(y - Y0) <= 1 || Math.abs(y - (Y1 - 1)) <= 1) && x >= X0 - 1 && x <= X1;
        expect(nearV || nearH, `edge at ${x},${y}`).toBe(true);
      }
    }
    // …and every side is traced along its length (corners aside).
    for (let x = X0 + 2; x < X1 - 2; x++) {
      expect(at(x, Y0) || at(x, Y0 - 1)).toBe(true);
      expect(at(x, Y1 - 1) || at(x, Y1)).toBe(true);
    }
    for (let y = Y0 + 2; y < Y1 - 2; y++) {
      expect(at(X0, y) || at(X0 - 1, y)).toBe(true);
      expect(at(X1 - 1, y) || at(X1, y)).toBe(true);
    }
    // Edges are thin: one line per side, not a band.
    const count = edges.reduce((n, v) => n + (v ? 1 : 0), 0);
    const perimeter = 2 * (X1 - X0 + Y1 - Y0);
    expect(count).toBeGreaterThan(perimeter * 0.9);
    expect(count).toBeLessThan(perimeter * 1.2);
  });

  it('honours the thresholds: a faint rectangle only shows with low thresholds', () => {
    const faint = rectImage(W, H, X0, Y0, X1, Y1, 20); // step 20: |∇| = 80 on sides, ≤ 120 at corners
    const strict = canny(faint, W, H, { low: 100, high: 200 });
    const lenient = canny(faint, W, H, { low: 30, high: 60 });
    expect(strict.some((v) => v)).toBe(false);
    expect(lenient.filter((v) => v).length).toBeGreaterThan(200);
  });

  it('finds nothing in a flat image', () => {
    expect(
      canny(new Uint8Array(64 * 64 * 3).fill(128), 64, 64, { low: 1, high: 2 }).some((v) => v),
    ).toBe(false);
  });
});
