import { handle } from '@/server/http';
import { serveSharedPageImage } from '@/server/share/serve';

type Ctx = { params: Promise<{ slug: string }> };

/** The shared picture as WebP for the page, public while the share stands, 404 once revoked. */
export function GET(req: Request, { params }: Ctx) {
  return handle(async () => serveSharedPageImage((await params).slug, req));
}
