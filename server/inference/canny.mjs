// Canny edge detection (Canny 1986) as OpenCV's cv2.Canny computes it for ControlNet's canny
// preprocessor: grayscale, 3×3 Sobel, L1 gradient magnitude, non-maximum suppression along
// the gradient direction, then hysteresis between the low and high thresholds (8-connected).
// No pre-blur, as in the ControlNet reference preprocessor.
//
// Plain JavaScript (types in JSDoc) so the map worker thread (map-worker.mjs) loads it as it is;
// canny.ts gives TypeScript callers the same function.

/**
 * `rgb` is interleaved 8-bit RGB; returns one byte per pixel, 255 on edges and 0 elsewhere.
 * @param {Uint8Array} rgb
 * @param {number} width
 * @param {number} height
 * @param {{ low: number, high: number }} thresholds
 * @returns {Uint8Array}
 */
export function canny(rgb, width, height, { low, high }) {
  if (low > high) [low, high] = [high, low];
  const n = width * height;
  const gray = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    gray[i] = Math.round(0.299 * rgb[i * 3] + 0.587 * rgb[i * 3 + 1] + 0.114 * rgb[i * 3 + 2]);
  }
  // Sobel with replicated borders.
  /** @type {(x: number, y: number) => number} */
  const px = (x, y) =>
    gray[Math.min(height - 1, Math.max(0, y)) * width + Math.min(width - 1, Math.max(0, x))];
  const gx = new Float32Array(n);
  const gy = new Float32Array(n);
  const mag = new Float32Array(n);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const a = px(x - 1, y - 1),
        b = px(x, y - 1),
        c = px(x + 1, y - 1);
      const d = px(x - 1, y),
        f = px(x + 1, y);
      const g = px(x - 1, y + 1),
        h = px(x, y + 1),
        k = px(x + 1, y + 1);
      const sx = c + 2 * f + k - (a + 2 * d + g);
      const sy = g + 2 * h + k - (a + 2 * b + c);
      const i = y * width + x;
      gx[i] = sx;
      gy[i] = sy;
      mag[i] = Math.abs(sx) + Math.abs(sy);
    }
  }
  // Non-maximum suppression: keep a pixel only if it is a local maximum across the edge.
  const TAN22 = Math.tan(Math.PI / 8);
  const STRONG = 2;
  const WEAK = 1;
  const state = new Uint8Array(n);
  for (let y = 1; y < height - 1; y++) {
    for (let x = 1; x < width - 1; x++) {
      const i = y * width + x;
      const m = mag[i];
      if (m <= low) continue;
      const ax = Math.abs(gx[i]);
      const ay = Math.abs(gy[i]);
      let n1, n2;
      if (ay <= ax * TAN22) {
        n1 = mag[i - 1]; // horizontal gradient: compare left/right
        n2 = mag[i + 1];
      } else if (ay > ax / TAN22) {
        n1 = mag[i - width]; // vertical gradient: compare up/down
        n2 = mag[i + width];
      } else {
        const s = gx[i] > 0 === gy[i] > 0 ? 1 : -1; // diagonal
        n1 = mag[i - width - s];
        n2 = mag[i + width + s];
      }
      if (m > n1 && m >= n2) state[i] = m > high ? STRONG : WEAK;
    }
  }
  // Hysteresis: weak pixels survive only when connected to a strong one.
  const out = new Uint8Array(n);
  /** @type {number[]} */
  const stack = [];
  for (let i = 0; i < n; i++) {
    if (state[i] === STRONG && !out[i]) {
      out[i] = 255;
      stack.push(i);
      while (stack.length) {
        const j = stack.pop();
        const jx = j % width;
        for (let dy = -1; dy <= 1; dy++) {
          for (let dx = -1; dx <= 1; dx++) {
            const nx = jx + dx;
            const q = j + dy * width + dx;
            if (nx < 0 || nx >= width || q < 0 || q >= n || out[q] || state[q] === 0) continue;
            out[q] = 255;
            stack.push(q);
          }
        }
      }
    }
  }
  return out;
}
