// Gives zod schemas the `.openapi()` method the OpenAPI generator names components with. Zod 4
// copies prototype methods into each schema when it is built, so this must run before the
// schemas it documents are created: modules defining such schemas import it first.
import { extendZodWithOpenApi } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';

extendZodWithOpenApi(z);
