import { buildOpenApiDocument } from '@/server/api-keys/openapi';
import { env } from '@/server/env';
import { availableMaps } from '@/server/inference/control-maps';
import { baseModels, xAdapterConfig } from '@/server/models/base-models';

let cached: string | null = null;

export function GET() {
  cached ??= JSON.stringify(
    buildOpenApiDocument(env().APP_URL, {
      baseModels: baseModels().map((m) => m.name),
      families: Object.fromEntries(baseModels().map((m) => [m.name, m.family])),
      xAdapter: xAdapterConfig() !== null,
      mapKinds: availableMaps()
        .filter((m) => m.available)
        .map((m) => m.kind),
    }),
  );
  return new Response(cached, {
    headers: { 'Content-Type': 'application/json', 'Cache-Control': 'public, max-age=300' },
  });
}
