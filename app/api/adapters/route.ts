// Multipart import of a LoRA file (.safetensors) as a personal adapter: fields file, name, baseModel.
import { MAX_ADAPTER_BYTES } from '@/server/adapters/inspect';
import { importAdapter } from '@/server/adapters/adapters';
import { getSessionUser } from '@/server/auth/session';
import { AppError } from '@/server/errors';
import { handle } from '@/server/http';

export function POST(req: Request) {
  return handle(async () => {
    const user = await getSessionUser(req.headers);
    if (!user) throw new AppError('UNAUTHENTICATED', 'Sign in to continue.');
    if (Number(req.headers.get('content-length') ?? 0) > MAX_ADAPTER_BYTES + 64 * 1024) {
      throw new AppError(
        'PAYLOAD_TOO_LARGE',
        `Adapter files must be at most ${MAX_ADAPTER_BYTES / 2 ** 20} MB.`,
      );
    }
    let form: FormData;
    try {
      form = await req.formData();
    } catch {
      throw new AppError(
        'VALIDATION_FAILED',
        'Send the adapter as multipart/form-data (fields "file" and "name").',
      );
    }
    const file = form.get('file');
    if (!(file instanceof Blob))
      throw new AppError('VALIDATION_FAILED', 'Send the adapter file in the field "file".');
    const fields: Record<string, string> = {};
    for (const [k, v] of form.entries()) if (k !== 'file' && typeof v === 'string') fields[k] = v;
    const adapter = await importAdapter(user.id, Buffer.from(await file.arrayBuffer()), fields);
    return Response.json(
      { id: adapter.id, name: adapter.name, kind: adapter.kind, settings: adapter.settings },
      { status: 201 },
    );
  });
}
