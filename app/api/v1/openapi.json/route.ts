import { buildOpenApiDocument } from '@/server/api-keys/openapi';
import { env } from '@/server/env';
import { availableMaps } from '@/server/inference/control-maps';

let cached: string | null = null;

export function GET() {
  cached ??= JSON.stringify(
    buildOpenApiDocument(env().APP_URL, {
      baseModels: env().BASE_MODELS,
      mapKinds: availableMaps()
        .filter((m) => m.available)
        .map((m) => m.kind),
    }),
  );
  return new Response(cached, {
    headers: { 'Content-Type': 'application/json', 'Cache-Control': 'public, max-age=300' },
  });
}
