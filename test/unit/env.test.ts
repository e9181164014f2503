import { describe, expect, it } from 'vitest';
import { EnvError, parseEnv } from '@/server/env';

const base = { DATABASE_URL: 'postgresql://u:p@localhost:5432/db' };

function problems(raw: Record<string, string | undefined>) {
  try {
    parseEnv(raw);
  } catch (e) {
    expect(e).toBeInstanceOf(EnvError);
    return (e as EnvError).problems;
  }
  throw new Error('expected parseEnv to throw');
}

describe('parseEnv', () => {
  it('needs nothing but DATABASE_URL locally and fills defaults', () => {
    const env = parseEnv(base);
    expect(env.NODE_ENV).toBe('development');
    expect(env.STARTER_CREDITS).toBe(50);
    expect(env.APP_URL).toBe('http://localhost:3000');
    expect(env.BETTER_AUTH_SECRET.length).toBeGreaterThanOrEqual(32);
  });

  it('names a missing DATABASE_URL', () => {
    const p = problems({});
    expect(p.map((x) => x.variable)).toContain('DATABASE_URL');
  });

  it('names a malformed DATABASE_URL', () => {
    const p = problems({ DATABASE_URL: 'mysql://x@y/z' });
    expect(p).toEqual([
      { variable: 'DATABASE_URL', message: expect.stringMatching(/postgresql/) as string },
    ]);
  });

  it('names a non-numeric STARTER_CREDITS in its message', () => {
    expect(() => parseEnv({ ...base, STARTER_CREDITS: 'lots' })).toThrow(/STARTER_CREDITS/);
  });

  it('requires BETTER_AUTH_SECRET and the mail settings in production, and a long secret', () => {
    expect(problems({ ...base, NODE_ENV: 'production' }).map((x) => x.variable)).toEqual([
      'BETTER_AUTH_SECRET',
      'SMTP_URL',
      'MAIL_FROM',
    ]);
    const mail = { SMTP_URL: 'smtp://mail.example.com:587', MAIL_FROM: 'Studio <a@example.com>' };
    expect(problems({ ...base, ...mail, NODE_ENV: 'production' }).map((x) => x.variable)).toEqual([
      'BETTER_AUTH_SECRET',
    ]);
    expect(problems({ ...base, BETTER_AUTH_SECRET: 'short' }).map((x) => x.variable)).toEqual([
      'BETTER_AUTH_SECRET',
    ]);
  });

  it('requires OAuth client id and secret together', () => {
    expect(problems({ ...base, GITHUB_CLIENT_ID: 'abc' }).map((x) => x.variable)).toEqual([
      'GITHUB_CLIENT_SECRET',
    ]);
    expect(
      parseEnv({ ...base, GOOGLE_CLIENT_ID: 'a', GOOGLE_CLIENT_SECRET: 'b' }).GOOGLE_CLIENT_ID,
    ).toBe('a');
  });

  it('treats empty strings as unset', () => {
    expect(
      parseEnv({ ...base, GITHUB_CLIENT_ID: '', GITHUB_CLIENT_SECRET: '' }).GITHUB_CLIENT_ID,
    ).toBeUndefined();
  });
});
