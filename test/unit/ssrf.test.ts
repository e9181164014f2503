// The address classifier and the URL rules behind outgoing webhooks: every form of a private,
// loopback, link-local or reserved address is refused, including IPv6 forms that embed IPv4.
import { describe, expect, it } from 'vitest';
import { classifyAddress, isAllowedAddress } from '@/server/webhooks/addresses';
import { resetEnv } from '@/server/env';
import {
  pinnedLookup,
  webhookPolicy,
  webhookUrlProblem,
  type WebhookPolicy,
} from '@/server/webhooks/ssrf';

const strict: WebhookPolicy = { allowLoopback: false, timeoutMs: 1000, maxResponseBytes: 1024 };
const loopbackOk: WebhookPolicy = { ...strict, allowLoopback: true };

describe('classifyAddress', () => {
  it.each([
    ['8.8.8.8', 'public'],
    ['1.1.1.1', 'public'],
    ['172.32.0.1', 'public'], // just past 172.16/12
    ['100.128.0.1', 'public'], // just past 100.64/10
    ['169.255.0.1', 'public'],
    ['127.0.0.1', 'loopback'],
    ['127.255.255.254', 'loopback'],
    ['10.0.0.1', 'private'],
    ['172.16.0.1', 'private'],
    ['172.31.255.255', 'private'],
    ['192.168.1.1', 'private'],
    ['100.64.0.1', 'private'],
    ['169.254.169.254', 'link-local'],
    ['0.0.0.0', 'unspecified'],
    ['0.1.2.3', 'unspecified'],
    ['224.0.0.1', 'multicast'],
    ['239.255.255.250', 'multicast'],
    ['255.255.255.255', 'reserved'],
    ['240.0.0.1', 'reserved'],
    ['192.0.2.1', 'reserved'],
    ['198.18.0.1', 'reserved'],
  ])('IPv4 %s is %s', (ip, cls) => expect(classifyAddress(ip)).toBe(cls));

  it.each([
    ['2606:4700:4700::1111', 'public'],
    ['2a00:1450:4001:80b::200e', 'public'],
    ['::1', 'loopback'],
    ['[::1]', 'loopback'],
    ['0:0:0:0:0:0:0:1', 'loopback'],
    ['::', 'unspecified'],
    ['fc00::1', 'private'],
    ['fd00:ec2::254', 'private'], // AWS IPv6 metadata
    ['fe80::1', 'link-local'],
    ['fe80::1%eth0', 'link-local'],
    ['febf::1', 'link-local'],
    ['fec0::1', 'reserved'],
    ['ff02::1', 'multicast'],
    ['2001:db8::1', 'reserved'],
    ['2001:0:4136:e378:8000:63bf:3fff:fdd2', 'reserved'], // Teredo
    ['::7f00:1', 'reserved'], // IPv4-compatible ::127.0.0.1
    ['100::1', 'reserved'],
    ['64:ff9b:1::a00:1', 'reserved'],
  ])('IPv6 %s is %s', (ip, cls) => expect(classifyAddress(ip)).toBe(cls));

  it.each([
    ['::ffff:127.0.0.1', 'loopback'],
    ['::ffff:7f00:1', 'loopback'],
    ['::ffff:10.1.2.3', 'private'],
    ['::ffff:a9fe:a9fe', 'link-local'], // 169.254.169.254
    ['::ffff:8.8.8.8', 'public'],
    ['64:ff9b::10.0.0.1', 'private'], // NAT64 well-known prefix
    ['64:ff9b::a9fe:a9fe', 'link-local'],
    ['64:ff9b::808:808', 'public'],
    ['2002:7f00:1::1', 'loopback'], // 6to4 of 127.0.0.1
    ['2002:c0a8:101::1', 'private'], // 6to4 of 192.168.1.1
    ['2002:808:808::1', 'public'],
  ])('IPv6 %s embedding IPv4 is %s', (ip, cls) => expect(classifyAddress(ip)).toBe(cls));

  it('is null for names and junk', () => {
    for (const s of ['localhost', 'example.com', '1.2.3', '256.1.1.1', ':::', ''])
      expect(classifyAddress(s)).toBeNull();
  });

  it('allows loopback only when asked, and private ranges never', () => {
    expect(isAllowedAddress('127.0.0.1', { allowLoopback: false })).toBe(false);
    expect(isAllowedAddress('127.0.0.1', { allowLoopback: true })).toBe(true);
    expect(isAllowedAddress('::1', { allowLoopback: true })).toBe(true);
    expect(isAllowedAddress('10.0.0.1', { allowLoopback: true })).toBe(false);
    expect(isAllowedAddress('169.254.169.254', { allowLoopback: true })).toBe(false);
    expect(isAllowedAddress('0.0.0.0', { allowLoopback: true })).toBe(false);
    expect(isAllowedAddress('93.184.215.14', { allowLoopback: false })).toBe(true);
  });
});

describe('webhookUrlProblem', () => {
  it('accepts a public https URL', () => {
    expect(webhookUrlProblem('https://hooks.example.com/in?x=1', strict)).toBeNull();
    expect(webhookUrlProblem('https://93.184.215.14:8443/in', strict)).toBeNull();
  });

  it.each([
    ['http://hooks.example.com/', /https/],
    ['ftp://hooks.example.com/', /https/],
    ['not a url', /absolute URL/],
    ['https://user:pw@hooks.example.com/', /user name or password/],
    ['https://127.0.0.1/', /loopback/],
    ['https://2130706433/', /loopback/], // decimal form of 127.0.0.1
    ['https://0x7f.1/', /loopback/],
    ['https://10.0.0.1/', /private/],
    ['https://169.254.169.254/latest/meta-data/', /link-local/],
    ['https://[::1]/', /loopback/],
    ['https://[::ffff:127.0.0.1]/', /loopback/],
    ['https://[fd00::1]/', /private/],
    ['https://0.0.0.0/', /unspecified/],
    ['https://localhost/', /localhost/],
    ['https://api.localhost./', /localhost/],
    [`https://example.com/${'a'.repeat(2048)}`, /2048/],
  ])('refuses %s', (url, why) => expect(webhookUrlProblem(url, strict)).toMatch(why));

  it('lets the test setting use http and loopback, but not private ranges', () => {
    expect(webhookUrlProblem('http://127.0.0.1:3999/hook', loopbackOk)).toBeNull();
    expect(webhookUrlProblem('http://localhost:3999/hook', loopbackOk)).toBeNull();
    expect(webhookUrlProblem('http://[::1]:3999/hook', loopbackOk)).toBeNull();
    expect(webhookUrlProblem('http://10.0.0.1/hook', loopbackOk)).toMatch(/private/);
    expect(webhookUrlProblem('http://169.254.169.254/', loopbackOk)).toMatch(/link-local/);
  });
});

describe('pinnedLookup', () => {
  it('answers only with the checked addresses, in both callback forms', async () => {
    const lookup = pinnedLookup([{ address: '93.184.215.14', family: 4 }]);
    const all = await new Promise((resolve) =>
      lookup('evil.example', { all: true }, (_e, a) => resolve(a)),
    );
    expect(all).toEqual([{ address: '93.184.215.14', family: 4 }]);
    const one = await new Promise((resolve) =>
      lookup('evil.example', {}, (_e, a, f) => resolve([a, f])),
    );
    expect(one).toEqual(['93.184.215.14', 4]);
    const none = await new Promise((resolve) =>
      lookup('evil.example', { family: 6 }, (e) => resolve(e)),
    );
    expect(none).toBeInstanceOf(Error);
  });
});

describe('webhookPolicy: the test-only loopback setting', () => {
  const withEnv = (vars: Record<string, string>, fn: () => void) => {
    const saved = { ...process.env };
    Object.assign(process.env, vars);
    resetEnv();
    try {
      fn();
    } finally {
      for (const k of Object.keys(vars)) delete process.env[k];
      Object.assign(process.env, saved);
      resetEnv();
    }
  };
  const secret = 'a-production-secret-of-enough-length-0123456789';
  // Production also needs its mail settings (server/env.ts).
  const mail = { SMTP_URL: 'smtp://127.0.0.1:2525', MAIL_FROM: 'Studio <no-reply@example.com>' };

  it('is off unless asked for, and never for a production app on a reachable or default URL', () => {
    withEnv({ WEBHOOK_ALLOW_LOOPBACK: '0' }, () =>
      expect(webhookPolicy().allowLoopback).toBe(false),
    );
    for (const APP_URL of ['https://studio.example.com', 'http://localhost:3000']) {
      withEnv(
        {
          NODE_ENV: 'production',
          BETTER_AUTH_SECRET: secret,
          ...mail,
          WEBHOOK_ALLOW_LOOPBACK: '1',
          APP_URL,
        },
        () => expect(webhookPolicy().allowLoopback).toBe(false),
      );
    }
  });

  it('is honoured by a production build served on a numeric loopback address (e2e tests)', () => {
    withEnv(
      {
        NODE_ENV: 'production',
        BETTER_AUTH_SECRET: secret,
        ...mail,
        WEBHOOK_ALLOW_LOOPBACK: '1',
        APP_URL: 'http://127.0.0.1:4123',
      },
      () => expect(webhookPolicy().allowLoopback).toBe(true),
    );
  });
});
