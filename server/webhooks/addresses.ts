// Which IP addresses a webhook may connect to. Everything that is not plainly a public unicast
// address is refused: a webhook URL is chosen by a user, and without this it reaches the app's
// own network (databases, the cloud metadata service at 169.254.169.254, admin ports).
// IPv6 forms that embed an IPv4 address (mapped, NAT64, 6to4) are judged by that address.
import { isIPv4, isIPv6 } from 'node:net';

export type AddressClass =
  'public' | 'loopback' | 'private' | 'link-local' | 'unspecified' | 'multicast' | 'reserved';

type Range = readonly [network: bigint, prefix: number, cls: AddressClass];

const V4_RANGES: readonly (readonly [string, number, AddressClass])[] = [
  ['0.0.0.0', 8, 'unspecified'], // "this network"; 0.0.0.0 reaches the local host on Linux
  ['10.0.0.0', 8, 'private'],
  ['100.64.0.0', 10, 'private'], // carrier-grade NAT
  ['127.0.0.0', 8, 'loopback'],
  ['169.254.0.0', 16, 'link-local'], // includes cloud metadata 169.254.169.254
  ['172.16.0.0', 12, 'private'],
  ['192.0.0.0', 24, 'reserved'], // IETF protocol assignments
  ['192.0.2.0', 24, 'reserved'], // documentation
  ['192.88.99.0', 24, 'reserved'], // 6to4 relay anycast
  ['192.168.0.0', 16, 'private'],
  ['198.18.0.0', 15, 'reserved'], // benchmarking
  ['198.51.100.0', 24, 'reserved'], // documentation
  ['203.0.113.0', 24, 'reserved'], // documentation
  ['224.0.0.0', 4, 'multicast'],
  ['240.0.0.0', 4, 'reserved'], // includes 255.255.255.255
];

const V6_RANGES: readonly (readonly [string, number, AddressClass])[] = [
  ['::', 128, 'unspecified'],
  ['::1', 128, 'loopback'],
  ['::', 8, 'reserved'], // IPv4-compatible, SIIT and other reserved forms
  ['64:ff9b:1::', 48, 'reserved'], // local-use NAT64: maps to anything
  ['100::', 64, 'reserved'], // discard-only
  ['2001::', 23, 'reserved'], // IETF protocol assignments, Teredo
  ['2001:db8::', 32, 'reserved'], // documentation
  ['3fff::', 20, 'reserved'], // documentation
  ['fc00::', 7, 'private'], // unique local (includes AWS fd00:ec2::254)
  ['fe80::', 10, 'link-local'],
  ['fec0::', 10, 'reserved'], // site-local, deprecated
  ['ff00::', 8, 'multicast'],
];

function v4ToBigInt(ip: string): bigint {
  return ip.split('.').reduce((acc, part) => (acc << 8n) | BigInt(Number(part)), 0n);
}

/** The 128-bit value of a valid IPv6 address (zone index dropped, dotted tail allowed). */
function v6ToBigInt(ip: string): bigint {
  let s = ip.split('%')[0]!.toLowerCase();
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(s);
  if (dotted) {
    const v = Number(v4ToBigInt(dotted[1]!));
    s = s.slice(0, -dotted[1]!.length) + `${(v >>> 16).toString(16)}:${(v & 0xffff).toString(16)}`;
  }
  const [head, tail] = s.includes('::') ? s.split('::') : [s, undefined];
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const groups =
    tail === undefined
      ? left
      : [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right];
  return groups.reduce((acc, g) => (acc << 16n) | BigInt(parseInt(g, 16)), 0n);
}

function compile(
  ranges: readonly (readonly [string, number, AddressClass])[],
  bits: number,
): Range[] {
  return ranges.map(([net, prefix, cls]) => [
    bits === 32 ? v4ToBigInt(net) : v6ToBigInt(net),
    prefix,
    cls,
  ]);
}

const V4 = compile(V4_RANGES, 32);
const V6 = compile(V6_RANGES, 128);

function inRange(value: bigint, bits: number, [net, prefix]: Range): boolean {
  const shift = BigInt(bits - prefix);
  return value >> shift === net >> shift;
}

function classifyV4(value: bigint): AddressClass {
  return V4.find((r) => inRange(value, 32, r))?.[2] ?? 'public';
}

const MAPPED = v6ToBigInt('::ffff:0:0') >> 32n; // ::ffff:0:0/96
const NAT64 = v6ToBigInt('64:ff9b::') >> 32n; // 64:ff9b::/96, the well-known prefix
const SIX_TO_FOUR = 0x2002n; // 2002::/16, IPv4 in bits 16..47

function classifyV6(value: bigint): AddressClass {
  if (value >> 32n === MAPPED || value >> 32n === NAT64) return classifyV4(value & 0xffffffffn);
  if (value >> 112n === SIX_TO_FOUR) return classifyV4((value >> 80n) & 0xffffffffn);
  // Longest prefix first, so ::1 is loopback rather than "reserved ::/8".
  const hits = V6.filter((r) => inRange(value, 128, r)).sort((a, b) => b[1] - a[1]);
  return hits[0]?.[2] ?? 'public';
}

/** The class of a literal IPv4 or IPv6 address; null when `ip` is not one. */
export function classifyAddress(ip: string): AddressClass | null {
  const bare = ip.startsWith('[') && ip.endsWith(']') ? ip.slice(1, -1) : ip;
  if (isIPv4(bare)) return classifyV4(v4ToBigInt(bare));
  if (isIPv6(bare)) return classifyV6(v6ToBigInt(bare));
  return null;
}

/** Whether a webhook may connect to this address; loopback only when tests allow it. */
export function isAllowedAddress(ip: string, opts: { allowLoopback: boolean }): boolean {
  const cls = classifyAddress(ip);
  return cls === 'public' || (cls === 'loopback' && opts.allowLoopback);
}
