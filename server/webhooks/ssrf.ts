// Where a webhook may be sent. Checked twice: when a URL is registered or given with a job
// (scheme, credentials, length, literal addresses — a clear error before anything is stored)
// and at every attempt, after resolving the name, on EVERY address it resolves to. The request
// then connects to exactly those checked addresses (pinnedLookup), so a DNS answer that changes
// between check and connect (rebinding) cannot send it elsewhere.
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { isIP, type LookupFunction } from 'node:net';
import { env } from '../env';
import { AppError } from '../errors';
import { classifyAddress, isAllowedAddress } from './addresses';
import { MAX_WEBHOOK_URL_LENGTH } from './schemas';

export interface WebhookPolicy {
  /** Test-only: loopback addresses and plain http (a local receiver). */
  allowLoopback: boolean;
  timeoutMs: number;
  /** Response bytes read before the connection is cut. */
  maxResponseBytes: number;
}

export const MAX_RESPONSE_BYTES = 64 * 1024;

function servedOnLoopback(appUrl: string): boolean {
  const host = new URL(appUrl).hostname;
  // Numeric only: APP_URL's default (http://localhost:3000) never qualifies.
  return host === '127.0.0.1' || host === '[::1]';
}

export function webhookPolicy(): WebhookPolicy {
  const e = env();
  return {
    // Never for a deployment others can reach: a production build honours it only while the app
    // itself is served on a loopback address (the end-to-end tests' `next start`).
    allowLoopback:
      e.WEBHOOK_ALLOW_LOOPBACK && (e.NODE_ENV !== 'production' || servedOnLoopback(e.APP_URL)),
    timeoutMs: e.WEBHOOK_TIMEOUT_MS,
    maxResponseBytes: MAX_RESPONSE_BYTES,
  };
}

/** A target this app will not send to; retrying cannot help. */
export class TargetRefusedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TargetRefusedError';
  }
}

function isLocalhostName(host: string): boolean {
  const h = host.toLowerCase().replace(/\.$/, '');
  return h === 'localhost' || h.endsWith('.localhost');
}

/** Why this URL may not be a webhook target (before any DNS), or null when it may. */
export function webhookUrlProblem(raw: string, policy: WebhookPolicy): string | null {
  if (raw.length > MAX_WEBHOOK_URL_LENGTH)
    return `must be at most ${MAX_WEBHOOK_URL_LENGTH} characters`;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return 'must be an absolute URL';
  }
  const httpAllowed = policy.allowLoopback;
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && httpAllowed)) {
    return 'must use https';
  }
  if (url.username || url.password) return 'must not contain a user name or password';
  // The URL parser has already turned 2130706433, 0x7f.1 and friends into dotted quads.
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (!host) return 'must name a host';
  const cls = classifyAddress(host);
  if (cls && !isAllowedAddress(host, policy)) return `must not point to a ${cls} address`;
  if (isLocalhostName(host) && !policy.allowLoopback) return 'must not point to localhost';
  return null;
}

/** Throws VALIDATION_FAILED naming `field` when the URL may not be a webhook target. */
export function assertWebhookUrlAllowed(
  url: string,
  field = 'url',
  policy: WebhookPolicy = webhookPolicy(),
): void {
  const problem = webhookUrlProblem(url, policy);
  if (problem) {
    throw new AppError('VALIDATION_FAILED', `${field}: ${problem}`, {
      issues: [{ path: field, message: problem }],
    });
  }
}

export type Resolver = (host: string) => Promise<LookupAddress[]>;

const systemResolver: Resolver = (host) =>
  new Promise((resolve, reject) =>
    dnsLookup(host, { all: true, verbatim: true }, (err, addresses) =>
      err ? reject(err) : resolve(addresses),
    ),
  );

export interface CheckedTarget {
  url: URL;
  addresses: LookupAddress[];
}

/**
 * Resolves the URL's host and checks every address. Throws TargetRefusedError for a refused
 * target; DNS failures are thrown as they are (they may pass).
 */
export async function resolveWebhookTarget(
  raw: string,
  policy: WebhookPolicy,
  resolver: Resolver = systemResolver,
): Promise<CheckedTarget> {
  const problem = webhookUrlProblem(raw, policy);
  if (problem) throw new TargetRefusedError(`refused: the URL ${problem}`);
  const url = new URL(raw);
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const family = isIP(host);
  const addresses = family ? [{ address: host, family }] : await resolver(host);
  if (!addresses.length) throw new Error(`${host} has no addresses`);
  for (const a of addresses) {
    if (!isAllowedAddress(a.address, policy)) {
      throw new TargetRefusedError(
        `refused: ${host} resolves to ${a.address} (${classifyAddress(a.address) ?? 'invalid'})`,
      );
    }
  }
  return { url, addresses };
}

/** A `lookup` for node:http(s) that answers only with the addresses already checked. */
export function pinnedLookup(addresses: LookupAddress[]): LookupFunction {
  return (_host, options, callback) => {
    if (options.all) return callback(null, addresses);
    const pick = addresses.find((a) => !options.family || a.family === options.family);
    if (!pick) return callback(new Error('no checked address of the requested family'), '');
    return callback(null, pick.address, pick.family);
  };
}
