// The local mail catcher of `npm run dev` and `npm test`: MailDev (an npm package, so `npm ci`
// installs it with everything else), an SMTP server that keeps every mail, with a web page to
// read them and an HTTP API (`GET /api/email`) for tests. (Mailpit was tried first: built with
// `go install` it has no web page, since its UI is built by a separate npm step whose lockfile
// names a package the registry no longer serves.) Node built-ins only.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { ROOT } from './bootstrap.mjs';

const BIN = path.join(ROOT, 'node_modules', 'maildev', 'dist', 'bin', 'maildev.js');

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
 * Starts MailDev on loopback (the preferred ports, or the next free ones), keeping mails in
 * `mailDir`: returns its SMTP URL, web/API URL, the child and a stop function.
 */
export async function startMailCatcher({ smtpPort = 1025, webPort = 1080, mailDir }) {
  const smtp = await firstFreePort(smtpPort);
  const web = await firstFreePort(webPort);
  fs.mkdirSync(mailDir, { recursive: true });
  const child = spawn(
    process.execPath,
    [
      BIN,
      '--smtp',
      String(smtp),
      '--ip',
      '127.0.0.1',
      '--web',
      String(web),
      '--web-ip',
      '127.0.0.1',
      '--mail-directory',
      mailDir,
    ],
    { stdio: ['ignore', 'ignore', 'inherit'] },
  );
  const webUrl = `http://127.0.0.1:${web}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`MailDev exited (${child.exitCode})`);
    const ok = await globalThis
      .fetch(`${webUrl}/api/healthz`)
      .then((r) => r.ok)
      .catch(() => false);
    if (ok) break;
    if (Date.now() > deadline) throw new Error('MailDev did not start within 30 s');
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
