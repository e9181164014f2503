// The caller's network address, decided in one place from configuration. Every per-address limit
// (better-auth's sign-in and sign-up limits, the app's own) and every log line that names an
// address use `clientAddress`. A header the client can set is believed only as far as the
// operator said it may be:
//
// - `CLIENT_IP_HEADER` (e.g. `x-real-ip`, `cf-connecting-ip`, a serverless platform's own): the
//   platform in front sets it and overwrites whatever the client sent, so it is taken as is.
// - `TRUSTED_PROXIES`: `X-Forwarded-For` read from the right. Either a hop count N (the N
//   proxies nearest the app each appended their peer: the client is the N-th address from the
//   right of the chain that ends with the app's own peer) or a list of CIDRs (`loopback`,
//   `private` as shorthands): walking from the right, trusted proxies are skipped and the first
//   other address is the client.
// - Neither: only the socket's peer address counts, never a header.
//
// Route handlers in Next.js do not see the socket. `installPeerStamp` (run once at server start
// by instrumentation.ts) copies each request's socket address into a header whose name is random
// per process, so no client can send it; where it is absent (a serverless platform, a test
// calling a handler in process) the peer is unknown, and the address is null unless a header is
// trusted.
import { randomBytes } from 'node:crypto';
import { BlockList, isIP } from 'node:net';
import { env, type Env } from '../env';
import { onEveryRequest } from '../server-hooks';
import { normalizeAddress } from './trusted-proxies';

const g = globalThis as unknown as { __asPeerHeader?: string };

/** The per-process header name that carries the socket's peer address into route handlers. */
export function peerHeaderName(): string {
  g.__asPeerHeader ??= `x-as-peer-${randomBytes(12).toString('hex')}`;
  return g.__asPeerHeader;
}

/**
 * Stamps every incoming HTTP(S) request of this process with its socket's peer address, under
 * `peerHeaderName()`, before Next.js reads the headers. Idempotent.
 */
export function installPeerStamp(): void {
  const name = peerHeaderName();
  onEveryRequest('peer-stamp', (req) => {
    const peer = req.socket?.remoteAddress;
    if (peer) req.headers[name] = peer;
    return false;
  });
}

function blockListOf(cidrs: string[]): BlockList {
  const list = new BlockList();
  for (const c of cidrs) {
    const [addr, bits] = c.split('/') as [string, string];
    list.addSubnet(addr, Number(bits), isIP(addr) === 4 ? 'ipv4' : 'ipv6');
  }
  return list;
}

const blockLists = new Map<string, BlockList>();

function isTrusted(address: string, cidrs: string[]): boolean {
  const key = cidrs.join(',');
  let list = blockLists.get(key);
  if (!list) blockLists.set(key, (list = blockListOf(cidrs)));
  return list.check(address, isIP(address) === 4 ? 'ipv4' : 'ipv6');
}

/**
 * The client's address for a request, or null where it cannot be known without believing a
 * header the client controls. See the top of this file for the rules.
 */
export function clientAddress(headers: Headers, e: Env = env()): string | null {
  if (e.CLIENT_IP_HEADER) {
    const value = headers.get(e.CLIENT_IP_HEADER);
    return value ? normalizeAddress(value.split(',')[0] ?? '') : null;
  }
  const peerRaw = headers.get(peerHeaderName());
  const peer = peerRaw ? normalizeAddress(peerRaw) : null;
  const trusted = e.TRUSTED_PROXIES;
  if (!trusted) return peer;
  // The chain as the nearest proxy left it: X-Forwarded-For's entries, then the app's own peer.
  const chain: string[] = [];
  for (const item of (headers.get('x-forwarded-for') ?? '').split(',')) {
    if (!item.trim()) continue;
    const a = normalizeAddress(item);
    // A malformed entry: nothing to its left can be trusted; the client is what lies right of it.
    if (!a) chain.length = 0;
    else chain.push(a);
  }
  if (peer) chain.push(peer);
  if (!chain.length) return null;
  if ('hops' in trusted) {
    // With the peer known the nearest proxy is the last entry; without it, the nearest proxy's
    // own address is missing from the chain, so one hop fewer is counted.
    const index = chain.length - 1 - trusted.hops + (peer ? 0 : 1);
    return chain[Math.max(0, index)] ?? null;
  }
  for (let i = chain.length - 1; i >= 0; i--) {
    if (!isTrusted(chain[i]!, trusted.cidrs)) return chain[i]!;
  }
  return chain[0] ?? null;
}

/** For log lines: the address or "unknown". */
export function addressForLog(headers: Headers): string {
  return clientAddress(headers) ?? 'unknown';
}
