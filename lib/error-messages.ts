// Errors in words a person understands. The server sends an AppError code in tRPC error data
// (`data.appCode`, see server/trpc/init.ts); this file turns it into a title, a sentence and a
// next step. One entry per code: adding a code to server/errors.ts fails the type check here.
import { toast } from 'sonner';
import type { AppErrorCode } from '@/server/errors';

export interface ErrorAction {
  label: string;
  href: string;
}

interface ErrorCopy {
  title: string;
  /** Used when the server's message is missing or not meant for people. */
  fallback: string;
  action?: ErrorAction;
  /** AppError messages are written for users; internal ones are not. */
  trustServerMessage: boolean;
}

export const ERROR_COPY: Record<AppErrorCode, ErrorCopy> = {
  UNAUTHENTICATED: {
    title: 'Please sign in',
    fallback: 'Your session has ended. Sign in again to carry on where you were.',
    action: { label: 'Sign in', href: '/sign-in' },
    trustServerMessage: false,
  },
  FORBIDDEN: {
    title: 'Not allowed',
    fallback: 'Your account cannot do this. If you think it should, contact support.',
    trustServerMessage: true,
  },
  NOT_FOUND: {
    title: 'Could not find that',
    fallback: 'It may have been deleted. Refresh the page and try again.',
    trustServerMessage: true,
  },
  BAD_REQUEST: {
    title: 'That did not work',
    fallback: 'Check what you entered and try again.',
    trustServerMessage: true,
  },
  VALIDATION_FAILED: {
    title: 'Check your settings',
    fallback: 'Some settings are not valid. Fix the highlighted fields and try again.',
    trustServerMessage: true,
  },
  CONFLICT: {
    title: 'This changed in the meantime',
    fallback: 'Refresh the page to see the latest state, then try again.',
    trustServerMessage: true,
  },
  INSUFFICIENT_CREDITS: {
    title: 'Not enough credits',
    fallback: 'This costs more credits than you have. Buy credits, or lower the size or steps.',
    action: { label: 'Buy credits', href: '/billing' },
    trustServerMessage: true,
  },
  EMAIL_NOT_VERIFIED: {
    title: 'Confirm your e-mail address',
    fallback: 'Open the link we sent you to start creating; your starter credits arrive with it.',
    action: { label: 'Resend the link', href: '/dashboard' },
    trustServerMessage: true,
  },
  RATE_LIMITED: {
    title: 'One moment',
    fallback: 'Too many requests at once. Wait a little, then try again.',
    trustServerMessage: true,
  },
  PAYLOAD_TOO_LARGE: {
    title: 'File too large',
    fallback: 'Choose a smaller file and try again.',
    trustServerMessage: true,
  },
  QUOTA_EXCEEDED: {
    title: 'Your storage is full',
    fallback: 'Delete images, adapters or results you no longer need, or upgrade your plan.',
    action: { label: 'See your storage', href: '/dashboard' },
    trustServerMessage: true,
  },
  UNSUPPORTED_MEDIA_TYPE: {
    title: 'Unsupported file',
    fallback: 'Use a PNG, JPEG or WebP image.',
    trustServerMessage: true,
  },
  SERVICE_UNAVAILABLE: {
    title: 'Not available right now',
    fallback: 'This is not available on this server at the moment. Try again later.',
    trustServerMessage: true,
  },
  INTERNAL: {
    title: 'Something went wrong on our side',
    fallback: 'Try again in a moment. If it keeps happening, contact support.',
    trustServerMessage: false,
  },
};

/** tRPC's codes, for errors that carry no AppError code (input parsing, transport). */
const FROM_TRPC_CODE: Record<string, AppErrorCode> = {
  UNAUTHORIZED: 'UNAUTHENTICATED',
  FORBIDDEN: 'FORBIDDEN',
  NOT_FOUND: 'NOT_FOUND',
  BAD_REQUEST: 'BAD_REQUEST',
  CONFLICT: 'CONFLICT',
  PAYMENT_REQUIRED: 'INSUFFICIENT_CREDITS',
  TOO_MANY_REQUESTS: 'RATE_LIMITED',
  PAYLOAD_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
  UNSUPPORTED_MEDIA_TYPE: 'UNSUPPORTED_MEDIA_TYPE',
  INTERNAL_SERVER_ERROR: 'INTERNAL',
};

export interface DescribedError {
  code: AppErrorCode | 'NETWORK';
  title: string;
  message: string;
  action?: ErrorAction;
  /** Field → messages, when the server named the fields at fault. */
  fieldErrors: Record<string, string[]> | null;
}

/**
 * An error from a plain fetch (REST, uploads) carrying the server's AppError code the way tRPC
 * errors do (`data.appCode`), so describeError() treats both alike.
 */
export class RequestError extends Error {
  readonly data: { appCode: string | null; code: string | null; fieldErrors: null };
  constructor(message: string, appCode: string | null) {
    super(message);
    this.name = 'RequestError';
    this.data = { appCode, code: null, fieldErrors: null };
  }
}

/** Reads a problem+json error response (server/http.ts) into a RequestError. */
export async function requestErrorFrom(res: Response): Promise<RequestError> {
  const body = (await res.json().catch(() => null)) as { code?: string; detail?: string } | null;
  return new RequestError(body?.detail ?? `Request failed (${res.status})`, body?.code ?? null);
}

interface ErrorData {
  appCode?: string | null;
  code?: string;
  fieldErrors?: Record<string, string[] | undefined> | null;
}

function dataOf(err: unknown): ErrorData | null {
  if (typeof err !== 'object' || err === null) return null;
  const data = (err as { data?: unknown }).data;
  return typeof data === 'object' && data !== null ? data : null;
}

function isAppErrorCode(code: unknown): code is AppErrorCode {
  return typeof code === 'string' && code in ERROR_COPY;
}

/** Any thrown thing (tRPC client error, fetch failure, Error) → what to tell the person. */
export function describeError(err: unknown): DescribedError {
  const data = dataOf(err);
  const serverMessage = err instanceof Error ? err.message.trim() : '';
  if (!data && err instanceof TypeError) {
    return {
      code: 'NETWORK',
      title: 'Cannot reach Adapter Studio',
      message: 'Check your connection and try again.',
      fieldErrors: null,
    };
  }
  const code: AppErrorCode = isAppErrorCode(data?.appCode)
    ? data.appCode
    : data?.fieldErrors
      ? 'VALIDATION_FAILED'
      : (FROM_TRPC_CODE[data?.code ?? ''] ?? 'INTERNAL');
  const copy = ERROR_COPY[code];
  const fieldErrors = data?.fieldErrors
    ? Object.fromEntries(
        Object.entries(data.fieldErrors).filter((e): e is [string, string[]] =>
          Boolean(e[1]?.length),
        ),
      )
    : null;
  let message = copy.fallback;
  if (fieldErrors && Object.keys(fieldErrors).length && !data?.appCode) {
    // Input that failed the procedure's zod schema: name the fields, not the raw issue list.
    message = Object.entries(fieldErrors)
      .map(([field, msgs]) => `${field}: ${msgs.join(', ')}`)
      .join('; ');
  } else if (copy.trustServerMessage && data?.appCode && serverMessage) {
    message = serverMessage;
  } else if (!data && serverMessage && err instanceof Error && err.name !== 'TRPCClientError') {
    // Plain errors thrown by our own client code (uploads) already speak to the user.
    message = serverMessage;
  }
  return { code, title: copy.title, message, action: copy.action, fieldErrors };
}

/** Shows an error as a toast with its next step; returns what was shown. */
export function toastError(err: unknown, opts: { title?: string } = {}): DescribedError {
  const d = describeError(err);
  const action = d.action;
  toast.error(opts.title ?? d.title, {
    description: d.message,
    id: `${d.code}:${d.message}`,
    action: action
      ? { label: action.label, onClick: () => window.location.assign(action.href) }
      : undefined,
  });
  return d;
}
