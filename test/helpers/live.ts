// Real processes for end-to-end tests: the production Next.js server (`next start` of the build
// that scripts/test.mjs made) and the real Python worker with tiny models.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import superjson, { type SuperJSONResult } from 'superjson';
import {
  missingTinyEntries,
  TINY_BASE_MODELS,
  TINY_X_ADAPTER,
  TINY_X_ADAPTER_SD15_BASE,
} from '../../scripts/lib/tiny-set.mjs';
import { linkIn, waitForMail } from './mail';

export const ROOT = path.resolve(import.meta.dirname, '..', '..');
const PYTHON = path.join(ROOT, 'gpu-worker', '.venv', 'bin', 'python');

/** A port free a moment ago (a probe bound to port 0, then closed): a caller must still cope
 * with losing it to another process before it binds (startApp retries on EADDRINUSE). */
export async function freePort(): Promise<number> {
  const net = await import('node:net');
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

export async function waitFor<T>(
  fn: () => Promise<T | null | undefined | false>,
  timeoutMs: number,
  what: string,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn().catch(() => null);
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export interface LiveApp {
  url: string;
  storageDir: string;
  /** The server's process id (`next start` serves in this process), e.g. to read its memory. */
  pid: number;
  /** What the server printed so far. */
  output(): string;
  stop(): Promise<void>;
}

function stopChild(child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill(signal);
    setTimeout(() => child.kill('SIGKILL'), 10_000).unref();
  });
}

/** `next start` of the production build on 127.0.0.1:`port`, with exactly this environment. */
export function spawnNextStart(port: number, env: NodeJS.ProcessEnv): ChildProcess {
  return spawn(
    process.execPath,
    [
      path.join(ROOT, 'node_modules', 'next', 'dist', 'bin', 'next'),
      'start',
      '-p',
      String(port),
      '-H',
      '127.0.0.1',
    ],
    { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] },
  );
}

export async function startApp(extraEnv: Record<string, string> = {}): Promise<LiveApp> {
  if (!fs.existsSync(path.join(ROOT, process.env.NEXT_DIST_DIR ?? '.next', 'BUILD_ID'))) {
    throw new Error(
      'No production build: run the tests with `npm test` (it runs `next build` first).',
    );
  }
  const storageDir = fs.mkdtempSync(path.join(os.tmpdir(), 'as-storage-'));
  // freePort() closes its probe before `next start` binds, so another process may take the port
  // in between: then this server exits with EADDRINUSE and is started again on a fresh port.
  // Ready means this child said so (a port taken by another app would also answer /sign-in).
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const child = spawnNextStart(port, {
      ...process.env,
      NODE_ENV: 'production',
      APP_URL: url,
      STORAGE_DIR: storageDir,
      // The tiny set's SD 1.5 (the default) and SDXL, and the X-Adapter between them.
      BASE_MODELS: TINY_BASE_MODELS,
      X_ADAPTER: TINY_X_ADAPTER,
      X_ADAPTER_SD15_BASE: TINY_X_ADAPTER_SD15_BASE,
      NEXT_TELEMETRY_DISABLED: '1',
      // Production refuses to start without mail settings: the catcher npm test runs.
      SMTP_URL: process.env.SMTP_URL ?? 'smtp://127.0.0.1:9',
      MAIL_FROM: 'Adapter Studio <no-reply@adapter-studio.test>',
      // Every request of a test comes from 127.0.0.1: per-address limits are tested on their
      // own (client-address.e2e.test.ts), not by every file that signs a few users up.
      SIGN_UP_RATE_LIMIT_MAX: '1000',
      SIGN_IN_RATE_LIMIT_MAX: '1000',
      ...extraEnv,
    });
    let log = '';
    child.stdout?.on('data', (d: Buffer) => (log += d.toString()));
    child.stderr?.on('data', (d: Buffer) => (log += d.toString()));
    const state = await waitFor(
      async () => {
        if (child.exitCode !== null || child.signalCode !== null) return 'exited';
        return /\bReady\b/.test(log) && (await fetch(`${url}/sign-in`)).ok && 'ready';
      },
      120_000,
      `next start (${log})`,
    );
    if (state === 'exited') {
      if (/EADDRINUSE/.test(log) && attempt < 5) continue;
      throw new Error(`next start exited: ${log}`);
    }
    return {
      url,
      storageDir,
      pid: child.pid!,
      output: () => log,
      async stop() {
        await stopChild(child);
        fs.rmSync(storageDir, { recursive: true, force: true });
      },
    };
  }
}

/**
 * The registry entries the app's tiny settings name (tiny-sdxl, the X-Adapter) that the built set
 * lacks: a test that runs SDXL or X-Adapter jobs checks this first, for a clear message.
 */
export function tinySetMissing(): string[] {
  return missingTinyEntries(path.join(tinyModels(), 'models.json'));
}

let modelsDir: string | null = null;
/**
 * The tiny model set (SD 1.5, SDXL, X-Adapter), built once per test process through the worker's
 * own factory.
 */
export function tinyModels(): string {
  if (modelsDir) return modelsDir;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'as-models-'));
  const res = spawnSync(PYTHON, ['-m', 'adapter_worker.tiny', '--out', dir], {
    cwd: path.join(ROOT, 'gpu-worker'),
    encoding: 'utf8',
  });
  if (res.status !== 0) throw new Error(`tiny model build failed: ${res.stderr}`);
  modelsDir = dir;
  return dir;
}

export interface LiveWorker {
  child: ChildProcess;
  output: () => string;
  stop(signal?: NodeJS.Signals): Promise<void>;
}

export function startWorker(appUrl: string, token: string, workerId: string): LiveWorker {
  const child = spawn(
    PYTHON,
    [
      '-m',
      'adapter_worker',
      '--server',
      appUrl,
      '--models',
      path.join(tinyModels(), 'models.json'),
      '--worker-id',
      workerId,
      '--lease-wait',
      '5',
      '--health-file',
      path.join(os.tmpdir(), `as-${workerId}.alive`),
    ],
    {
      cwd: path.join(ROOT, 'gpu-worker'),
      env: { ...process.env, ADAPTER_WORKER_TOKEN: token, HF_HUB_OFFLINE: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let out = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  return { child, output: () => out, stop: (signal) => stopChild(child, signal) };
}

/** A browser-like client: cookie jar, tRPC calls over HTTP, multipart uploads. */
export class Client {
  cookie = '';
  constructor(readonly base: string) {}

  /** Signs up and, unless told not to, verifies the address through the mailed link. */
  async signUp(email: string, password = 'a perfectly fine password', verify = true) {
    const res = await fetch(`${this.base}/api/auth/sign-up/email`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: this.base },
      body: JSON.stringify({ email, password, name: 'E2E' }),
    });
    if (!res.ok) throw new Error(`sign-up ${res.status}: ${await res.text()}`);
    this.cookie = res.headers
      .getSetCookie()
      .map((c) => c.split(';')[0])
      .join('; ');
    if (verify) await this.verify(email);
  }

  /** Opens the link of the verification mail the server sent (through the mail catcher). */
  async verify(email: string) {
    const mail = await waitForMail(email, /confirm your e-mail/i);
    const link = new URL(linkIn(mail));
    const res = await fetch(`${this.base}${link.pathname}${link.search}`, { redirect: 'manual' });
    if (res.status >= 400) throw new Error(`verification ${res.status}: ${await res.text()}`);
  }

  async query<T>(
    proc: string,
    input?: unknown,
    headers: Record<string, string> = {},
  ): Promise<{ status: number; data: T }> {
    const q =
      input === undefined
        ? ''
        : `?input=${encodeURIComponent(JSON.stringify(superjson.serialize(input)))}`;
    const res = await fetch(`${this.base}/api/trpc/${proc}${q}`, {
      headers: { cookie: this.cookie, ...headers },
    });
    return this.decode<T>(res);
  }

  async mutate<T>(proc: string, input: unknown): Promise<{ status: number; data: T }> {
    const res = await fetch(`${this.base}/api/trpc/${proc}`, {
      method: 'POST',
      headers: { cookie: this.cookie, 'content-type': 'application/json', origin: this.base },
      body: JSON.stringify(superjson.serialize(input)),
    });
    return this.decode<T>(res);
  }

  async upload(bytes: Buffer, name = 'image.png'): Promise<Response> {
    const form = new FormData();
    form.set('file', new Blob([new Uint8Array(bytes)]), name);
    return fetch(`${this.base}/api/v1/references`, {
      method: 'POST',
      headers: { cookie: this.cookie, origin: this.base },
      body: form,
    });
  }

  private async decode<T>(res: Response): Promise<{ status: number; data: T }> {
    const body = (await res.json()) as {
      result?: { data: SuperJSONResult };
      error?: { json: unknown };
    };
    if (body.result)
      return { status: res.status, data: superjson.deserialize<T>(body.result.data) };
    return { status: res.status, data: body.error?.json as T };
  }
}
