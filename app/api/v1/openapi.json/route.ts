import { buildOpenApiDocument } from '@/server/api-keys/openapi';
import { env } from '@/server/env';

let cached: string | null = null;

export function GET() {
  cached ??= JSON.stringify(buildOpenApiDocument(env().APP_URL, env().BASE_MODELS));
  return new Response(cached, {
    headers: { 'Content-Type': 'application/json', 'Cache-Control': 'public, max-age=300' },
  });
}
