import { toNextJsHandler } from 'better-auth/next-js';
import { auth, withClientAddress } from '@/server/auth/auth';
import { assertAuthRouteNotForged } from '@/server/auth/forgery';
import { withBoundedBody } from '@/server/body';
import { handle } from '@/server/http';

/** Sign-up, sign-in and the other auth calls are small JSON: read at most this, then hand over. */
const MAX_BODY_BYTES = 64 * 1024;

const handler = (req: Request) =>
  handle(async () => {
    assertAuthRouteNotForged(req); // another site's page may not sign anyone in or out
    return auth().handler(
      withClientAddress(await withBoundedBody(req, MAX_BODY_BYTES, 'Auth requests')),
    );
  });

export const { GET, POST } = toNextJsHandler(handler);
