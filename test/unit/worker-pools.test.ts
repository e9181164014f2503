// WORKER_POOLS: the rule language that pins jobs to worker pools, and the S3 upload URLs that
// expire with a lease and are write-once (signed offline: no bucket is contacted).
import { describe, expect, it } from 'vitest';
import { parseEnv } from '@/server/env';
import { S3Storage } from '@/server/storage/s3';
import { parseWorkerPools, poolsForJob } from '@/server/workers/pools';

const job = (kind: string, baseModel = 'sd15', plan = 'free') => ({ kind, baseModel, plan });

describe('WORKER_POOLS', () => {
  it('unset: no rules, every job open to any pool', () => {
    expect(parseWorkerPools(undefined)).toEqual([]);
    expect(poolsForJob(parseWorkerPools(''), job('TRAIN'))).toEqual([]);
  });

  it('first matching rule wins; conditions joined by + must all hold; * catches the rest', () => {
    const rules = parseWorkerPools(
      'kind:train=trusted; plan:studio+base:sd15=trusted,fast ; kind:EDIT=trusted;*=shared',
    );
    expect(poolsForJob(rules, job('TRAIN'))).toEqual(['trusted']);
    expect(poolsForJob(rules, job('EDIT', 'sd15', 'pro'))).toEqual(['trusted']);
    expect(poolsForJob(rules, job('GENERATE', 'sd15', 'studio'))).toEqual(['trusted', 'fast']);
    expect(poolsForJob(rules, job('GENERATE', 'other', 'studio'))).toEqual(['shared']);
    expect(poolsForJob(rules, job('GENERATE'))).toEqual(['shared']);
  });

  it('without a catch-all, unmatched jobs stay open to every pool', () => {
    expect(poolsForJob(parseWorkerPools('kind:train=trusted'), job('GENERATE'))).toEqual([]);
  });

  it.each([
    ['trusted', /needs "="/],
    ['kind:train=', /pool names/],
    ['kind:train=bad pool', /pool names/],
    ['size:big=a', /not kind:<kind>, base:<model> or plan:<plan>/],
    ['kind:upscale=a', /kind must be one of generate, train, edit/],
  ])('refuses %j with a message naming the problem', (text, message) => {
    expect(() => parseWorkerPools(text)).toThrow(message);
    expect(() => parseEnv({ ...process.env, WORKER_POOLS: text })).toThrow(message);
  });
});

describe('S3 upload URLs for a lease', () => {
  const s3 = new S3Storage({
    bucket: 'outputs',
    region: 'us-east-1',
    endpoint: 'https://s3.example.test',
    accessKeyId: 'AKIAEXAMPLE',
    secretAccessKey: 'secret',
    forcePathStyle: true,
  });

  it('expire within the lease TTL and sign If-None-Match: * (write-once)', async () => {
    const put = await s3.signedPutUrl('users/u/jobs/j/l/output-0.png', {
      contentType: 'image/png',
      maxBytes: 1,
      ttlS: 1800,
      lease: { jobId: 'j', leaseId: 'l', ttlS: 60 },
    });
    const q = new URL(put.url).searchParams;
    expect(q.get('X-Amz-Expires')).toBe('60');
    expect(q.get('X-Amz-SignedHeaders')!.split(';')).toEqual(
      expect.arrayContaining(['content-type', 'if-none-match', 'host']),
    );
    expect(put.headers).toEqual({ 'Content-Type': 'image/png', 'If-None-Match': '*' });
  });

  it('other uploads keep their own TTL and no condition', async () => {
    const put = await s3.signedPutUrl('users/u/x.png', {
      contentType: 'image/png',
      maxBytes: 1,
      ttlS: 900,
    });
    expect(new URL(put.url).searchParams.get('X-Amz-Expires')).toBe('900');
    expect(put.headers).toEqual({ 'Content-Type': 'image/png' });
  });
});
