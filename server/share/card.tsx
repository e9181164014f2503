// The OpenGraph card of a share: 1200×630 PNG with the picture, the prompt and the product's
// mark, rendered by next/og (satori + resvg) with the bundled Inter; nothing is fetched.
// Rendered cards are kept in memory per slug (memo.ts), served once the share is checked to stand.
import fs from 'node:fs/promises';
import path from 'node:path';
import { ImageResponse } from 'next/og';
import { renderBounded } from './decode';
import { BrandMark } from '@/components/site/brand-mark';
import { env } from '../env';
import { ByteLru } from './memo';
import { matches, notModified, PUBLIC_HEADERS } from './serve';
import { findSharedOutput, readSharedImage } from './share';
import { latinOnly, truncateText } from './text';

export const CARD = { width: 1200, height: 630 } as const;
/** Bump when the card's design changes: part of the ETag. */
const CARD_VERSION = 1;
const PROMPT_CHARS = 140;
const BG = '#0f1117';

// Read from the repository (process.cwd() is the app's root, as in Next's own og examples) so
// the files are traced into the build; .woff, because satori cannot read .woff2.
let fonts: Promise<{ name: string; data: Buffer; weight: 400 | 700; style: 'normal' }[]> | null =
  null;
function loadFonts() {
  const dir = path.join(process.cwd(), 'assets', 'fonts');
  fonts ??= Promise.all(
    ([400, 700] as const).map(async (weight) => ({
      name: 'Inter',
      weight,
      style: 'normal' as const,
      data: await fs.readFile(path.join(dir, `inter-latin-${weight}-normal.woff`)),
    })),
  );
  return fonts;
}

const cards = new ByteLru(24 * 1024 * 1024);

export function cardEtag(slug: string): string {
  return `"card-${CARD_VERSION}-${slug}"`;
}

async function render(prompt: string, image: Buffer): Promise<Buffer> {
  const side = CARD.height;
  const jpeg = await renderBounded(image, (img) =>
    img
      .resize(side, side, { fit: 'contain', background: BG })
      .flatten({ background: BG })
      .jpeg({ quality: 82 }),
  );
  const text = truncateText(latinOnly(prompt), PROMPT_CHARS) || 'An image made with Adapter Studio';
  const card = (
    <div
      style={{
        display: 'flex',
        width: '100%',
        height: '100%',
        background: BG,
        color: '#f5f6f8',
        fontFamily: 'Inter',
      }}
    >
      <img src={`data:image/jpeg;base64,${jpeg.toString('base64')}`} width={side} height={side} />
      <div
        style={{
          display: 'flex',
          flexDirection: 'column',
          justifyContent: 'space-between',
          width: CARD.width - side,
          padding: '56px 56px 52px',
        }}
      >
        <div style={{ display: 'flex', alignItems: 'center', gap: 16 }}>
          <BrandMark width={52} height={52} />
          <span style={{ fontSize: 30, fontWeight: 700 }}>Adapter Studio</span>
        </div>
        <div style={{ display: 'flex', fontSize: 38, fontWeight: 700, lineHeight: 1.25 }}>
          {text}
        </div>
        <div style={{ display: 'flex', fontSize: 24, color: '#a3a9b6' }}>
          {new URL(env().APP_URL).host}
        </div>
      </div>
    </div>
  );
  const res = new ImageResponse(card, { ...CARD, fonts: await loadFonts() });
  return Buffer.from(await res.arrayBuffer());
}

/** The card of a standing share (NOT_FOUND otherwise), from memory when rendered before. */
export async function shareCardPng(slug: string): Promise<Buffer> {
  const shared = await findSharedOutput(slug);
  const hit = cards.get(slug);
  if (hit) return hit;
  const { body } = await readSharedImage(shared.slug);
  const png = await render(shared.prompt, body);
  cards.set(slug, png);
  return png;
}

/** GET /s/[slug]/og: the card, cached like the picture (see serve.ts). */
export async function serveShareCard(slug: string, req: Request): Promise<Response> {
  const etag = cardEtag(slug);
  if (matches(req, etag)) {
    await findSharedOutput(slug);
    return notModified(etag);
  }
  const png = await shareCardPng(slug);
  return new Response(new Uint8Array(png), {
    headers: {
      ...PUBLIC_HEADERS,
      'Content-Type': 'image/png',
      'Content-Length': String(png.length),
      ETag: etag,
    },
  });
}
