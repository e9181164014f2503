// The app's one error type. Domain code throws AppError with a code from this closed set;
// tRPC (server/trpc/init.ts) and REST map it through ERROR_CODES, the only mapping there is.
import type { TRPC_ERROR_CODE_KEY } from '@trpc/server';

export const ERROR_CODES = {
  UNAUTHENTICATED: { http: 401, trpc: 'UNAUTHORIZED', title: 'Sign in to continue' },
  FORBIDDEN: { http: 403, trpc: 'FORBIDDEN', title: 'Not allowed' },
  NOT_FOUND: { http: 404, trpc: 'NOT_FOUND', title: 'Not found' },
  BAD_REQUEST: { http: 400, trpc: 'BAD_REQUEST', title: 'Bad request' },
  VALIDATION_FAILED: { http: 422, trpc: 'BAD_REQUEST', title: 'The request is not valid' },
  CONFLICT: { http: 409, trpc: 'CONFLICT', title: 'Conflicts with the current state' },
  INSUFFICIENT_CREDITS: { http: 402, trpc: 'PAYMENT_REQUIRED', title: 'Not enough credits' },
  EMAIL_NOT_VERIFIED: {
    http: 403,
    trpc: 'FORBIDDEN',
    title: 'Confirm your e-mail address first',
  },
  RATE_LIMITED: { http: 429, trpc: 'TOO_MANY_REQUESTS', title: 'Too many requests' },
  PAYLOAD_TOO_LARGE: { http: 413, trpc: 'PAYLOAD_TOO_LARGE', title: 'Too large' },
  QUOTA_EXCEEDED: { http: 413, trpc: 'PAYLOAD_TOO_LARGE', title: 'Storage quota reached' },
  UNSUPPORTED_MEDIA_TYPE: {
    http: 415,
    trpc: 'UNSUPPORTED_MEDIA_TYPE',
    title: 'Unsupported file type',
  },
  SERVICE_UNAVAILABLE: { http: 503, trpc: 'INTERNAL_SERVER_ERROR', title: 'Not available' },
  INTERNAL: { http: 500, trpc: 'INTERNAL_SERVER_ERROR', title: 'Something went wrong' },
} as const satisfies Record<string, { http: number; trpc: TRPC_ERROR_CODE_KEY; title: string }>;

export type AppErrorCode = keyof typeof ERROR_CODES;

export class AppError extends Error {
  constructor(
    readonly code: AppErrorCode,
    message: string = ERROR_CODES[code].title,
    /** Machine-readable details safe to show the caller (e.g. which field). */
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = 'AppError';
  }

  get httpStatus(): number {
    return ERROR_CODES[this.code].http;
  }
}

export function isAppError(e: unknown): e is AppError {
  return e instanceof AppError;
}
