// Writes the OpenAPI document of /api/v1 (openapi/v1.json) and the TypeScript types a client
// gets from it with openapi-typescript (lib/api-client/v1.d.ts). `npm run api:generate` after
// changing a REST schema; test/unit/openapi.test.ts fails while either file is stale.
import fs from 'node:fs';
import path from 'node:path';
import { openApiArtifacts } from '../lib/api-client/generate';

const root = path.resolve(import.meta.dirname, '..');
const { json, types } = await openApiArtifacts();
fs.writeFileSync(path.join(root, 'openapi', 'v1.json'), json);
fs.writeFileSync(path.join(root, 'lib', 'api-client', 'v1.d.ts'), types);
console.log('wrote openapi/v1.json and lib/api-client/v1.d.ts');
