import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { defineConfig } from 'vitest/config';

/**
 * CPUs this process may use: os.availableParallelism() (the affinity mask), lowered to a cgroup v2
 * CPU quota (`cpu.max`, as `docker --cpus` and CI runners set it) when there is one.
 */
function cpuBudget(): number {
  const cpus = os.availableParallelism();
  try {
    const [quota, period] = fs.readFileSync('/sys/fs/cgroup/cpu.max', 'utf8').trim().split(/\s+/);
    if (quota && quota !== 'max') return Math.max(1, Math.min(cpus, Math.floor(+quota / +period!)));
  } catch {
    // no cgroup v2 limit readable: the affinity mask is the budget
  }
  return cpus;
}

/**
 * Test files run at once. An end-to-end file runs `next start` and a Python worker (torch) beside
 * its own fork, about two busy cores and 2 GiB between them, so: one file per two CPUs and per
 * 2 GiB of memory (the cgroup limit where set), at least one. 2 cores → 1, 16 cores / 64 GiB → 8.
 * `npm test -- --maxWorkers=N` overrides it.
 */
function maxWorkers(): number {
  const memory = process.constrainedMemory() || os.totalmem();
  const byMemory = Math.floor(Math.min(memory, os.totalmem()) / 2 ** 31);
  return Math.max(1, Math.min(Math.floor(cpuBudget() / 2), byMemory));
}

export default defineConfig({
  resolve: { alias: { '@': path.resolve(import.meta.dirname) } },
  test: {
    include: ['test/**/*.test.ts'],
    setupFiles: ['test/setup/database.ts'],
    environment: 'node',
    pool: 'forks',
    maxWorkers: maxWorkers(),
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
