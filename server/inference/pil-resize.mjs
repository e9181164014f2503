// Pillow's bicubic resampling (libImaging/Resample.c), reproduced exactly for 8-bit images:
// the same coefficients, the same 22-bit fixed-point rounding, the same horizontal-then-vertical
// passes with an 8-bit intermediate. transformers' CLIPImageProcessor resizes with Pillow, so
// an embedding computed here matches the worker's only if the pixels match bit for bit.
//
// Plain JavaScript (types in JSDoc) so the map worker thread (map-worker.mjs) loads it as it is;
// pil-resize.ts gives TypeScript callers the same function.

/**
 * @typedef {object} RgbImage
 * @property {number} width
 * @property {number} height
 * @property {Uint8Array} data Interleaved 8-bit RGB, row-major.
 */
/**
 * @typedef {object} Coeffs
 * @property {number} ksize
 * @property {Int32Array} bounds [xmin, count] per output pixel
 * @property {Int32Array} kk fixed-point weights, ksize per output pixel
 */
const PRECISION_BITS = 32 - 8 - 2;
const SUPPORT = 2.0;

/** @param {number} x */
function bicubic(x) {
  const a = -0.5;
  if (x < 0) x = -x;
  if (x < 1) return ((a + 2) * x - (a + 3)) * x * x + 1;
  if (x < 2) return (((x - 5) * x + 8) * x - 4) * a;
  return 0;
}

/**
 * @param {number} inSize
 * @param {number} in0
 * @param {number} in1
 * @param {number} outSize
 * @returns {Coeffs}
 */
function precomputeCoeffs(inSize, in0, in1, outSize) {
  const scale = (in1 - in0) / outSize;
  const filterscale = scale < 1 ? 1 : scale;
  const support = SUPPORT * filterscale;
  const ksize = Math.ceil(support) * 2 + 1;
  const bounds = new Int32Array(outSize * 2);
  const kk = new Int32Array(outSize * ksize);
  const k = new Float64Array(ksize);
  for (let xx = 0; xx < outSize; xx++) {
    const center = in0 + (xx + 0.5) * scale;
    const ss = 1 / filterscale;
    let xmin = Math.trunc(center - support + 0.5);
    if (xmin < 0) xmin = 0;
    let xmax = Math.trunc(center + support + 0.5);
    if (xmax > inSize) xmax = inSize;
    xmax -= xmin;
    let ww = 0;
    for (let x = 0; x < xmax; x++) {
      const w = bicubic((x + xmin - center + 0.5) * ss);
      k[x] = w;
      ww += w;
    }
    for (let x = 0; x < ksize; x++) {
      const w = x < xmax ? (ww !== 0 ? k[x] / ww : k[x]) : 0;
      // normalize_coeffs_8bpc: round half away from zero, then truncate toward zero.
      kk[xx * ksize + x] =
        w < 0
          ? Math.trunc(-0.5 + w * (1 << PRECISION_BITS))
          : Math.trunc(0.5 + w * (1 << PRECISION_BITS));
    }
    bounds[xx * 2] = xmin;
    bounds[xx * 2 + 1] = xmax;
  }
  return { ksize, bounds, kk };
}

/** @param {number} v */
function clip8(v) {
  // v is an integer accumulator; values fit in float64 exactly.
  if (v >= 2 ** (PRECISION_BITS + 8)) return 255;
  if (v <= 0) return 0;
  return Math.floor(v / 2 ** PRECISION_BITS);
}

const HALF = 2 ** (PRECISION_BITS - 1);

/**
 * One horizontal pass over rows [y0, y0 + rows) of `src`.
 * @param {RgbImage} src
 * @param {Coeffs} c
 * @param {number} outW
 * @param {number} y0
 * @param {number} rows
 * @returns {RgbImage}
 */
function horizontalPass(src, c, outW, y0, rows) {
  const out = new Uint8Array(outW * rows * 3);
  for (let yy = 0; yy < rows; yy++) {
    const row = (yy + y0) * src.width * 3;
    for (let xx = 0; xx < outW; xx++) {
      const xmin = c.bounds[xx * 2];
      const n = c.bounds[xx * 2 + 1];
      const kOff = xx * c.ksize;
      let s0 = HALF,
        s1 = HALF,
        s2 = HALF;
      for (let x = 0; x < n; x++) {
        const w = c.kk[kOff + x];
        const p = row + (x + xmin) * 3;
        s0 += src.data[p] * w;
        s1 += src.data[p + 1] * w;
        s2 += src.data[p + 2] * w;
      }
      const o = (yy * outW + xx) * 3;
      out[o] = clip8(s0);
      out[o + 1] = clip8(s1);
      out[o + 2] = clip8(s2);
    }
  }
  return { width: outW, height: rows, data: out };
}

/**
 * One vertical pass; `bounds` index rows of `src`.
 * @param {RgbImage} src
 * @param {Coeffs} c
 * @param {Int32Array} bounds
 * @param {number} outH
 * @returns {RgbImage}
 */
function verticalPass(src, c, bounds, outH) {
  const w = src.width;
  const out = new Uint8Array(w * outH * 3);
  for (let yy = 0; yy < outH; yy++) {
    const ymin = bounds[yy * 2];
    const n = bounds[yy * 2 + 1];
    const kOff = yy * c.ksize;
    for (let xx = 0; xx < w; xx++) {
      let s0 = HALF,
        s1 = HALF,
        s2 = HALF;
      for (let y = 0; y < n; y++) {
        const k = c.kk[kOff + y];
        const p = ((y + ymin) * w + xx) * 3;
        s0 += src.data[p] * k;
        s1 += src.data[p + 1] * k;
        s2 += src.data[p + 2] * k;
      }
      const o = (yy * w + xx) * 3;
      out[o] = clip8(s0);
      out[o + 1] = clip8(s1);
      out[o + 2] = clip8(s2);
    }
  }
  return { width: w, height: outH, data: out };
}

/**
 * Resizes an 8-bit RGB image exactly as `PIL.Image.resize((w, h), Image.BICUBIC)` (Pillow 13).
 * @param {RgbImage} img
 * @param {number} outW
 * @param {number} outH
 * @returns {RgbImage}
 */
export function pilResizeBicubic(img, outW, outH) {
  const { width: inW, height: inH } = img;
  const needH = outW !== inW;
  const needV = outH !== inH;
  const horiz = precomputeCoeffs(inW, 0, inW, outW);
  const vert = precomputeCoeffs(inH, 0, inH, outH);
  // Pillow shrinks the axis that loses much more first: vertical first when the height drops by
  // more than twice what the width does, else horizontal first. The order moves some pixels by 1.
  const dh = inH - outH;
  const dw = inW - outW;
  if (needV && dh > 0 && dh > 2 * dw) {
    const v = verticalPass(img, vert, vert.bounds, outH);
    return needH ? horizontalPass(v, horiz, outW, 0, outH) : v;
  }
  if (!needH) return needV ? verticalPass(img, vert, vert.bounds, outH) : img;
  // Horizontal first, over only the rows the vertical pass will read.
  const vbounds = vert.bounds.slice();
  const yFirst = vbounds[0];
  const yLast = vbounds[outH * 2 - 2] + vbounds[outH * 2 - 1];
  const h = horizontalPass(img, horiz, outW, needV ? yFirst : 0, needV ? yLast - yFirst : inH);
  if (!needV) return h;
  for (let i = 0; i < outH; i++) vbounds[i * 2] = vbounds[i * 2] - yFirst;
  return verticalPass(h, vert, vbounds, outH);
}
