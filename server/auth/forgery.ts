// Request-forgery defence for browser callers. A session cookie goes with every request the
// browser makes to this site, whichever page started it; SameSite=Lax stops other *sites* but not
// a sibling subdomain, and a plain HTML form can post text/plain, urlencoded or multipart bodies
// anywhere. Bearer-key callers need none of this: no page can make a browser attach their key.
//
// The rules (assertNotForged), for a request authenticated by the session cookie:
//   1. GET, HEAD and OPTIONS pass, unless the route declares that its GET changes state
//      (`stateChanging`: the control-map preview computes and stores a file).
//   2. Origin: the request passes when `Sec-Fetch-Site: same-origin`, or when its `Origin` (else
//      the origin of its `Referer`) is APP_URL's origin or one of TRUSTED_ORIGINS. A
//      state-changing GET also passes with `Sec-Fetch-Site: none` (the user opened the URL
//      themselves). Anything else, a missing Origin included, is 403 FORBIDDEN. Browsers send
//      Origin on every POST/PUT/PATCH/DELETE, so only a forged or non-browser request lacks it.
//   3. Content type (after rule 2): a request that carries a body must declare the content type
//      its route reads — `application/json` (or `application/*+json`) for JSON routes and tRPC,
//      `multipart/form-data` for the upload routes — else 415 UNSUPPORTED_MEDIA_TYPE. A request
//      without a body (cancel, replay, DELETE: `Content-Length: 0`, or no length and no stream)
//      needs no Content-Type. JSON needs a CORS preflight cross-origin, which this app never
//      grants, so rule 3 also stops what rule 2 would miss through a misconfigured trusted origin.
//
// resolveCaller (server/auth/caller.ts) applies it in its cookie branch: tRPC's context, every
// REST route (restRoute) and the upload routes pass through there. The better-auth routes apply
// assertAuthRouteNotForged, which holds sign-in and sign-up (no session yet: login CSRF) to rule 2 as
// soon as a browser identifies itself, and refuses any body but JSON.
import { AppError } from '../errors';
import { env } from '../env';

export type BodyKind = 'json' | 'multipart';

export interface ForgeryRules {
  /** The content type the route reads its body as (default json). */
  body?: BodyKind;
  /** The route changes state on GET (rule 1): hold it to the origin rule too. */
  stateChanging?: boolean;
}

type RequestLike = Pick<Request, 'method' | 'headers'> & { body?: unknown };

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

const FORGED =
  'Refused: a request signed in by cookie must come from this site’s own pages (its Origin is ' +
  'not this site or a TRUSTED_ORIGINS entry). Scripts and servers should use an API key ' +
  '(Authorization: Bearer as_live_…).';
const FORGED_AUTH =
  'Refused: signing in, signing up and account changes must come from this site’s own pages ' +
  '(the request’s Origin is not this site or a TRUSTED_ORIGINS entry).';

const TYPES: Record<BodyKind, { test: RegExp; name: string }> = {
  json: { test: /^application\/(?:[\w.+-]+\+)?json\s*(?:;|$)/i, name: 'application/json' },
  multipart: { test: /^multipart\/form-data\s*(?:;|$)/i, name: 'multipart/form-data' },
};

/** APP_URL's origin and every TRUSTED_ORIGINS entry (already normalised by server/env.ts). */
export function allowedOrigins(): ReadonlySet<string> {
  const e = env();
  return new Set([new URL(e.APP_URL).origin, ...e.TRUSTED_ORIGINS]);
}

function originOf(value: string | null): string | null {
  if (!value || value === 'null') return null;
  try {
    const origin = new URL(value).origin;
    return origin === 'null' ? null : origin;
  } catch {
    return null;
  }
}

/** Rule 2: where the request came from is this site or one it trusts. */
function fromTrustedPage(headers: Headers, allowUserTyped: boolean): boolean {
  const site = headers.get('sec-fetch-site');
  if (site === 'same-origin' || (allowUserTyped && site === 'none')) return true;
  const origin = headers.has('origin')
    ? originOf(headers.get('origin'))
    : originOf(headers.get('referer'));
  return origin !== null && allowedOrigins().has(origin);
}

/**
 * Whether the request carries a body: a positive Content-Length, any Transfer-Encoding, or
 * (no length given) a body stream, as a Request built in-process has.
 */
export function hasBody(req: RequestLike): boolean {
  const length = req.headers.get('content-length');
  if (length !== null && length.trim() !== '') return Number(length) !== 0;
  if (req.headers.has('transfer-encoding')) return true;
  return req.body !== null && req.body !== undefined;
}

/** Rule 3 alone: a body comes with the content type the route reads. */
export function assertDeclaredContentType(req: RequestLike, kind: BodyKind): void {
  if (!hasBody(req)) return;
  const type = req.headers.get('content-type') ?? '';
  if (!TYPES[kind].test.test(type.trim())) {
    throw new AppError(
      'UNSUPPORTED_MEDIA_TYPE',
      type
        ? `Send the body as ${TYPES[kind].name}, not ${type.split(';')[0]!.trim()}.`
        : `Send the body with Content-Type: ${TYPES[kind].name}.`,
    );
  }
}

/** Rules 1–3 for a request authenticated by the session cookie; throws AppError 403 or 415. */
export function assertNotForged(req: RequestLike, rules: ForgeryRules = {}): void {
  const safe = SAFE_METHODS.has(req.method.toUpperCase());
  if (safe && !rules.stateChanging) return;
  if (!fromTrustedPage(req.headers, safe)) throw new AppError('FORBIDDEN', FORGED);
  if (!safe) assertDeclaredContentType(req, rules.body ?? 'json');
}

/**
 * The better-auth routes (app/api/auth/[...all]): refuses a forged state-changing request (403,
 * 415). Sign-in and sign-up carry no session yet, so rule 2 holds whenever the request has a
 * cookie or says where it comes from (Origin, Referer or Sec-Fetch-Site: every browser sends at
 * least Origin with a POST); a client that sends none of these and no cookie is not a browser and
 * cannot be forged. Bodies must be JSON (what better-auth's client sends): its urlencoded,
 * multipart and text/plain parsers would otherwise take a cross-site form post (login CSRF).
 */
export function assertAuthRouteNotForged(req: RequestLike): void {
  if (SAFE_METHODS.has(req.method.toUpperCase())) return;
  const h = req.headers;
  const browser = h.has('cookie') || h.has('origin') || h.has('referer') || h.has('sec-fetch-site');
  if (browser && !fromTrustedPage(h, false)) throw new AppError('FORBIDDEN', FORGED_AUTH);
  assertDeclaredContentType(req, 'json');
}
