// The one function that decides the caller's address, against each configuration.
import { describe, expect, it } from 'vitest';
import { clientAddress, peerHeaderName } from '@/server/auth/client-address';
import { parseTrustedProxies } from '@/server/auth/trusted-proxies';
import { parseEnv, EnvError } from '@/server/env';

const base = { DATABASE_URL: 'postgresql://u@127.0.0.1/db' };
const envWith = (vars: Record<string, string> = {}) => parseEnv({ ...base, ...vars });
const h = (xff?: string, peer?: string, extra: Record<string, string> = {}) => {
  const headers = new Headers(extra);
  if (xff) headers.set('x-forwarded-for', xff);
  if (peer) headers.set(peerHeaderName(), peer);
  return headers;
};

describe('clientAddress', () => {
  it('believes no header when nothing is configured: the socket peer only', () => {
    const e = envWith();
    expect(clientAddress(h('203.0.113.9'), e)).toBeNull();
    expect(clientAddress(h('203.0.113.9', '127.0.0.1'), e)).toBe('127.0.0.1');
    expect(clientAddress(h(undefined, '::ffff:198.51.100.4'), e)).toBe('198.51.100.4');
    expect(clientAddress(h(undefined, undefined, { 'x-real-ip': '203.0.113.1' }), e)).toBeNull();
  });

  it('takes X-Forwarded-For from the right with a hop count', () => {
    const one = envWith({ TRUSTED_PROXIES: '1' });
    // nginx in front appended the client: spoofed entries to its left are ignored.
    expect(clientAddress(h('6.6.6.6, 203.0.113.9', '10.0.0.2'), one)).toBe('203.0.113.9');
    // No peer known (serverless): the nearest proxy's own entry is missing, one hop fewer.
    expect(clientAddress(h('6.6.6.6, 203.0.113.9'), one)).toBe('203.0.113.9');
    const two = envWith({ TRUSTED_PROXIES: '2' });
    expect(clientAddress(h('6.6.6.6, 203.0.113.9, 172.16.0.5', '10.0.0.2'), two)).toBe(
      '203.0.113.9',
    );
    // Fewer hops than configured (a direct connection): the leftmost known address.
    expect(clientAddress(h(undefined, '203.0.113.5'), two)).toBe('203.0.113.5');
  });

  it('skips trusted CIDRs from the right', () => {
    const e = envWith({ TRUSTED_PROXIES: 'loopback, 10.0.0.0/8' });
    expect(clientAddress(h('6.6.6.6, 203.0.113.9, 10.1.2.3', '127.0.0.1'), e)).toBe('203.0.113.9');
    // A peer that is not a trusted proxy is the client, whatever the header says.
    expect(clientAddress(h('203.0.113.9', '198.51.100.20'), e)).toBe('198.51.100.20');
    // A malformed entry ends the chain: what lies right of it decides.
    expect(clientAddress(h('203.0.113.9, garbage', '127.0.0.1'), e)).toBe('127.0.0.1');
    expect(clientAddress(h('6.6.6.6, 2001:db8::1', '::1'), e)).toBe('2001:db8::1');
  });

  it('takes a platform header as is when CLIENT_IP_HEADER names it', () => {
    const e = envWith({ CLIENT_IP_HEADER: 'CF-Connecting-IP' });
    expect(clientAddress(h('6.6.6.6', '10.0.0.1', { 'cf-connecting-ip': '203.0.113.77' }), e)).toBe(
      '203.0.113.77',
    );
    expect(clientAddress(h('6.6.6.6', '10.0.0.1'), e)).toBeNull();
    expect(
      clientAddress(h(undefined, undefined, { 'cf-connecting-ip': 'nonsense' }), e),
    ).toBeNull();
  });

  it('refuses bad settings with the variable named', () => {
    expect(() => envWith({ TRUSTED_PROXIES: '10.0.0.0/33' })).toThrow(/TRUSTED_PROXIES/);
    expect(() => envWith({ TRUSTED_PROXIES: '0' })).toThrow(/TRUSTED_PROXIES.*hop count/);
    expect(() => envWith({ CLIENT_IP_HEADER: 'x real ip' })).toThrow(/CLIENT_IP_HEADER/);
    expect(() => envWith({ CLIENT_IP_HEADER: 'x-real-ip', TRUSTED_PROXIES: '1' })).toThrow(
      EnvError,
    );
    const priv = parseTrustedProxies('private');
    expect(priv && 'cidrs' in priv ? priv.cidrs : []).toContain('10.0.0.0/8');
  });

  it('needs SMTP settings in production and names them', () => {
    expect(() => envWith({ NODE_ENV: 'production', BETTER_AUTH_SECRET: 'x'.repeat(40) })).toThrow(
      /SMTP_URL[\s\S]*MAIL_FROM/,
    );
    expect(() =>
      envWith({
        NODE_ENV: 'production',
        BETTER_AUTH_SECRET: 'x'.repeat(40),
        SMTP_URL: 'smtp://mail.example.com:587',
        MAIL_FROM: 'Studio <no-reply@example.com>',
      }),
    ).not.toThrow();
  });
});
