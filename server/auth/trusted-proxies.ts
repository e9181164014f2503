// Parsing of the client-address settings (no imports from env.ts: env.ts validates with these).
import { isIP } from 'node:net';

/** An address as it is compared and stored: IPv4-mapped IPv6 as plain IPv4, lower case. */
export function normalizeAddress(raw: string): string | null {
  let a = raw.trim();
  if (a.startsWith('[') && a.includes(']')) a = a.slice(1, a.indexOf(']'));
  const lower = a.toLowerCase();
  if (lower.startsWith('::ffff:') && isIP(lower.slice(7)) === 4) return lower.slice(7);
  return isIP(lower) ? lower : null;
}

export type TrustedProxies = { hops: number } | { cidrs: string[] } | null;

const SHORTHANDS: Record<string, string[]> = {
  loopback: ['127.0.0.0/8', '::1/128'],
  private: ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', 'fc00::/7', '100.64.0.0/10'],
};

/**
 * Parses `TRUSTED_PROXIES`: empty (none), a hop count 1–10, or a comma list of addresses, CIDRs
 * and the shorthands `loopback` and `private`. Throws with the bad entry.
 */
export function parseTrustedProxies(raw: string | undefined): TrustedProxies {
  const v = raw?.trim() ?? '';
  if (!v) return null;
  if (/^\d+$/.test(v)) {
    const hops = Number(v);
    if (hops < 1 || hops > 10) throw new Error('a hop count must be 1 to 10');
    return { hops };
  }
  const cidrs: string[] = [];
  for (const part of v.split(',').map((s) => s.trim().toLowerCase())) {
    if (!part) continue;
    if (SHORTHANDS[part]) {
      cidrs.push(...SHORTHANDS[part]);
      continue;
    }
    const [addr, prefix] = part.split('/');
    const family = isIP(addr ?? '');
    const max = family === 4 ? 32 : 128;
    const bits = prefix === undefined ? max : Number(prefix);
    if (!family || !/^\d*$/.test(prefix ?? '') || !(bits >= 0 && bits <= max)) {
      throw new Error(`"${part}" is not an address, a CIDR, "loopback" or "private"`);
    }
    cidrs.push(`${addr}/${bits}`);
  }
  if (!cidrs.length) return null;
  return { cidrs };
}
