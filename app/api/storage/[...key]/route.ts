import { handle } from '@/server/http';
import { acceptSignedPut, serveSignedGet } from '@/server/storage/serve';

type Ctx = { params: Promise<{ key: string[] }> };

export function GET(req: Request, { params }: Ctx) {
  return handle(async () =>
    serveSignedGet((await params).key.join('/'), new URL(req.url).searchParams),
  );
}

export function PUT(req: Request, { params }: Ctx) {
  return handle(async () => acceptSignedPut((await params).key.join('/'), req));
}
