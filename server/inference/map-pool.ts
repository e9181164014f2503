// A small pool of worker threads for control maps (map-worker.mjs), so their CPU work (canny,
// Pillow-exact resizes, ONNX inference and PNG encoding) never blocks the event loop that
// answers every other request. Size: one thread per spare core, at least 1 and at most 4
// (availableParallelism() − 1). Tasks queue when all threads are busy; a thread that dies fails
// its task and is replaced on the next one. Threads are unref'd: they never keep a process alive.
import os from 'node:os';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { env } from '../env';
import { AppError } from '../errors';
import type { MapModel } from './map-compute.mjs';

export interface MapTask {
  kind: string;
  png: Buffer;
  opts: { low: number; high: number };
  model: MapModel | null;
}

interface Pending {
  id: number;
  task: MapTask;
  resolve: (png: Buffer) => void;
  reject: (e: Error) => void;
}

const SIZE = Math.max(1, Math.min(4, os.availableParallelism() - 1));

/**
 * The worker's file, read from the app's root at run time: it must stay a plain file beside its
 * imports (canny.mjs, pil-resize.mjs, map-compute.mjs, onnx-session.mjs), never bundled, in
 * tests, `next dev` and `next start` alike.
 */
function workerFile(): string {
  return path.join(process.cwd(), 'server', 'inference', 'map-worker.mjs');
}

class MapPool {
  private idle: Worker[] = [];
  private busy = new Map<Worker, Pending>();
  private queue: Pending[] = [];
  private nextId = 1;

  run(task: MapTask): Promise<Buffer> {
    return new Promise((resolve, reject) => {
      this.queue.push({ id: this.nextId++, task, resolve, reject });
      this.dispatch();
    });
  }

  private spawn(): Worker {
    const w = new Worker(workerFile());
    w.unref();
    w.on('message', (m: { id: number; png?: Uint8Array; error?: string }) => {
      const p = this.busy.get(w);
      this.busy.delete(w);
      this.idle.push(w);
      if (p) {
        if (m.png) p.resolve(Buffer.from(m.png.buffer, m.png.byteOffset, m.png.length));
        else p.reject(new AppError('INTERNAL', `control map failed: ${m.error ?? 'unknown'}`));
      }
      this.dispatch();
    });
    const lost = (e: Error) => {
      const p = this.busy.get(w);
      this.busy.delete(w);
      this.idle = this.idle.filter((x) => x !== w);
      p?.reject(new AppError('INTERNAL', `control map worker stopped: ${e.message}`));
      this.dispatch();
    };
    w.on('error', lost);
    w.on('exit', (code) => lost(new Error(`exit code ${code}`)));
    return w;
  }

  private dispatch(): void {
    while (this.queue.length) {
      let w = this.idle.pop();
      if (!w && this.busy.size < SIZE) w = this.spawn();
      if (!w) return;
      const p = this.queue.shift()!;
      this.busy.set(w, p);
      w.postMessage({
        id: p.id,
        kind: p.task.kind,
        png: p.task.png,
        opts: p.task.opts,
        model: p.task.model,
        provider: env().ONNX_EXECUTION_PROVIDER,
      });
    }
  }
}

const g = globalThis as unknown as { __mapPool?: MapPool };

/** Makes one control map in a worker thread; the event loop stays free meanwhile. */
export function runMapTask(task: MapTask): Promise<Buffer> {
  g.__mapPool ??= new MapPool();
  return g.__mapPool.run(task);
}
