// Public share links: through the domain functions (ownership, slugs, revocation, the card),
// then through the production server over HTTP, signed out, as a visitor or a crawler sees them.
import { randomUUID } from 'node:crypto';
import sharp from 'sharp';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { db } from '@/server/db';
import { AppError } from '@/server/errors';
import { storage, storageKeys, type StorageDriver } from '@/server/storage';
import { LocalStorage } from '@/server/storage/local';
import { shareCardPng } from '@/server/share/card';
import { sharedPageImage } from '@/server/share/serve';
import {
  findSharedOutput,
  isShareSlug,
  readSharedImage,
  shareOutput,
  unshareOutput,
} from '@/server/share/share';
import { latinOnly, truncateText } from '@/server/share/text';
import { Client, startApp, type LiveApp } from '../helpers/live';
import { makeUser } from '../helpers/users';

async function picture(width = 256, height = 256): Promise<Buffer> {
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}"><rect width="100%" height="100%" fill="#234"/><circle cx="50%" cy="50%" r="30%" fill="#fd4"/></svg>`;
  return sharp(Buffer.from(svg)).png().toBuffer();
}

/** A finished generation with one output, as the worker would have left it. */
async function seedOutput(userId: string, prompt: string, store: StorageDriver = storage()) {
  const job = await db().job.create({
    data: {
      userId,
      kind: 'GENERATE',
      status: 'SUCCEEDED',
      params: { request: { prompt } },
      baseModel: 'tiny-sd15',
      price: 1,
      finishedAt: new Date(),
    },
  });
  const key = storageKeys.jobOutput(userId, job.id, 0);
  const png = await picture();
  await store.put(key, png, 'image/png');
  return db().jobOutput.create({
    data: {
      jobId: job.id,
      userId,
      index: 0,
      storageKey: key,
      contentType: 'image/png',
      width: 256,
      height: 256,
      bytes: png.length,
    },
  });
}

async function rejection(p: Promise<unknown>): Promise<string> {
  const e = await p.then(
    () => null,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(AppError);
  return (e as AppError).code;
}

describe('share (domain)', () => {
  afterEach(() => vi.restoreAllMocks());

  it('shares an own output at a 128-bit base64url slug, idempotently', async () => {
    const user = await makeUser();
    const out = await seedOutput(user.id, 'a lighthouse at dusk');
    const first = await shareOutput(user.id, out.id);
    expect(first.slug).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(Buffer.from(first.slug!, 'base64url')).toHaveLength(16);
    expect(first.url).toBe(`${process.env.APP_URL}/s/${first.slug}`);
    expect(first.sharedAt).toBeInstanceOf(Date);
    // A second click (or a race) gives the same link, not a second one.
    const again = await Promise.all([shareOutput(user.id, out.id), shareOutput(user.id, out.id)]);
    expect(again.map((s) => s.slug)).toEqual([first.slug, first.slug]);

    const pub = await findSharedOutput(first.slug!);
    expect(pub).toMatchObject({ prompt: 'a lighthouse at dusk', width: 256, height: 256 });
    expect(Object.keys(pub).sort()).toEqual(
      ['contentType', 'height', 'prompt', 'sharedAt', 'slug', 'width'].sort(),
    );
    const img = await readSharedImage(first.slug!);
    expect((await sharp(img.body).metadata()).width).toBe(256);
  });

  it("another user's output, a missing one and a malformed id are all NOT_FOUND", async () => {
    const owner = await makeUser();
    const other = await makeUser();
    const out = await seedOutput(owner.id, 'mine');
    expect(await rejection(shareOutput(other.id, out.id))).toBe('NOT_FOUND');
    expect(await rejection(unshareOutput(other.id, out.id))).toBe('NOT_FOUND');
    expect(await rejection(shareOutput(owner.id, randomUUID()))).toBe('NOT_FOUND');
    expect(await rejection(shareOutput(owner.id, 'not-a-uuid'))).toBe('NOT_FOUND');
    // The other user's attempt changed nothing.
    expect((await db().jobOutput.findUniqueOrThrow({ where: { id: out.id } })).shareSlug).toBe(
      null,
    );
  });

  it('slugs are unguessable: distinct, full-entropy, and lookups refuse anything else', async () => {
    const user = await makeUser();
    const slugs = new Set<string>();
    for (let i = 0; i < 20; i++) {
      const out = await seedOutput(user.id, `image ${i}`);
      slugs.add((await shareOutput(user.id, out.id)).slug!);
    }
    expect(slugs.size).toBe(20);
    const chars = new Set([...slugs].join(''));
    expect(chars.size).toBeGreaterThan(40); // drawn from the whole base64url alphabet
    for (const bad of ['', 'x', 'a'.repeat(22), '../../etc/passwd', `${[...slugs][0]}x`]) {
      expect(await rejection(findSharedOutput(bad))).toBe('NOT_FOUND');
    }
    expect(isShareSlug('a'.repeat(22))).toBe(true);
  });

  it('revoking makes the share NOT_FOUND for good; sharing again mints a new slug', async () => {
    const user = await makeUser();
    const out = await seedOutput(user.id, 'gone soon');
    const { slug } = await shareOutput(user.id, out.id);
    await shareCardPng(slug!); // rendered and kept in memory…
    await sharedPageImage(slug!);
    expect(await unshareOutput(user.id, out.id)).toMatchObject({ slug: null, url: null });
    expect(await rejection(findSharedOutput(slug!))).toBe('NOT_FOUND');
    expect(await rejection(readSharedImage(slug!))).toBe('NOT_FOUND');
    expect(await rejection(shareCardPng(slug!))).toBe('NOT_FOUND'); // …but never served after
    expect(await rejection(sharedPageImage(slug!))).toBe('NOT_FOUND');
    expect((await unshareOutput(user.id, out.id)).slug).toBe(null); // idempotent
    const again = await shareOutput(user.id, out.id);
    expect(again.slug).not.toBe(slug);
    expect(await rejection(findSharedOutput(slug!))).toBe('NOT_FOUND');
  });

  it('renders a 1200×630 PNG card with the bundled font only, whatever the prompt', async () => {
    const user = await makeUser();
    const out = await seedOutput(user.id, '猫 on a café roof 🐱 at night — ő, ß, “quotes”');
    const { slug } = await shareOutput(user.id, out.id);
    const fetchSpy = vi.spyOn(globalThis, 'fetch');
    const png = await shareCardPng(slug!);
    const meta = await sharp(png).metadata();
    expect([meta.format, meta.width, meta.height]).toEqual(['png', 1200, 630]);
    expect(fetchSpy).not.toHaveBeenCalled(); // no emoji or font fetched for the CJK and emoji
    expect(await shareCardPng(slug!)).toBe(png); // second time from memory
  });

  it('keeps only text the card font draws, and truncates at a word', () => {
    expect(latinOnly('猫 on a café roof 🐱 — ő “ok”')).toBe('on a café roof — o “ok”');
    expect(latinOnly('👩‍👩‍👧 ')).toBe('');
    expect(latinOnly('a\n\tb')).toBe('a b');
    expect(truncateText('short', 10)).toBe('short');
    expect(truncateText('one two three four five', 16)).toBe('one two three…');
    expect([...truncateText('x'.repeat(50), 10)]).toHaveLength(10);
  });
});

describe('share pages over HTTP (production server, signed out)', () => {
  let app: LiveApp;
  beforeAll(async () => {
    app = await startApp();
  }, 180_000);
  afterAll(async () => {
    await app?.stop();
  });

  const anonymous = (path: string, headers: Record<string, string> = {}) =>
    fetch(`${app.url}${path}`, { headers, redirect: 'manual' });

  it('share → public page with meta tags, images and OG card → revoke → 404 everywhere', async () => {
    const owner = new Client(app.url);
    const email = `share-${Date.now()}@example.com`;
    await owner.signUp(email);
    const userId = (await db().user.findUniqueOrThrow({ where: { email } })).id;
    const out = await seedOutput(
      userId,
      'a red kite over "the" hills & <b>dales</b>',
      new LocalStorage(app.storageDir, app.url),
    );

    expect((await new Client(app.url).mutate('jobs.share', { outputId: out.id })).status).toBe(401);
    const stranger = new Client(app.url);
    await stranger.signUp(`stranger-${Date.now()}@example.com`);
    expect((await stranger.mutate('jobs.share', { outputId: out.id })).status).toBe(404);

    const shared = await owner.mutate<{ slug: string; url: string }>('jobs.share', {
      outputId: out.id,
    });
    expect(shared.status).toBe(200);
    const { slug, url } = shared.data;
    expect(url).toBe(`${app.url}/s/${slug}`);

    const page = await anonymous(`/s/${slug}`);
    expect(page.status).toBe(200);
    // The page itself is never stored, so a revoke takes it down at once.
    expect(page.headers.get('cache-control')).toContain('no-store');
    const html = await page.text();
    const meta = (attr: string, name: string) =>
      new RegExp(`<meta ${attr}="${name}" content="([^"]*)"`).exec(html)?.[1];
    expect(meta('property', 'og:title')).toBe(
      'a red kite over &quot;the&quot; hills &amp; &lt;b&gt;dales&lt;/b&gt;',
    );
    expect(meta('property', 'og:description')).toContain('made with Adapter Studio');
    expect(meta('property', 'og:image')).toBe(`${app.url}/s/${slug}/og`);
    expect(meta('property', 'og:image:width')).toBe('1200');
    expect(meta('property', 'og:image:height')).toBe('630');
    expect(meta('property', 'og:url')).toBe(`${app.url}/s/${slug}`);
    expect(meta('name', 'twitter:card')).toBe('summary_large_image');
    expect(meta('name', 'twitter:image')).toBe(`${app.url}/s/${slug}/og`);
    expect(meta('name', 'robots')).toBe('noindex, nofollow');
    expect(html).toMatch(new RegExp(`<img[^>]+src="/s/${slug}/image.webp"[^>]+width="256"`));
    expect(html).toContain(`href="/s/${slug}/image"`);
    expect(html).not.toContain('<b>dales</b>'); // the prompt is text, never markup

    const image = await anonymous(`/s/${slug}/image`);
    expect(image.status).toBe(200);
    expect(image.headers.get('content-type')).toBe('image/png');
    expect(image.headers.get('cache-control')).toBe('public, max-age=300');
    expect((await sharp(Buffer.from(await image.arrayBuffer())).metadata()).width).toBe(256);
    const etag = image.headers.get('etag')!;
    expect((await anonymous(`/s/${slug}/image`, { 'if-none-match': etag })).status).toBe(304);

    const webp = await anonymous(`/s/${slug}/image.webp`);
    expect(webp.status).toBe(200);
    expect(webp.headers.get('cache-control')).toBe('public, max-age=300');
    const shown = await sharp(Buffer.from(await webp.arrayBuffer())).metadata();
    expect([shown.format, shown.width, shown.height]).toEqual(['webp', 256, 256]);

    const og = await anonymous(`/s/${slug}/og`);
    expect(og.status).toBe(200);
    expect(og.headers.get('content-type')).toBe('image/png');
    expect(og.headers.get('cache-control')).toBe('public, max-age=300');
    const card = await sharp(Buffer.from(await og.arrayBuffer())).metadata();
    expect([card.format, card.width, card.height]).toEqual(['png', 1200, 630]);
    const ogTag = og.headers.get('etag')!;
    expect((await anonymous(`/s/${slug}/og`, { 'if-none-match': ogTag })).status).toBe(304);

    // Revoked: the page, the image and the card are gone, revalidation included.
    expect((await owner.mutate('jobs.unshare', { outputId: out.id })).status).toBe(200);
    expect((await anonymous(`/s/${slug}`)).status).toBe(404);
    expect((await anonymous(`/s/${slug}/image`)).status).toBe(404);
    expect((await anonymous(`/s/${slug}/image.webp`)).status).toBe(404);
    expect((await anonymous(`/s/${slug}/og`)).status).toBe(404);
    expect((await anonymous(`/s/${slug}/image`, { 'if-none-match': etag })).status).toBe(404);
    expect((await anonymous(`/s/${slug}/og`, { 'if-none-match': ogTag })).status).toBe(404);
    expect((await anonymous(`/s/${'A'.repeat(22)}`)).status).toBe(404);
  }, 120_000);
});
