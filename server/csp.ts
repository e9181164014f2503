// The Content-Security-Policy of the app's pages, with a fresh nonce per request (proxy.ts sets
// it; Next.js reads the nonce back from the request's CSP header and puts it on its own scripts).
// API answers get a fixed `default-src 'none'` policy and every answer the other security headers
// from next.config.mjs `headers()`; this file is only the per-page part.
//
// Script: only scripts carrying this request's nonce, and what they load ('strict-dynamic': Next's
// chunks, next/script's Swagger UI bundle); no inline handlers, no eval outside development
// (React's dev tools need it). Style: 'unsafe-inline', because React renders `style` attributes
// and Radix/sonner insert <style> elements without a nonce; CSS cannot run script, and
// every other directive still holds. Images, media and fetches: this site, plus the bucket
// origin when STORAGE_DRIVER=s3 (signed URLs point there). frame-ancestors 'none': no page can
// be framed (clickjacking). form-action and base-uri 'self'.
import type { Env } from './env';

/** 128 random bits, base64: unguessable per response. */
export function newNonce(): string {
  return Buffer.from(crypto.getRandomValues(new Uint8Array(16))).toString('base64');
}

/** The origins signed storage URLs point to: none beyond 'self' for the local driver. */
export function storageOrigins(e: Env): string[] {
  if (e.STORAGE_DRIVER !== 's3' || !e.S3_BUCKET) return [];
  const base = new URL(e.S3_ENDPOINT ?? `https://s3.${e.S3_REGION}.amazonaws.com`);
  // The SDK uses the virtual-hosted form (bucket.host) unless path style is forced.
  const hosts = e.S3_FORCE_PATH_STYLE ? [base.host] : [`${e.S3_BUCKET}.${base.host}`, base.host];
  return hosts.map((h) => `${base.protocol}//${h}`);
}

/** The page policy for one response; `nonce` from newNonce(). */
export function pageContentSecurityPolicy(nonce: string, e: Env): string {
  const dev = e.NODE_ENV === 'development';
  const storage = storageOrigins(e).join(' ');
  const directives = [
    "default-src 'self'",
    `script-src 'self' 'nonce-${nonce}' 'strict-dynamic'${dev ? " 'unsafe-eval'" : ''}`,
    "style-src 'self' 'unsafe-inline'",
    `img-src 'self' blob: data: ${storage}`.trim(),
    `media-src 'self' blob: ${storage}`.trim(),
    `connect-src 'self' ${storage}`.trim(),
    "font-src 'self'",
    "worker-src 'self' blob:",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
    "frame-src 'none'",
  ];
  // Only where the site itself is served over HTTPS: on a plain-http local server it would
  // send every subresource to an https:// that is not there.
  if (e.APP_URL.startsWith('https://')) directives.push('upgrade-insecure-requests');
  return directives.join('; ');
}
