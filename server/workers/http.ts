// The worker API's route handlers share this: authenticate the worker token (401 and nothing
// else when it is wrong; the body is not read), read the JSON body with the route's limit held
// on the stream (server/body.ts: 413 once it passes), parse it strictly, run one domain function.
import type { z } from 'zod';
import { readBody } from '../body';
import { AppError } from '../errors';
import { handle } from '../http';
import { parseInput } from '../validation';
import { authenticateWorker, type WorkerIdentity } from './tokens';

/** Lease, complete, fail and release bodies: a full lease request is ~100 KB, the rest far less. */
export const WORKER_BODY_MAX_BYTES = 2 ** 20;
/** Heartbeats carry a preview PNG (≤ 3 000 000 base64 characters, protocol.ts) besides progress. */
export const HEARTBEAT_BODY_MAX_BYTES = 4 * 2 ** 20;

export function workerRoute<S extends z.ZodType>(
  schema: S,
  fn: (body: z.infer<S>, worker: WorkerIdentity) => Promise<Response>,
  { maxBodyBytes = WORKER_BODY_MAX_BYTES }: { maxBodyBytes?: number } = {},
) {
  return (req: Request) =>
    handle(async () => {
      const worker = await authenticateWorker(req.headers.get('authorization'));
      const text = (await readBody(req, maxBodyBytes, 'Worker requests')).toString('utf8');
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch {
        throw new AppError('VALIDATION_FAILED', 'The body must be JSON.');
      }
      return fn(parseInput(schema, json), worker);
    });
}
