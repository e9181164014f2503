// The API says what it enforces: Schemathesis, an established property-based OpenAPI fuzzer,
// runs over every operation of the document the production server serves, with a key holding
// every scope, a seed printed for replay and a bounded number of examples per operation. Every
// phase runs (the document's examples, coverage of its boundaries, random fuzzing, and stateful
// sequences that follow the document's `links` from a created or listed resource to its GET,
// PATCH and DELETE). It passes only with no failure of any check and no warning.
import { spawn } from 'node:child_process';
import http from 'node:http';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureSchemathesis } from '@/scripts/lib/schemathesis.mjs';
import { API_SCOPES } from '@/server/api-keys/keys';
import { allowOf, ROUTE_METHODS } from '@/server/route-methods';
import { API_CSP, securityHeaders } from '@/server/security-headers.mjs';
import { photoPng } from '../helpers/hostile-files';
import { ROOT, startApp, tinyModels, type LiveApp } from '../helpers/live';
import { bearer, jsonHeaders, userWithKey } from '../helpers/rest';

/** Examples per operation and phase: enough to reach every status, bounded for `npm test`. */
const MAX_EXAMPLES = Number(process.env.API_FUZZ_EXAMPLES ?? 25);
/** The most photos one training subject may name, and the largest resolution a job may ask for. */
const MAX_TRAINING_PHOTOS = 20;
const MAX_RESOLUTION = 1024;
const SEED = Number(process.env.API_FUZZ_SEED ?? Math.floor(Math.random() * 2 ** 31));

let app: LiveApp;
let schemathesis: string;
let secret: string;
/** Ids of the seeded test data, for the hooks (environment variables of the fuzzer). */
let seeded: Record<string, string>;

beforeAll(async () => {
  schemathesis = process.env.SCHEMATHESIS_BIN ?? ensureSchemathesis();
  // Built before the server starts: the build blocks this process's event loop for seconds
  // (spawnSync), long past the server's keep-alive timeout, and fetch would then send the next
  // request on a pooled connection the server has closed meanwhile (write EPIPE).
  const kohyaFile = path.join(tinyModels(), 'loras', 'style-kohya.safetensors');
  const kohya = fs.readFileSync(kohyaFile);
  app = await startApp();
  // A verified account (makeUser, under userWithKey, verifies): unverified ones may not create
  // jobs. A test-mode key (as_test_): its jobs are validated as live ones but finish at once and
  // spend nothing, so hundreds of valid jobs neither pile up against the plan's limit of jobs in progress (every
  // later creation a 429) nor hold a `Prefer: wait` past the fuzzer's request timeout.
  ({ secret } = await userWithKey(API_SCOPES, { plan: 'studio', mode: 'test' }));
  // Test data the generated requests cannot invent: an adapter and library images, whose ids
  // test/fuzz/hooks.py puts into valid bodies (an edit's image, a training's photos, a
  // generation's references, controls and LoRAs) and which the list → PATCH/DELETE links reach.
  const auth = bearer(secret);
  const lora = new FormData();
  lora.set('file', new Blob([new Uint8Array(kohya)]), 'style.safetensors');
  lora.set('name', 'Style');
  const a = await fetch(`${app.url}/api/v1/adapters`, {
    method: 'POST',
    headers: auth,
    body: lora,
  });
  expect(a.status, await a.clone().text()).toBe(201);
  // As many photos as a training may name (distinct: the same image twice is stored once), each
  // at least as large as the largest training or edit resolution.
  const imageIds: string[] = [];
  for (let i = 0; i < MAX_TRAINING_PHOTOS; i++) {
    const image = new FormData();
    const png = await photoPng(MAX_RESOLUTION, MAX_RESOLUTION + 8 * i);
    image.set('file', new Blob([new Uint8Array(png)]), `photo-${i}.png`);
    const r = await fetch(`${app.url}/api/v1/references`, {
      method: 'POST',
      headers: auth,
      body: image,
    });
    expect(r.status, await r.clone().text()).toBe(201);
    imageIds.push(((await r.json()) as { id: string }).id);
  }
  // A job to get and cancel, and a webhook delivery to replay: a job with its own webhook URL
  // (job.succeeded at once, test mode).
  const job = await fetch(`${app.url}/api/v1/generations`, {
    method: 'POST',
    headers: jsonHeaders(secret),
    body: JSON.stringify({ prompt: 'seed', webhook: 'https://example.com/fuzz-hook' }),
  });
  expect(job.status, await job.clone().text()).toBe(201);
  const deliveries = (await (
    await fetch(`${app.url}/api/v1/webhooks/deliveries`, { headers: auth })
  ).json()) as { items: { id: string }[] };
  expect(deliveries.items).toHaveLength(1);
  // The files a valid upload carries (the hooks put them into positive cases).
  const imageFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'as-fuzz-seed-')), 'photo.png');
  fs.writeFileSync(imageFile, await photoPng());
  seeded = {
    FUZZ_IMAGE_FILE: imageFile,
    FUZZ_ADAPTER_FILE: kohyaFile,
    FUZZ_ADAPTER_ID: ((await a.json()) as { id: string }).id,
    FUZZ_IMAGE_IDS: imageIds.join(','),
    FUZZ_DELIVERY_ID: deliveries.items[0]!.id,
    FUZZ_JOB_ID: ((await job.json()) as { id: string }).id,
  };
}, 240_000);

afterAll(async () => {
  await app?.stop();
});

function run(cmd: string, args: string[]): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, {
      cwd: path.join(ROOT, 'test', 'fuzz'),
      env: { ...process.env, ...seeded, NO_COLOR: '1', COLUMNS: '160', PYTHONPATH: '.' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    child.on('error', reject);
    child.on('exit', (code) => resolve({ code, output }));
  });
}

/** A raw request (fetch refuses TRACE): status, Allow and the security headers. */
function raw(
  method: string,
  url: string,
): Promise<{ status: number; allow?: string; headers: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method }, (res) => {
      res.resume();
      const headers = Object.fromEntries(SECURITY.map(([k]) => [k, res.headers[k]]));
      res.on('end', () => resolve({ status: res.statusCode!, allow: res.headers.allow, headers }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** What every answer carries (next.config.mjs), the 405s answered in front of Next.js included. */
const SECURITY: [string, string][] = [
  ...securityHeaders(true).map((h): [string, string] => [h.key.toLowerCase(), h.value]),
  ['content-security-policy', API_CSP],
];

describe('methods a route does not serve, on the production server', () => {
  it('are 405 with Allow and the security headers on every route, TRACE included (Next.js alone answers TRACE with 500)', async () => {
    for (const route of Object.keys(ROUTE_METHODS)) {
      const p = route.replace(/\[\.\.\.\w+\]/, 'a/b').replace(/\[\w+\]/g, 'x');
      for (const method of ['TRACE', 'PUT', 'PATCH', 'DELETE', 'POST']) {
        if (ROUTE_METHODS[route]!.includes(method)) continue;
        const res = await raw(method, `${app.url}${p}`);
        expect({ route, method, ...res }).toEqual({
          route,
          method,
          status: 405,
          allow: allowOf(route),
          headers: Object.fromEntries(SECURITY),
        });
      }
    }
  });
});

describe('text the database cannot store (found by the fuzzer: a 500)', () => {
  it('a NUL (U+0000) in any text field is a 422 naming the field, and makes nothing', async () => {
    const headers = jsonHeaders(secret);
    const jobs = async () =>
      ((await (await fetch(`${app.url}/api/v1/jobs`, { headers })).json()) as { items: unknown[] })
        .items.length;
    const before = await jobs();
    const image = seeded.FUZZ_IMAGE_IDS!.split(',')[0];
    const cases: [string, string, Record<string, unknown>, string][] = [
      ['POST', '/generations', { prompt: 'a cat\u0000' }, 'prompt'],
      ['POST', '/generations', { prompt: 'a cat', negativePrompt: '\u0000' }, 'negativePrompt'],
      [
        'POST',
        '/edits',
        { imageId: image, sourcePrompt: 'a photo\u0000', targetPrompt: 'a sketch' },
        'sourcePrompt',
      ],
      [
        'POST',
        '/trainings',
        {
          name: 'n',
          imageIds: [image],
          instancePrompt: 'a photo of sks dog',
          priorPreservation: true,
          classPrompt: 'a dog\u0000',
        },
        'classPrompt',
      ],
      ['PATCH', `/adapters/${seeded.FUZZ_ADAPTER_ID}`, { name: 'Style\u0000' }, 'name'],
    ];
    for (const [method, p, body, field] of cases) {
      const res = await fetch(`${app.url}/api/v1${p}`, {
        method,
        headers,
        body: JSON.stringify(body),
      });
      const problem = (await res.json()) as { details?: { issues?: { path: string }[] } };
      expect({
        p,
        field,
        status: res.status,
        paths: problem.details?.issues?.map((i) => i.path),
      }).toEqual({ p, field, status: 422, paths: [field] });
    }
    expect(await jobs()).toBe(before);
  });
});

describe('Schemathesis over every operation of /api/v1', () => {
  it('finds no failure and warns about nothing', async () => {
    const reportDir = fs.mkdtempSync(path.join(os.tmpdir(), 'as-fuzz-'));
    const args = [
      '--config-file',
      path.join(ROOT, 'test', 'fuzz', 'schemathesis.toml'),
      'run',
      `${app.url}/api/v1/openapi.json`,
      '--header',
      `Authorization: Bearer ${secret}`,
      '--max-examples',
      String(MAX_EXAMPLES),
      '--seed',
      String(SEED),
      '--workers',
      '2',
      '--generation-database',
      'none',
      '--report',
      'junit',
      '--report-dir',
      reportDir,
    ];
    console.log(`schemathesis seed ${SEED}, ${MAX_EXAMPLES} examples per operation`);
    const t0 = Date.now();
    const { code, output } = await run(schemathesis, args);
    console.log(output);
    console.log(`schemathesis ran ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    expect(output).not.toMatch(/WARNINGS/i);
    expect(code, output.slice(-4000)).toBe(0);
  }, 300_000);
});
