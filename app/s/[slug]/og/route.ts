import { handle } from '@/server/http';
import { serveShareCard } from '@/server/share/card';

type Ctx = { params: Promise<{ slug: string }> };

/** The share's OpenGraph card (1200×630 PNG), 404 once the share is revoked. */
export function GET(req: Request, { params }: Ctx) {
  return handle(async () => serveShareCard((await params).slug, req));
}
