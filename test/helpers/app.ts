// Calls the app's real route handlers (the functions Next.js serves) with real Requests.
import { POST as authPost, GET as authGet } from '@/app/api/auth/[...all]/route';
import { GET as trpcGet, POST as trpcPost } from '@/app/api/trpc/[trpc]/route';
import superjson, { type SuperJSONResult } from 'superjson';

/** The app's origin in tests (APP_URL): a cookie caller's state-changing request must come from it. */
export const ORIGIN = 'http://localhost:3000';

/** Headers of a request from the app's own page: the session cookie and the page's Origin. */
export function sessionHeaders(
  cookie: string,
  extra: Record<string, string> = {},
): Record<string, string> {
  return { cookie, origin: ORIGIN, ...extra };
}

export async function authRequest(
  path: string,
  body: unknown,
  { ip = '203.0.113.7', cookie }: { ip?: string; cookie?: string } = {},
): Promise<Response> {
  const headers = new Headers({
    'content-type': 'application/json',
    origin: ORIGIN,
    'x-forwarded-for': ip,
  });
  if (cookie) headers.set('cookie', cookie);
  const req = new Request(`${ORIGIN}/api/auth${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return body === undefined ? authGet(req) : authPost(req);
}

/** The `name=value` pairs of a response's Set-Cookie headers, as a Cookie header. */
export function cookieFrom(res: Response): string {
  return res.headers
    .getSetCookie()
    .map((c) => c.split(';')[0])
    .join('; ');
}

let ipCounter = 0;
/** A distinct client address per call, so rate limits of one test do not leak into another. */
export function freshIp(): string {
  ipCounter += 1;
  return `198.51.100.${ipCounter}`;
}

export async function signUp(
  email: string,
  password = 'correct horse battery',
  name = 'Test User',
): Promise<{ res: Response; cookie: string }> {
  const res = await authRequest('/sign-up/email', { email, password, name }, { ip: freshIp() });
  return { res, cookie: cookieFrom(res) };
}

/** Calls a tRPC query over the HTTP handler; returns the status and the decoded body. */
export async function trpcQuery(
  procedure: string,
  { cookie, input }: { cookie?: string; input?: unknown } = {},
): Promise<{
  status: number;
  data?: unknown;
  error?: { message: string; data: Record<string, unknown> };
}> {
  const url = new URL(`${ORIGIN}/api/trpc/${procedure}`);
  if (input !== undefined)
    url.searchParams.set('input', JSON.stringify(superjson.serialize(input)));
  const headers = new Headers();
  if (cookie) headers.set('cookie', cookie);
  const res = await trpcGet(new Request(url, { headers }));
  const body = (await res.json()) as {
    result?: { data: SuperJSONResult };
    error?: { json: { message: string; data: Record<string, unknown> } };
  };
  if (body.error) return { status: res.status, error: body.error.json };
  return {
    status: res.status,
    data: body.result ? superjson.deserialize(body.result.data) : undefined,
  };
}

/** Calls a tRPC mutation over the HTTP handler as the app's pages do (JSON, same Origin). */
export async function trpcMutation(
  procedure: string,
  { cookie, input }: { cookie?: string; input?: unknown } = {},
): Promise<{
  status: number;
  data?: unknown;
  error?: { message: string; data: Record<string, unknown> };
}> {
  const headers = new Headers({ 'content-type': 'application/json', origin: ORIGIN });
  if (cookie) headers.set('cookie', cookie);
  const res = await trpcPost(
    new Request(`${ORIGIN}/api/trpc/${procedure}`, {
      method: 'POST',
      headers,
      body: JSON.stringify(superjson.serialize(input)),
    }),
  );
  const body = (await res.json()) as {
    result?: { data: SuperJSONResult };
    error?: { json: { message: string; data: Record<string, unknown> } };
  };
  if (body.error) return { status: res.status, error: body.error.json };
  return {
    status: res.status,
    data: body.result ? superjson.deserialize(body.result.data) : undefined,
  };
}

export { trpcPost };
