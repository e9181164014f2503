import { getSessionUser } from '@/server/auth/session';
import { AppError } from '@/server/errors';
import { handle } from '@/server/http';
import { controlMapPreview } from '@/server/references/control-map-preview';

export function GET(req: Request, { params }: { params: Promise<{ id: string }> }) {
  return handle(async () => {
    const user = await getSessionUser(req.headers);
    if (!user) throw new AppError('UNAUTHENTICATED', 'Sign in to continue.');
    const png = await controlMapPreview(user.id, (await params).id, new URL(req.url).searchParams);
    return new Response(new Uint8Array(png), {
      headers: { 'Content-Type': 'image/png', 'Cache-Control': 'private, max-age=3600' },
    });
  });
}
