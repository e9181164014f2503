// The OpenAPI document: valid OpenAPI 3.1, covering every route under app/api/v1, and the
// committed document and client types are what the schemas generate now (no drift).
import fs from 'node:fs';
import path from 'node:path';
import { Validator } from '@seriousme/openapi-schema-validator';
import { describe, expect, it } from 'vitest';
import { openApiArtifacts } from '@/lib/api-client/generate';
import { buildOpenApiDocument } from '@/server/api-keys/openapi';

const ROOT = path.resolve(import.meta.dirname, '..', '..');
const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;

/** `/jobs/{id}/cancel` → its methods, from the route files under app/api/v1. */
function routeFiles(): Map<string, string[]> {
  const out = new Map<string, string[]>();
  const dir = path.join(ROOT, 'app', 'api', 'v1');
  for (const file of fs.readdirSync(dir, { recursive: true }) as string[]) {
    if (!file.endsWith('route.ts')) continue;
    const route = `/${path.dirname(file)}`.replace(/\[(\w+)\]/g, '{$1}');
    const src = fs.readFileSync(path.join(dir, file), 'utf8');
    const methods = METHODS.filter((m) =>
      new RegExp(`export (const|function|async function) ${m}\\b`).test(src),
    );
    out.set(
      route,
      methods.map((m) => m.toLowerCase()),
    );
  }
  return out;
}

describe('OpenAPI document', () => {
  it('is valid OpenAPI 3.1', async () => {
    const doc = buildOpenApiDocument('http://localhost:3000') as unknown as Record<string, unknown>;
    const result = await new Validator().validate(doc);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
  });

  it('documents every /api/v1 route and method, and nothing that does not exist', () => {
    const doc = buildOpenApiDocument('http://localhost:3000') as unknown as {
      paths: Record<string, Record<string, unknown>>;
    };
    const documented = new Map(
      Object.entries(doc.paths).map(([p, ops]) => [p, Object.keys(ops).sort()]),
    );
    const served = routeFiles();
    served.delete('/openapi.json');
    expect(Object.fromEntries(documented)).toEqual(
      Object.fromEntries([...served].map(([p, m]) => [p, m.sort()])),
    );
  });

  it('served by a deployment, offers only its base models and the control maps it can make', () => {
    type Schema = { enum?: string[]; properties?: Record<string, Schema>; items?: Schema };
    const doc = buildOpenApiDocument('http://localhost:3000', {
      baseModels: ['tiny-sd15'],
      mapKinds: ['canny'],
    }) as unknown as { components: { schemas: Record<string, Schema> } };
    const gen = doc.components.schemas.GenerationRequest!.properties!;
    expect(gen.baseModel!.enum).toEqual(['tiny-sd15']);
    expect(gen.controls!.items!.properties!.preprocess!.enum).toEqual(['none', 'canny']);
    // The committed document leaves both open to every deployment.
    const open = buildOpenApiDocument('http://localhost:3000') as unknown as typeof doc;
    const all = open.components.schemas.GenerationRequest!.properties!;
    expect(all.baseModel!.enum).toBeUndefined();
    expect(all.controls!.items!.properties!.preprocess!.enum).toContain('scribble');
  });

  it('names the codes each problem status carries, EMAIL_NOT_VERIFIED on job creation', () => {
    const doc = buildOpenApiDocument('http://localhost:3000') as unknown as {
      paths: Record<string, Record<string, { responses: Record<string, unknown> }>>;
    };
    const codes = (res: unknown) =>
      (
        res as {
          content: Record<
            string,
            { schema: { allOf: { properties?: { code: { enum: string[] } } }[] } }
          >;
        }
      ).content['application/problem+json']!.schema.allOf[1]!.properties!.code.enum;
    for (const p of ['/generations', '/edits', '/trainings']) {
      expect(codes(doc.paths[p]!.post!.responses['403'])).toEqual([
        'FORBIDDEN',
        'EMAIL_NOT_VERIFIED',
      ]);
      expect(codes(doc.paths[p]!.post!.responses['402'])).toEqual(['INSUFFICIENT_CREDITS']);
    }
    expect(codes(doc.paths['/references']!.get!.responses['403'])).toEqual(['FORBIDDEN']);
    expect(codes(doc.paths['/references']!.post!.responses['413'])).toEqual([
      'PAYLOAD_TOO_LARGE',
      'QUOTA_EXCEEDED',
    ]);
  });

  it('matches the committed openapi/v1.json and generated client types (npm run api:generate)', async () => {
    const { json, types } = await openApiArtifacts();
    expect(fs.readFileSync(path.join(ROOT, 'openapi', 'v1.json'), 'utf8')).toBe(json);
    expect(fs.readFileSync(path.join(ROOT, 'lib', 'api-client', 'v1.d.ts'), 'utf8')).toBe(types);
  });
});
