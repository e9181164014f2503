// HTTP face of a share's picture (app/s/[slug]/image is a thin wrapper; the card's is in card.tsx).
// Both are public and cacheable, but only briefly: a revoke must not be defeated for long by
// caches we do not control, so browsers and CDNs may keep a copy for SHARE_CACHE_S at most and
// then revalidate (a cheap 304 while the share stands, 404 once revoked).
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
