// The library over REST: multipart upload (field "file") with the app's own checks, and the list.
import { restRoute } from '@/server/api-keys/rest';
import { multipartBodyLimit, readMultipartUpload } from '@/server/multipart';
import { MAX_UPLOAD_BYTES } from '@/server/references/image-safety';
import { addLibraryImage, listLibraryImages } from '@/server/references/library';

export const GET = restRoute('references:read', async (_req, caller) =>
  Response.json({ items: await listLibraryImages(caller.userId) }),
);

export const POST = restRoute(
  'references:write',
  async (req, caller) => {
    const { file } = await readMultipartUpload(req, MAX_UPLOAD_BYTES, 'Images');
    const { image, deduplicated } = await addLibraryImage(caller.userId, file);
    return Response.json(
      { id: image.id, width: image.width, height: image.height, deduplicated },
      { status: deduplicated ? 200 : 201 },
    );
  },
  { maxBodyBytes: multipartBodyLimit(MAX_UPLOAD_BYTES), body: 'multipart' },
);
