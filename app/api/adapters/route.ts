// Multipart import of a LoRA file (.safetensors) as a personal adapter: fields file, name, baseModel.
import { importAdapter } from '@/server/adapters/adapters';
import { MAX_ADAPTER_BYTES } from '@/server/adapters/inspect';
import { getSessionUser } from '@/server/auth/session';
import { AppError } from '@/server/errors';
import { handle } from '@/server/http';
import { readMultipartUpload } from '@/server/multipart';

export function POST(req: Request) {
  return handle(async () => {
    const user = await getSessionUser(req.headers);
    if (!user) throw new AppError('UNAUTHENTICATED', 'Sign in to continue.');
    const { file, fields } = await readMultipartUpload(req, MAX_ADAPTER_BYTES, 'Adapter files');
    const adapter = await importAdapter(user.id, file, fields);
    return Response.json(
      { id: adapter.id, name: adapter.name, kind: adapter.kind, settings: adapter.settings },
      { status: 201 },
    );
  });
}
