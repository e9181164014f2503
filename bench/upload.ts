// Upload benchmark (issue 04): one library upload end to end on this machine's CPU — decode
// and bound, orient, strip, normalise, thumbnail, IP-Adapter embedding (base + Plus, with the
// Plus negative) through onnxruntime-node, storage writes and the database row — with the tiny
// encoder fixture and with a full-size CLIP ViT-H/14 (random weights) exported by
//   gpu-worker/.venv/bin/python -m adapter_worker.export_onnx --full-size-vit-h --out DIR/encoder.onnx
//   npm run bench:upload -- [--vit-h DIR/encoder.onnx] [--images 20]
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { throwawayDatabase } from './lib/throwaway-db';
import sharp from 'sharp';

const arg = (name: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
};
const IMAGES = Number(arg('images') ?? 20);
const encoders: [string, string | undefined][] = [
  ['none (no encoder configured)', undefined],
  ['tiny CLIP (test fixture)', path.resolve('test/fixtures/onnx/clip-tiny.onnx')],
];
const vitH = arg('vit-h');
if (vitH) encoders.push(['CLIP ViT-H/14, full size', path.resolve(vitH)]);

const database = await throwawayDatabase();

const { db } = await import('../server/db');
const { addLibraryImage } = await import('../server/references/library');
const { resetEnv } = await import('../server/env');

async function photo(i: number): Promise<Buffer> {
  // A 12-megapixel-class photo stand-in: 2048×1536 JPEG with varied content per image.
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="2048" height="1536"><defs><linearGradient id="g"><stop offset="0" stop-color="#${((i * 2654435761) % 0xffffff).toString(16).padStart(6, '0')}"/><stop offset="1" stop-color="#123"/></linearGradient></defs><rect width="2048" height="1536" fill="url(#g)"/><circle cx="${600 + i * 37}" cy="700" r="400" fill="#fc4"/></svg>`;
  return sharp(Buffer.from(svg)).jpeg({ quality: 88 }).toBuffer();
}
const inputs = await Promise.all(Array.from({ length: IMAGES }, (_, i) => photo(i)));

let peakRss = 0;
const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 5);
const rows: string[] = [];
for (const [label, file] of encoders) {
  if (file && !fs.existsSync(file)) {
    rows.push(`| ${label} | missing: ${file} | | |`);
    continue;
  }
  process.env.IP_ADAPTER_ENCODER_ONNX = file ?? '';
  resetEnv();
  const user = await db().user.create({
    data: { id: `bench-${rows.length}`, name: 'b', email: `b${rows.length}@x.example` },
  });
  // Warm-up (session creation, first-call allocations) is reported apart.
  const w0 = performance.now();
  await addLibraryImage(user.id, await photo(999));
  const warm = performance.now() - w0;
  peakRss = process.memoryUsage().rss;
  const times: number[] = [];
  for (const img of inputs) {
    const t0 = performance.now();
    const { image } = await addLibraryImage(user.id, img);
    times.push(performance.now() - t0);
    if (file && !image.embedding) throw new Error('no embedding was stored');
  }
  times.sort((a, b) => a - b);
  const p50 = times[Math.floor(times.length / 2)]!;
  const mean = times.reduce((a, b) => a + b, 0) / times.length;
  rows.push(
    `| ${label} | ${p50.toFixed(0)} ms | ${mean.toFixed(0)} ms | ${warm.toFixed(0)} ms | ${(peakRss / 2 ** 20).toFixed(0)} MiB |`,
  );
}
clearInterval(sampler);

console.log(
  `\nUpload benchmark — ${IMAGES} JPEG photos 2048×1536 each, ${os.cpus().length} CPU cores, onnxruntime-node CPU`,
);
console.log('| encoder | p50 per upload | mean | first upload (session load) | peak RSS |');
console.log('| --- | --- | --- | --- | --- |');
for (const r of rows) console.log(r);

await db().$disconnect();
await database.stop();
