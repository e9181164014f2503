// Reading a multipart upload for the route handlers: the file must come in the field "file", and
// the body is bounded on the stream (server/body.ts) to the route's file limit plus a small
// allowance for the form's own framing, before and while it is parsed: a declared
// Content-Length over that is refused unread, a chunked body is cut off as soon as it passes it.
import { boundedStream, bodyTooLarge } from './body';
import { AppError } from './errors';

/** Room for the multipart boundaries, part headers and the small text fields beside the file. */
export const MULTIPART_OVERHEAD_BYTES = 64 * 1024;

/** The most a multipart body may carry when its file may be `fileMaxBytes`. */
export const multipartBodyLimit = (fileMaxBytes: number) => fileMaxBytes + MULTIPART_OVERHEAD_BYTES;

export interface MultipartUpload {
  file: Buffer;
  /** The other text fields of the form. */
  fields: Record<string, string>;
}

export async function readMultipartUpload(
  req: Request,
  maxBytes: number,
  what: string,
): Promise<MultipartUpload> {
  const limit = multipartBodyLimit(maxBytes);
  let form: FormData;
  try {
    const body = boundedStream(req, limit, what);
    form = await new Response(body, {
      headers: { 'content-type': req.headers.get('content-type') ?? '' },
    }).formData();
  } catch (e) {
    if (e instanceof AppError) {
      // The body passed the bound: say the file's own limit, which is what the user can act on.
      if (e.code === 'PAYLOAD_TOO_LARGE') throw bodyTooLarge(maxBytes, what);
      throw e;
    }
    throw new AppError(
      'VALIDATION_FAILED',
      `Send the ${what.toLowerCase()} as multipart/form-data in the field "file".`,
    );
  }
  const file = form.get('file');
  if (!(file instanceof Blob))
    throw new AppError('VALIDATION_FAILED', `Send the ${what.toLowerCase()} in the field "file".`);
  const fields: Record<string, string> = {};
  for (const [k, v] of form.entries()) if (k !== 'file' && typeof v === 'string') fields[k] = v;
  return { file: Buffer.from(await file.arrayBuffer()), fields };
}
