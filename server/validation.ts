import type { z } from 'zod';
import { AppError } from './errors';

/** Parses untrusted input; failures become VALIDATION_FAILED naming each bad field. */
export function parseInput<S extends z.ZodType>(schema: S, raw: unknown): z.infer<S> {
  const res = schema.safeParse(raw);
  if (res.success) return res.data;
  const issues = res.error.issues.map((i) => ({
    path: i.path.join('.') || '(root)',
    message: i.code === 'unrecognized_keys' ? `unknown field(s): ${i.keys.join(', ')}` : i.message,
  }));
  throw new AppError('VALIDATION_FAILED', issues.map((i) => `${i.path}: ${i.message}`).join('; '), {
    issues,
  });
}
