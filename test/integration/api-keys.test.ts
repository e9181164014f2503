// API keys: shown once, stored hashed, scoped, revocable, never another user's.
import { describe, expect, it } from 'vitest';
import {
  authenticateApiKey,
  createApiKey,
  hashApiKey,
  listApiKeys,
  requireScope,
  revokeApiKey,
} from '@/server/api-keys/keys';
import { db } from '@/server/db';
import { makeUser } from '../helpers/users';

describe('API keys', () => {
  it('are shown once, stored only as a hash with a display fragment', async () => {
    const u = await makeUser();
    const key = await createApiKey(u.id, {
      name: 'CI',
      mode: 'test',
      scopes: ['jobs:read', 'jobs:write'],
    });
    expect(key.secret).toMatch(/^as_test_[A-Za-z0-9_-]{32}$/);
    const row = await db().apiKey.findUniqueOrThrow({ where: { id: key.id } });
    expect(row.hashedKey).toBe(hashApiKey(key.secret));
    expect(JSON.stringify(row)).not.toContain(key.secret);
    expect(row.start.startsWith('as_test_')).toBe(true);
    const [listed] = await listApiKeys(u.id);
    expect(listed).toMatchObject({
      id: key.id,
      name: 'CI',
      mode: 'test',
      scopes: ['jobs:read', 'jobs:write'],
      lastUsedAt: null,
    });
    expect(JSON.stringify(listed)).not.toContain(key.secret);
  });

  it('authenticate to their owner with their scopes, and record last use', async () => {
    const u = await makeUser();
    const key = await createApiKey(u.id, { name: 'read-only', scopes: ['jobs:read'] });
    const id = await authenticateApiKey(`Bearer ${key.secret}`);
    expect(id).toEqual({ keyId: key.id, userId: u.id, scopes: ['jobs:read'], plan: 'free' });
    expect(() => requireScope(id, 'jobs:read')).not.toThrow();
    expect(() => requireScope(id, 'jobs:write')).toThrow(/jobs:write/);
    expect(
      (await db().apiKey.findUniqueOrThrow({ where: { id: key.id } })).lastUsedAt,
    ).not.toBeNull();
    expect(await authenticateApiKey(null)).toBeNull();
    expect(await authenticateApiKey('Bearer aswk_worker-token-is-not-an-api-key')).toBeNull();
  });

  it('stop working once revoked; unknown keys are refused; only the owner can revoke', async () => {
    const u = await makeUser();
    const other = await makeUser();
    const key = await createApiKey(u.id, { name: 'temp', scopes: ['account:read'] });
    await expect(revokeApiKey(other.id, key.id)).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await revokeApiKey(u.id, key.id);
    await expect(authenticateApiKey(`Bearer ${key.secret}`)).rejects.toMatchObject({
      code: 'UNAUTHENTICATED',
    });
    await expect(
      authenticateApiKey('Bearer as_live_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA'),
    ).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
    await expect(revokeApiKey(u.id, key.id)).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('refuse empty names, unknown scopes and unknown fields', async () => {
    const u = await makeUser();
    await expect(createApiKey(u.id, { name: '', scopes: ['jobs:read'] })).rejects.toMatchObject({
      code: 'VALIDATION_FAILED',
    });
    await expect(createApiKey(u.id, { name: 'x', scopes: ['admin'] })).rejects.toMatchObject({
      code: 'VALIDATION_FAILED',
    });
    await expect(createApiKey(u.id, { name: 'x', scopes: [] })).rejects.toMatchObject({
      code: 'VALIDATION_FAILED',
    });
    await expect(
      createApiKey(u.id, { name: 'x', scopes: ['jobs:read'], userId: 'someone' }),
    ).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
    expect(await db().apiKey.count({ where: { userId: u.id } })).toBe(0);
  });
});
