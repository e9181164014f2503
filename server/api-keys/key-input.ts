// What a caller may ask for when creating an API key. Zod only (no Node imports): the developers
// page validates its form with this same schema before the server does.
import { z } from 'zod';

export const API_SCOPES = [
  'jobs:read',
  'jobs:write',
  'references:read',
  'references:write',
  'adapters:read',
  'adapters:write',
  'account:read',
  'webhooks:read',
  'webhooks:write',
] as const;
export type ApiScope = (typeof API_SCOPES)[number];

export const createKeyInput = z.strictObject({
  name: z.string().trim().min(1, 'Name the key').max(80),
  mode: z.enum(['live', 'test']).default('live'),
  scopes: z.array(z.enum(API_SCOPES)).min(1, 'Choose at least one scope').max(API_SCOPES.length),
});
