import { sessionCaller } from '@/server/auth/caller';
import { AppError } from '@/server/errors';
import { handle } from '@/server/http';
import { controlMapPreview } from '@/server/references/control-map-preview';

export function GET(req: Request, { params }: { params: Promise<{ id: string }> }) {
  return handle(async () => {
    // A GET that computes and stores a map: held to the forgery rules like a POST.
    const user = await sessionCaller(req, { stateChanging: true });
    if (!user) throw new AppError('UNAUTHENTICATED', 'Sign in to continue.');
    const png = await controlMapPreview(user.id, (await params).id, new URL(req.url).searchParams);
    return new Response(new Uint8Array(png), {
      headers: { 'Content-Type': 'image/png', 'Cache-Control': 'private, max-age=3600' },
    });
  });
}
