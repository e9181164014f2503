// The CPU work of one control map, in plain JavaScript so that it runs in the map worker thread
// (map-worker.mjs, started by map-pool.ts) as it is; control-maps.ts uses the same functions.
import sharp from 'sharp';
import * as ort from 'onnxruntime-node';
import { canny } from './canny.mjs';
import { pilResizeBicubic } from './pil-resize.mjs';

/**
 * @typedef {object} MapModel What `python -m adapter_worker.export_onnx` writes beside a model.
 * @property {string} control_type
 * @property {string} file
 * @property {string} input_name
 * @property {{ height: number, width: number }} input_size
 * @property {string[]} output_names
 */

/**
 * Decodes an image to interleaved 8-bit RGB.
 * @param {Buffer} png
 * @returns {Promise<{ data: Uint8Array, width: number, height: number }>}
 */
export async function rawRgb(png) {
  const { data, info } = await sharp(png).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  return {
    data: new Uint8Array(data.buffer, data.byteOffset, data.length),
    width: info.width,
    height: info.height,
  };
}

/**
 * Runs a map model on 8-bit RGB: stretch to its input size (Pillow bicubic), ×1/255, NCHW.
 * @param {MapModel} model
 * @param {{ data: Uint8Array, width: number, height: number }} img
 * @param {ort.InferenceSession} session
 * @returns {Promise<{ width: number, height: number, values: Float32Array }>}
 */
export async function runMapModel(model, img, session) {
  const { height: h, width: w } = model.input_size;
  const small = pilResizeBicubic(img, w, h);
  const input = new Float32Array(3 * w * h);
  for (let i = 0; i < w * h; i++) {
    for (let c = 0; c < 3; c++) input[c * w * h + i] = Math.fround(small.data[i * 3 + c] / 255);
  }
  const out = await session.run({
    [model.input_name]: new ort.Tensor('float32', input, [1, 3, h, w]),
  });
  const map = out[model.output_names[0]];
  if (!map) throw new Error(`the ${model.control_type} model gave no output`);
  const [oh, ow] = map.dims.slice(-2);
  return { width: ow, height: oh, values: /** @type {Float32Array} */ (map.data) };
}

/**
 * Makes a control map from a normalised library PNG: canny with the given thresholds, or the
 * ONNX `model`'s map stretched back to the image's size. Returns a grayscale PNG.
 * @param {string} kind
 * @param {Buffer} png
 * @param {{ low: number, high: number }} opts
 * @param {MapModel | null} model
 * @param {(file: string) => Promise<ort.InferenceSession>} session
 * @returns {Promise<Buffer>}
 */
export async function makeMap(kind, png, opts, model, session) {
  const img = await rawRgb(png);
  if (kind === 'canny') {
    const edges = canny(img.data, img.width, img.height, opts);
    return sharp(Buffer.from(edges), { raw: { width: img.width, height: img.height, channels: 1 } })
      .png()
      .toBuffer();
  }
  if (!model) throw new Error(`no model for ${kind} maps`);
  const map = await runMapModel(model, img, await session(model.file));
  const gray = Buffer.alloc(map.width * map.height);
  for (let i = 0; i < gray.length; i++)
    gray[i] = Math.max(0, Math.min(255, Math.round(map.values[i] * 255)));
  return sharp(gray, { raw: { width: map.width, height: map.height, channels: 1 } })
    .resize(img.width, img.height, { fit: 'fill', kernel: 'cubic' })
    .png()
    .toBuffer();
}
