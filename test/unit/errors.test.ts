import { describe, expect, it } from 'vitest';
import { AppError, ERROR_CODES } from '@/server/errors';

describe('AppError', () => {
  it('maps every code to an HTTP status and a tRPC code', () => {
    for (const [code, m] of Object.entries(ERROR_CODES)) {
      expect(m.http, code).toBeGreaterThanOrEqual(400);
      expect(m.trpc, code).toMatch(/^[A-Z_]+$/);
    }
    expect(new AppError('INSUFFICIENT_CREDITS').httpStatus).toBe(402);
    expect(new AppError('NOT_FOUND', 'No such job').message).toBe('No such job');
  });
});
