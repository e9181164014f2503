// Multipart upload into the user's library (field "file").
import { getSessionUser } from '@/server/auth/session';
import { AppError } from '@/server/errors';
import { handle } from '@/server/http';
import { MAX_UPLOAD_BYTES } from '@/server/references/image-safety';
import { addLibraryImage } from '@/server/references/library';

export function POST(req: Request) {
  return handle(async () => {
    const user = await getSessionUser(req.headers);
    if (!user) throw new AppError('UNAUTHENTICATED', 'Sign in to continue.');
    const declared = Number(req.headers.get('content-length') ?? 0);
    if (declared > MAX_UPLOAD_BYTES + 64 * 1024) {
      throw new AppError(
        'PAYLOAD_TOO_LARGE',
        `Images must be at most ${MAX_UPLOAD_BYTES / 1024 / 1024} MB.`,
      );
    }
    let form: FormData;
    try {
      form = await req.formData();
    } catch {
      throw new AppError(
        'VALIDATION_FAILED',
        'Send the image as multipart/form-data in the field "file".',
      );
    }
    const file = form.get('file');
    if (!(file instanceof Blob))
      throw new AppError('VALIDATION_FAILED', 'Send the image in the field "file".');
    const { image, deduplicated } = await addLibraryImage(
      user.id,
      Buffer.from(await file.arrayBuffer()),
    );
    return Response.json(
      { id: image.id, width: image.width, height: image.height, deduplicated },
      { status: deduplicated ? 200 : 201 },
    );
  });
}
