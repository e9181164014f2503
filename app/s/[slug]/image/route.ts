import { handle } from '@/server/http';
import { serveSharedImage } from '@/server/share/serve';

type Ctx = { params: Promise<{ slug: string }> };

/** The shared picture, public while the share stands, 404 once revoked. */
export function GET(req: Request, { params }: Ctx) {
  return handle(async () => serveSharedImage((await params).slug, req));
}
