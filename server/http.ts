// Turns thrown errors into HTTP responses for route handlers that are not tRPC: AppError codes
// map through ERROR_CODES (server/errors.ts); anything else is a 500 without internals.
import { AppError, ERROR_CODES } from './errors';

/** The problem+json document (RFC 9457) every problem answer carries, whoever answers. */
export function problemBody(p: {
  code: string;
  title: string;
  status: number;
  detail: string;
  details?: Record<string, unknown>;
}) {
  return {
    type: `https://adapter.studio/errors/${p.code.toLowerCase()}`,
    title: p.title,
    status: p.status,
    code: p.code,
    detail: p.detail,
    ...(p.details ? { details: p.details } : {}),
  };
}

export function problemResponse(e: unknown): Response {
  const err = e instanceof AppError ? e : null;
  if (!err) console.error(e);
  const code = err?.code ?? 'INTERNAL';
  const status = ERROR_CODES[code].http;
  return Response.json(
    problemBody({
      code,
      title: ERROR_CODES[code].title,
      status,
      detail: err?.message ?? ERROR_CODES.INTERNAL.title,
      details: err?.details,
    }),
    { status, headers: problemHeaders(err) },
  );
}

/** An AppError may say when to retry (`details.retryAfterS`, e.g. a rate limit): Retry-After. */
function problemHeaders(err: AppError | null): Record<string, string> {
  const headers: Record<string, string> = { 'Content-Type': 'application/problem+json' };
  const retry = err?.details?.retryAfterS;
  if (typeof retry === 'number') headers['Retry-After'] = String(retry);
  return headers;
}

/** Runs a handler body and maps any error to a problem+json response. */
export async function handle(fn: () => Promise<Response>): Promise<Response> {
  try {
    return await fn();
  } catch (e) {
    return problemResponse(e);
  }
}
