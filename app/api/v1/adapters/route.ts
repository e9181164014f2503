// Adapters over REST: import a LoRA or spectral-shift file (multipart: file, name, baseModel;
// safetensors only, checked against the base model) and list them.
import { restRoute } from '@/server/api-keys/rest';
import { adapterListFilter, importAdapter, listAdapters } from '@/server/adapters/adapters';
import { MAX_ADAPTER_BYTES } from '@/server/adapters/inspect';
import { multipartBodyLimit, readMultipartUpload } from '@/server/multipart';
import { parseInput } from '@/server/validation';

export const GET = restRoute('adapters:read', async (req, caller) => {
  const filter = parseInput(adapterListFilter, Object.fromEntries(new URL(req.url).searchParams));
  return Response.json({ items: await listAdapters(caller.userId, filter) });
});

export const POST = restRoute(
  'adapters:write',
  async (req, caller) => {
    const { file, fields } = await readMultipartUpload(req, MAX_ADAPTER_BYTES, 'Adapter files');
    const a = await importAdapter(caller.userId, file, fields);
    return Response.json(
      {
        id: a.id,
        name: a.name,
        kind: a.kind,
        baseModel: a.baseModel,
        family: a.family,
        settings: a.settings,
      },
      { status: 201 },
    );
  },
  { maxBodyBytes: multipartBodyLimit(MAX_ADAPTER_BYTES), body: 'multipart' },
);
