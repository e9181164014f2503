// Which methods each route handler (app/**/route.ts) answers, and the one answer for any other
// method: 405 with `Allow` (RFC 9110 §15.5.6), as problem+json.
//
// Next.js answers an unexported method of a route file with a bare 405 (no `Allow`), and a
// method the Fetch API cannot represent (TRACE, TRACK, CONNECT) with a 500 before any code of
// the app runs: it builds a `Request` for the handler, and `new Request(url, { method: 'TRACE' })`
// throws. So the refusal happens in front of Next.js, on the Node.js server's request event
// (installed by instrumentation.ts), for every method of every route here at once.
// test/unit/route-methods.test.ts keeps this table equal to the route files' exports.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { problemBody } from './http';
import { onEveryRequest } from './server-hooks';
import { API_CSP, securityHeaders } from './security-headers.mjs';

/** Route patterns as Next.js spells them (`[id]` one segment, `[...all]` one or more). */
export const ROUTE_METHODS: Readonly<Record<string, readonly string[]>> = {
  '/api/auth/[...all]': ['GET', 'POST'],
  '/api/health': ['GET'],
  '/api/references/[id]/control-map': ['GET'],
  '/api/storage/[...key]': ['GET', 'PUT'],
  '/api/stripe/webhook': ['POST'],
  '/api/trpc/[trpc]': ['GET', 'POST'],
  '/api/v1/account': ['GET'],
  '/api/v1/adapters': ['GET', 'POST'],
  '/api/v1/adapters/[id]': ['DELETE', 'PATCH'],
  '/api/v1/edits': ['POST'],
  '/api/v1/generations': ['POST'],
  '/api/v1/generations/quote': ['POST'],
  '/api/v1/jobs': ['GET'],
  '/api/v1/jobs/[id]': ['GET'],
  '/api/v1/jobs/[id]/cancel': ['POST'],
  '/api/v1/openapi.json': ['GET'],
  '/api/v1/references': ['GET', 'POST'],
  '/api/v1/references/[id]': ['DELETE'],
  '/api/v1/trainings': ['POST'],
  '/api/v1/usage': ['GET'],
  '/api/v1/webhooks': ['GET', 'POST'],
  '/api/v1/webhooks/[id]': ['DELETE'],
  '/api/v1/webhooks/[id]/secret': ['GET'],
  '/api/v1/webhooks/deliveries': ['GET'],
  '/api/v1/webhooks/deliveries/[id]/replay': ['POST'],
  '/api/v1/webhooks/job-secret': ['GET'],
  '/api/worker/v1/jobs/[id]/complete': ['POST'],
  '/api/worker/v1/jobs/[id]/fail': ['POST'],
  '/api/worker/v1/jobs/[id]/heartbeat': ['POST'],
  '/api/worker/v1/jobs/[id]/release': ['POST'],
  '/api/worker/v1/lease': ['POST'],
  '/docs/api/swagger/[file]': ['GET'],
  '/s/[slug]/image': ['GET'],
  '/s/[slug]/image.webp': ['GET'],
  '/s/[slug]/og': ['GET'],
};

interface Node {
  route?: string;
  children: Map<string, Node>;
  dynamic?: Node;
  catchAll?: string;
}

function buildTree(routes: Iterable<string>): Node {
  const root: Node = { children: new Map() };
  for (const route of routes) {
    let node = root;
    for (const seg of route.split('/').filter(Boolean)) {
      if (seg.startsWith('[...')) {
        node.catchAll = route;
        break;
      }
      const next: Node = seg.startsWith('[')
        ? (node.dynamic ??= { children: new Map() })
        : (node.children.get(seg) ?? { children: new Map() });
      if (!seg.startsWith('[')) node.children.set(seg, next);
      node = next;
    }
    if (!route.includes('[...')) node.route = route;
  }
  return root;
}

const TREE = buildTree(Object.keys(ROUTE_METHODS));

/** The route a path is served by, with Next.js's precedence: static, then `[x]`, then `[...x]`. */
export function matchRoute(pathname: string, node: Node = TREE): string | null {
  const segs = pathname.split('/').filter(Boolean);
  const walk = (n: Node, i: number): string | null => {
    if (i === segs.length) return n.route ?? null;
    const seg = segs[i]!;
    const stat = n.children.get(seg);
    const found = (stat && walk(stat, i + 1)) ?? (n.dynamic && walk(n.dynamic, i + 1)) ?? null;
    return found ?? n.catchAll ?? null;
  };
  return walk(node, 0);
}

/** The methods a route answers: its own, HEAD with GET, and OPTIONS (Next.js answers both). */
function allowedMethods(route: string): Set<string> {
  const methods = new Set(ROUTE_METHODS[route]);
  if (methods.has('GET')) methods.add('HEAD');
  methods.add('OPTIONS');
  return methods;
}

/** The `Allow` header of a route: `allowedMethods`, sorted. */
export function allowOf(route: string): string {
  return [...allowedMethods(route)].sort().join(', ');
}

/**
 * Answers a request whose method its route does not serve with 405 + Allow and returns true;
 * returns false (touching nothing) for every other request, which Next.js then serves.
 */
export function refuseUnservedMethod(req: IncomingMessage, res: ServerResponse): boolean {
  let pathname: string;
  try {
    pathname = new URL(req.url ?? '/', 'http://server').pathname;
  } catch {
    return false;
  }
  const route = matchRoute(pathname);
  const method = (req.method ?? 'GET').toUpperCase();
  if (!route || allowedMethods(route).has(method)) return false;
  const allow = allowOf(route);
  const body = JSON.stringify(
    problemBody({
      code: 'METHOD_NOT_ALLOWED',
      title: 'Method not allowed',
      status: 405,
      detail: `${method} is not served here; use ${allow}.`,
    }),
  );
  res.writeHead(405, {
    // The same security headers as every answer Next.js serves (next.config.mjs), and the API's
    // CSP: this answer is data, whatever the route.
    ...Object.fromEntries(SECURITY_HEADERS.map((h) => [h.key, h.value])),
    'Content-Security-Policy': API_CSP,
    Allow: allow,
    'Content-Type': 'application/problem+json',
    'Content-Length': Buffer.byteLength(body),
    'Cache-Control': 'no-store',
    // The body, if any, is never read: the connection ends with this answer.
    Connection: 'close',
  });
  res.end(method === 'HEAD' ? undefined : body);
  return true;
}

const SECURITY_HEADERS = securityHeaders(process.env.NODE_ENV === 'production');

/**
 * Puts `refuseUnservedMethod` in front of every Node.js HTTP(S) server of this process
 * (server/server-hooks.ts). Idempotent.
 */
export function installMethodGuard(): void {
  onEveryRequest('method-guard', refuseUnservedMethod);
}
