// A typed client for /api/v1: openapi-fetch over the types openapi-typescript generated from the
// OpenAPI document. This is the README's example; the end-to-end tests use it against the server.
import createClient from 'openapi-fetch';
import type { paths } from './v1';

export type { components, paths } from './v1';

export function createApiClient(origin: string, apiKey: string) {
  return createClient<paths>({
    baseUrl: `${origin.replace(/\/$/, '')}/api/v1`,
    headers: { Authorization: `Bearer ${apiKey}` },
  });
}
