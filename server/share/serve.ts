// HTTP faces of a share's picture: the original (/s/[slug]/image) and the lighter WebP the page
// shows (/s/[slug]/image.webp); the card's is in card.tsx. Routes under app/s are thin wrappers.
// Both are public and cacheable, but only briefly: a revoke must not be defeated for long by
// caches we do not control, so browsers and CDNs may keep a copy for SHARE_CACHE_S at most and
// then revalidate (a cheap 304 while the share stands, 404 once revoked).
import { renderBounded } from './decode';
import { ByteLru } from './memo';
import { findSharedOutput, readSharedImage } from './share';

export const SHARE_CACHE_S = 300;

export const PUBLIC_HEADERS = {
  'Cache-Control': `public, max-age=${SHARE_CACHE_S}`,
  'X-Content-Type-Options': 'nosniff',
  'Content-Security-Policy': "default-src 'none'",
};

export function matches(req: Request, etag: string): boolean {
  const header = req.headers.get('if-none-match');
  return !!header && header.split(',').some((t) => t.trim().replace(/^W\//, '') === etag);
}

export function notModified(etag: string): Response {
  return new Response(null, { status: 304, headers: { ...PUBLIC_HEADERS, ETag: etag } });
}

export async function serveSharedImage(slug: string, req: Request): Promise<Response> {
  const etag = `"image-${slug}"`;
  if (matches(req, etag)) {
    await findSharedOutput(slug); // still shared?
    return notModified(etag);
  }
  const img = await readSharedImage(slug);
  return new Response(new Uint8Array(img.body), {
    headers: {
      ...PUBLIC_HEADERS,
      'Content-Type': img.contentType,
      'Content-Length': String(img.body.length),
      ETag: etag,
    },
  });
}

/** The page's picture: WebP at most 1024 px, a fraction of the PNG's bytes on a phone. */
const PAGE_IMAGE_PX = 1024;
const pageImages = new ByteLru(16 * 1024 * 1024);

export async function sharedPageImage(slug: string): Promise<Buffer> {
  await findSharedOutput(slug);
  const hit = pageImages.get(slug);
  if (hit) return hit;
  const { body } = await readSharedImage(slug);
  const webp = await renderBounded(body, (img) =>
    img
      .resize(PAGE_IMAGE_PX, PAGE_IMAGE_PX, { fit: 'inside', withoutEnlargement: true })
      .webp({ quality: 82 }),
  );
  pageImages.set(slug, webp);
  return webp;
}

export async function serveSharedPageImage(slug: string, req: Request): Promise<Response> {
  const etag = `"webp-${slug}"`;
  if (matches(req, etag)) {
    await findSharedOutput(slug);
    return notModified(etag);
  }
  const webp = await sharedPageImage(slug);
  return new Response(new Uint8Array(webp), {
    headers: {
      ...PUBLIC_HEADERS,
      'Content-Type': 'image/webp',
      'Content-Length': String(webp.length),
      ETag: etag,
    },
  });
}
