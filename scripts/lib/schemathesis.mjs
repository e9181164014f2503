// Schemathesis (the property-based OpenAPI fuzzer, from PyPI) for the API fuzz test: installed
// once into its own virtual environment under node_modules/.cache, from the pinned list in
// test/fuzz/requirements.txt, and reinstalled only when that list changes. Node built-ins only.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { log, ROOT } from './bootstrap.mjs';

export const REQUIREMENTS = path.join(ROOT, 'test', 'fuzz', 'requirements.txt');

/** The `schemathesis` executable, installing it first where missing or stale. */
export function ensureSchemathesis() {
  const want = createHash('sha256').update(fs.readFileSync(REQUIREMENTS)).digest('hex');
  const venv = path.join(ROOT, 'node_modules', '.cache', 'schemathesis', want.slice(0, 16));
  const bin = path.join(venv, 'bin', 'schemathesis');
  const stamp = path.join(venv, '.installed');
  if (fs.existsSync(bin) && fs.existsSync(stamp)) return bin;

  const python = process.env.PYTHON ?? 'python3';
  log('test', `installing Schemathesis into ${path.relative(ROOT, venv)} (once)…`);
  fs.rmSync(venv, { recursive: true, force: true });
  const steps = [
    [python, ['-m', 'venv', venv]],
    [
      path.join(venv, 'bin', 'python'),
      ['-m', 'pip', 'install', '--quiet', '--disable-pip-version-check', '-r', REQUIREMENTS],
    ],
  ];
  for (const [cmd, args] of steps) {
    const res = spawnSync(cmd, args, { stdio: 'inherit' });
    if (res.status !== 0) {
      throw new Error(
        `\`${cmd} ${args.join(' ')}\` failed: Schemathesis needs Python 3.10+ with venv and pip` +
          ' (Debian: apt-get install python3-venv), and PyPI.',
      );
    }
  }
  fs.writeFileSync(stamp, want + '\n');
  return bin;
}
