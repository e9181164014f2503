// Request bodies, read with a limit that holds on the stream itself: a declared Content-Length
// over the limit is refused before a byte is read, and a body without one (chunked) is counted
// chunk by chunk and cancelled as soon as the count passes the limit. Memory therefore stays at
// most `maxBytes` plus one chunk per request, whatever the client sends. Every route that reads
// a body declares its own limit where the route is and reads through here; the refusal is
// AppError('PAYLOAD_TOO_LARGE') → 413 problem+json (server/http.ts).
import { AppError } from './errors';

/** "1 MB", "64 KB", "20.06 MB": limits as people read them (binary units, like the rest of the app). */
export function formatLimit(bytes: number): string {
  const fmt = (n: number) => String(Math.round(n * 100) / 100);
  if (bytes >= 2 ** 20) return `${fmt(bytes / 2 ** 20)} MB`;
  if (bytes >= 1024) return `${fmt(bytes / 1024)} KB`;
  return `${bytes} bytes`;
}

/** The refusal: `what` names the thing sent ("Stripe webhook bodies", "Images"). */
export function bodyTooLarge(maxBytes: number, what: string): AppError {
  return new AppError('PAYLOAD_TOO_LARGE', `${what} must be at most ${formatLimit(maxBytes)}.`, {
    limitBytes: maxBytes,
  });
}

/** Refuses a declared Content-Length over the limit, before anything is read. */
export function refuseDeclaredLength(req: Request, maxBytes: number, what: string): void {
  const declared = req.headers.get('content-length');
  if (declared !== null && /^\d+$/.test(declared.trim()) && Number(declared) > maxBytes) {
    throw bodyTooLarge(maxBytes, what);
  }
}

/**
 * The request's body as a stream that errors with the 413 AppError once more than `maxBytes`
 * have come through (the source is cancelled at that moment, so nothing more is pulled from the
 * client). Pull-based: a chunk is read from the request only when the consumer asks for one.
 */
export function boundedStream(
  req: Request,
  maxBytes: number,
  what: string,
): ReadableStream<Uint8Array> {
  refuseDeclaredLength(req, maxBytes, what);
  const source = req.body?.getReader();
  let total = 0;
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        if (!source) return controller.close();
        const { done, value } = await source.read();
        if (done) return controller.close();
        total += value.byteLength;
        if (total > maxBytes) {
          // Cancelling stops the pull from the client; not awaited, so the refusal goes out now.
          source.cancel().catch(() => {});
          controller.error(bodyTooLarge(maxBytes, what));
          return;
        }
        controller.enqueue(value);
      },
      cancel(reason) {
        return source?.cancel(reason);
      },
    },
    { highWaterMark: 0 },
  );
}

/** Reads the whole body, at most `maxBytes` of it (an empty Buffer when there is none). */
export async function readBody(
  req: Request,
  maxBytes: number,
  what: string,
): Promise<Buffer<ArrayBuffer>> {
  const reader = boundedStream(req, maxBytes, what).getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    total += value.byteLength;
  }
  const out = Buffer.alloc(total);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.byteLength;
  }
  return out;
}

/**
 * The same request with its body read (bounded) into memory, for handlers of libraries that read
 * the body themselves (better-auth, tRPC): they get a Request rebuilt from those bytes.
 */
export async function withBoundedBody(
  req: Request,
  maxBytes: number,
  what: string,
): Promise<Request> {
  if (req.method === 'GET' || req.method === 'HEAD' || !req.body) return req;
  const body = await readBody(req, maxBytes, what);
  const headers = new Headers(req.headers);
  headers.delete('transfer-encoding');
  headers.set('content-length', String(body.length));
  return new Request(req.url, { method: req.method, headers, body, signal: req.signal });
}
