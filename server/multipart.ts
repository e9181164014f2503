// Reading a multipart upload for the route handlers: the declared size is checked before the
// body is read, and the file must come in the field "file".
import { AppError } from './errors';

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
  if (Number(req.headers.get('content-length') ?? 0) > maxBytes + 64 * 1024) {
    throw new AppError('PAYLOAD_TOO_LARGE', `${what} must be at most ${maxBytes / 2 ** 20} MB.`);
  }
  let form: FormData;
  try {
    form = await req.formData();
  } catch {
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
