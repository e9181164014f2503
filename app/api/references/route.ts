// Multipart upload into the user's library (field "file").
import { getSessionUser } from '@/server/auth/session';
import { AppError } from '@/server/errors';
import { handle } from '@/server/http';
import { readMultipartUpload } from '@/server/multipart';
import { MAX_UPLOAD_BYTES } from '@/server/references/image-safety';
import { addLibraryImage } from '@/server/references/library';

export function POST(req: Request) {
  return handle(async () => {
    const user = await getSessionUser(req.headers);
    if (!user) throw new AppError('UNAUTHENTICATED', 'Sign in to continue.');
    const { file } = await readMultipartUpload(req, MAX_UPLOAD_BYTES, 'Images');
    const { image, deduplicated } = await addLibraryImage(user.id, file);
    return Response.json(
      { id: image.id, width: image.width, height: image.height, deduplicated },
      { status: deduplicated ? 200 : 201 },
    );
  });
}
