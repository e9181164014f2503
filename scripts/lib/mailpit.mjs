// Mailpit, the local mail catcher of `npm run dev` and `npm test`: an SMTP server that keeps
// every mail, with a web page to read them and an HTTP API for tests. Built once with
// `go install` into node_modules/.cache (Go is the one thing it needs; the module proxy serves
// its source). Node built-ins only.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import process from 'node:process';
import { log, ROOT } from './bootstrap.mjs';

export const MAILPIT_VERSION = 'v1.33.1';

/** The mailpit binary, built on first use; null (with the reason printed) where Go is missing. */
export function ensureMailpit() {
  const binDir = path.join(ROOT, 'node_modules', '.cache', 'mailpit', MAILPIT_VERSION);
  const bin = path.join(binDir, 'mailpit');
  if (fs.existsSync(bin)) return bin;
  const go = spawnSync('go', ['version'], { encoding: 'utf8' });
  if (go.status !== 0) {
    log('mail', 'Go is not installed, so the mail catcher (Mailpit) cannot be built.');
    return null;
  }
  log('mail', `building the mail catcher (Mailpit ${MAILPIT_VERSION}) with go install…`);
  const res = spawnSync('go', ['install', `github.com/axllent/mailpit@${MAILPIT_VERSION}`], {
    stdio: 'inherit',
    env: { ...process.env, GOBIN: binDir, GOFLAGS: '-mod=mod' },
  });
  if (res.status !== 0 || !fs.existsSync(bin)) throw new Error('go install of Mailpit failed');
  return bin;
}

function portFree(port) {
  return new Promise((resolve) => {
    const srv = net.createServer();
    srv.once('error', () => resolve(false));
    srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(true)));
  });
}

async function firstFreePort(from) {
  for (let p = from; p < from + 100; p += 1) if (await portFree(p)) return p;
  throw new Error(`no free port from ${from}`);
}

/**
 * Starts Mailpit on loopback (the preferred ports, or the next free ones): returns its SMTP URL,
 * web/API URL and a stop function. Mails are kept in memory only.
 */
export async function startMailpit(bin, { smtpPort = 1025, httpPort = 8025 } = {}) {
  const smtp = await firstFreePort(smtpPort);
  const http = await firstFreePort(httpPort);
  const child = spawn(
    bin,
    [
      '--smtp',
      `127.0.0.1:${smtp}`,
      '--listen',
      `127.0.0.1:${http}`,
      '--smtp-auth-allow-insecure',
      '--quiet',
    ],
    { stdio: ['ignore', 'ignore', 'inherit'] },
  );
  const webUrl = `http://127.0.0.1:${http}`;
  const deadline = Date.now() + 20_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`Mailpit exited (${child.exitCode})`);
    const ok = await globalThis
      .fetch(`${webUrl}/api/v1/info`)
      .then((r) => r.ok)
      .catch(() => false);
    if (ok) break;
    if (Date.now() > deadline) throw new Error('Mailpit did not start within 20 s');
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    smtpUrl: `smtp://127.0.0.1:${smtp}`,
    webUrl,
    child,
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
        setTimeout(() => child.kill('SIGKILL'), 5000).unref();
      }),
  };
}
