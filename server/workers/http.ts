// The worker API's route handlers share this: authenticate the worker token (401 and nothing
// else when it is wrong), parse the JSON body strictly, run one domain function.
import type { z } from 'zod';
import { AppError } from '../errors';
import { handle } from '../http';
import { parseInput } from '../validation';
import { authenticateWorker, type WorkerIdentity } from './tokens';

const MAX_BODY_BYTES = 4 * 1024 * 1024;

export function workerRoute<S extends z.ZodType>(
  schema: S,
  fn: (body: z.infer<S>, worker: WorkerIdentity) => Promise<Response>,
) {
  return (req: Request) =>
    handle(async () => {
      const worker = await authenticateWorker(req.headers.get('authorization'));
      const text = await req.text();
      if (text.length > MAX_BODY_BYTES)
        throw new AppError('PAYLOAD_TOO_LARGE', 'Request body too large.');
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch {
        throw new AppError('VALIDATION_FAILED', 'The body must be JSON.');
      }
      return fn(parseInput(schema, json), worker);
    });
}
