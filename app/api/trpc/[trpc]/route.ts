import { fetchRequestHandler } from '@trpc/server/adapters/fetch';
import { withBoundedBody } from '@/server/body';
import { handle } from '@/server/http';
import { createContext } from '@/server/trpc/init';
import { appRouter } from '@/server/trpc/router';

/** tRPC inputs are small JSON (files go through the REST upload routes). */
const MAX_BODY_BYTES = 2 ** 20;

function handler(req: Request) {
  return handle(async () =>
    fetchRequestHandler({
      endpoint: '/api/trpc',
      req: await withBoundedBody(req, MAX_BODY_BYTES, 'tRPC requests'),
      router: appRouter,
      createContext: () => createContext({ req }),
    }),
  );
}

export { handler as GET, handler as POST };
