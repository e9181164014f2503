// One HTTP attempt of one webhook: resolve and check the target (ssrf.ts), POST the signed body
// to the checked address, and report what happened. It never throws: every outcome, refused,
// timed out or answered, is data the caller records on the delivery row.
import http, { type IncomingMessage } from 'node:http';
import https from 'node:https';
import {
  pinnedLookup,
  resolveWebhookTarget,
  TargetRefusedError,
  type CheckedTarget,
  type Resolver,
  type WebhookPolicy,
} from './ssrf';
import { signedHeaders } from './secrets';

export interface WebhookMessage {
  url: string;
  /** The webhook-id header: the delivery's id, the same on every retry and replay. */
  messageId: string;
  secret: string;
  body: string;
}

export interface AttemptOutcome {
  ok: boolean;
  /** False when trying again cannot help (a refused target). */
  retryable: boolean;
  statusCode: number | null;
  error: string | null;
  durationMs: number;
  bytesRead: number;
  /** The response was longer than the policy allows and was cut off. */
  truncated: boolean;
}

const USER_AGENT = 'AdapterStudio-Webhooks/1';
/** Of a failing response, this much text is kept for the delivery log. */
const ERROR_SNIPPET_BYTES = 300;

export async function sendWebhook(
  msg: WebhookMessage,
  policy: WebhookPolicy,
  resolver?: Resolver,
): Promise<AttemptOutcome> {
  const started = Date.now();
  const fail = (error: string, retryable: boolean): AttemptOutcome => ({
    ok: false,
    retryable,
    statusCode: null,
    error,
    durationMs: Date.now() - started,
    bytesRead: 0,
    truncated: false,
  });
  // One deadline for the whole attempt: name resolution, connect, request, response, body.
  const deadline = AbortSignal.timeout(policy.timeoutMs);
  let target: CheckedTarget;
  try {
    target = await Promise.race([
      resolveWebhookTarget(msg.url, policy, resolver),
      rejectOnAbort(deadline),
    ]);
  } catch (e) {
    if (e instanceof TargetRefusedError) return fail(e.message, false);
    if (deadline.aborted) return fail(`timed out after ${policy.timeoutMs} ms (DNS)`, true);
    return fail(`DNS: ${(e as Error).message}`, true);
  }
  const headers = {
    'content-type': 'application/json',
    'user-agent': USER_AGENT,
    ...signedHeaders(msg.secret, msg.messageId, msg.body),
  };
  return post(target, headers, msg.body, policy, deadline, started);
}

function rejectOnAbort(signal: AbortSignal): Promise<never> {
  return new Promise((_, reject) =>
    signal.addEventListener('abort', () => reject(signal.reason as Error), { once: true }),
  );
}

function post(
  target: CheckedTarget,
  headers: Record<string, string>,
  body: string,
  policy: WebhookPolicy,
  deadline: AbortSignal,
  started: number,
): Promise<AttemptOutcome> {
  return new Promise((resolve) => {
    let settled = false;
    let bytesRead = 0;
    let truncated = false;
    let statusCode: number | null = null;
    const snippet: Buffer[] = [];
    let snippetBytes = 0;
    const finish = (error: string | null) => {
      if (settled) return;
      settled = true;
      const text = Buffer.concat(snippet).toString('utf8').slice(0, ERROR_SNIPPET_BYTES);
      const ok = error === null && statusCode !== null && statusCode >= 200 && statusCode < 300;
      resolve({
        ok,
        retryable: !ok,
        statusCode,
        error: ok ? null : (error ?? describeStatus(statusCode, text)),
        durationMs: Date.now() - started,
        bytesRead,
        truncated,
      });
    };
    const client = target.url.protocol === 'https:' ? https : http;
    const req = client.request(
      target.url,
      {
        method: 'POST',
        headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) },
        lookup: pinnedLookup(target.addresses),
        agent: false, // no pooled socket to a previously checked address
        signal: deadline,
      },
      (res: IncomingMessage) => {
        statusCode = res.statusCode ?? null;
        res.on('data', (chunk: Buffer) => {
          bytesRead += chunk.length;
          if (snippetBytes < ERROR_SNIPPET_BYTES) {
            snippet.push(chunk);
            snippetBytes += chunk.length;
          }
          if (bytesRead > policy.maxResponseBytes) {
            // Enough: the status is what counts; a receiver cannot make us read forever.
            truncated = true;
            finish(null);
            res.destroy();
          }
        });
        res.on('end', () => finish(null));
        res.on('error', (e) => finish(describeError(e, deadline, policy)));
        res.on('close', () => finish(describeError(new Error('closed early'), deadline, policy)));
      },
    );
    req.on('error', (e) => finish(describeError(e, deadline, policy)));
    req.end(body);
  });
}

function describeStatus(status: number | null, text: string): string {
  if (status !== null && status >= 300 && status < 400)
    return `HTTP ${status}: redirect not followed`;
  const detail = text.replace(/\s+/g, ' ').trim();
  return `HTTP ${status}${detail ? `: ${detail}` : ''}`;
}

function describeError(e: Error, deadline: AbortSignal, policy: WebhookPolicy): string {
  if (deadline.aborted) {
    return `timed out after ${policy.timeoutMs} ms`;
  }
  const code = (e as NodeJS.ErrnoException).code;
  return code ? `${code}: ${e.message}` : e.message;
}
