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
import { API_SCOPES, createApiKey } from '@/server/api-keys/keys';
import { db } from '@/server/db';
import { allowOf, ROUTE_METHODS } from '@/server/route-methods';
import { photoPng } from '../helpers/hostile-files';
import { ROOT, startApp, tinyModels, type LiveApp } from '../helpers/live';
import { makeUser } from '../helpers/users';

/** Examples per operation and phase: enough to reach every status, bounded for `npm test`. */
const MAX_EXAMPLES = Number(process.env.API_FUZZ_EXAMPLES ?? 25);
const SEED = Number(process.env.API_FUZZ_SEED ?? Math.floor(Math.random() * 2 ** 31));

let app: LiveApp;
let schemathesis: string;
let secret: string;

beforeAll(async () => {
  schemathesis = process.env.SCHEMATHESIS_BIN ?? ensureSchemathesis();
  // Production refuses to start mail-less; nothing here sends mail (the user is made in process).
  app = await startApp({
    SMTP_URL: process.env.SMTP_URL ?? 'smtp://127.0.0.1:2525',
    MAIL_FROM: process.env.MAIL_FROM ?? 'Adapter Studio <fuzz@example.com>',
  });
  const user = await makeUser({ plan: 'studio', credits: 1_000_000 });
  // A confirmed address: unconfirmed accounts may not create jobs (a 403 the document states).
  await db().user.update({ where: { id: user.id }, data: { emailVerified: true } });
  secret = (await createApiKey(user.id, { name: 'fuzz', scopes: [...API_SCOPES] })).secret;
  // Something for the list → PATCH/DELETE links to reach: one adapter and one library image.
  const auth = { authorization: `Bearer ${secret}` };
  const lora = new FormData();
  const kohya = fs.readFileSync(path.join(tinyModels(), 'loras', 'style-kohya.safetensors'));
  lora.set('file', new Blob([new Uint8Array(kohya)]), 'style.safetensors');
  lora.set('name', 'Style');
  const a = await fetch(`${app.url}/api/v1/adapters`, {
    method: 'POST',
    headers: auth,
    body: lora,
  });
  expect(a.status).toBe(201);
  const image = new FormData();
  image.set('file', new Blob([new Uint8Array(await photoPng())]), 'photo.png');
  const r = await fetch(`${app.url}/api/v1/references`, {
    method: 'POST',
    headers: auth,
    body: image,
  });
  expect(r.status).toBe(201);
}, 240_000);

afterAll(async () => {
  await app?.stop();
});

function run(cmd: string, args: string[]): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, {
      cwd: path.join(ROOT, 'test', 'fuzz'),
      env: { ...process.env, NO_COLOR: '1', COLUMNS: '160', PYTHONPATH: '.' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    child.on('error', reject);
    child.on('exit', (code) => resolve({ code, output }));
  });
}

/** A raw request (fetch refuses TRACE): status and Allow. */
function raw(method: string, url: string): Promise<{ status: number; allow?: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode!, allow: res.headers.allow }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('methods a route does not serve, on the production server', () => {
  it('are 405 with Allow on every route, TRACE included (Next.js alone answers TRACE with 500)', async () => {
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
        });
      }
    }
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
