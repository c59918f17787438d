/**
 * Which addresses a webhook may connect to when MLFLOW_WEBHOOK_ALLOW_PRIVATE_IPS is off: only
 * global ones, as MLflow's utils/validation.py: _is_public_ip (Python's `ipaddress.is_global`
 * after unwrapping IPv4-mapped, 6to4 and NAT64 addresses, so a wrapped private address cannot pass
 * as global). Loopback, private (10/8, 172.16/12, 192.168/16, fc00::/7), link-local (169.254/16,
 * fe80::/10, the cloud metadata address 169.254.169.254), shared (100.64/10), unspecified,
 * documentation, benchmarking, reserved and multicast addresses are refused.
 */
import net from 'node:net';

type Range = readonly [bigint, number];

function v4(text: string): bigint {
  return text.split('.').reduce((acc, part) => (acc << 8n) | BigInt(Number(part)), 0n);
}

/** An IPv6 address as a 128-bit number (`::`, embedded dotted quads and zone ids handled). */
function v6(text: string): bigint {
  let s = text.split('%')[0] as string;
  const quad = /(\d+\.\d+\.\d+\.\d+)$/.exec(s);
  if (quad) {
    const n = v4(quad[1] as string);
    s = s.slice(0, -(quad[1] as string).length) + `${(n >> 16n).toString(16)}:${(n & 0xffffn).toString(16)}`;
  }
  const [head, tail] = s.includes('::') ? (s.split('::') as [string, string]) : [s, undefined];
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  const groups = tail === undefined ? h : [...h, ...Array(8 - h.length - t.length).fill('0'), ...t];
  return groups.reduce((acc, g) => (acc << 16n) | BigInt(parseInt(g || '0', 16)), 0n);
}

function range4(cidr: string): Range {
  const [a, bits] = cidr.split('/') as [string, string];
  return [v4(a), Number(bits)];
}
function range6(cidr: string): Range {
  const [a, bits] = cidr.split('/') as [string, string];
  return [v6(a), Number(bits)];
}

function inRange(value: bigint, [base, bits]: Range, width: number): boolean {
  const shift = BigInt(width - bits);
  return value >> shift === base >> shift;
}

/** Python's IPv4 `is_private` networks, 100.64/10 (not global), and multicast/broadcast. */
const NOT_GLOBAL_V4 = [
  '0.0.0.0/8',
  '10.0.0.0/8',
  '100.64.0.0/10',
  '127.0.0.0/8',
  '169.254.0.0/16',
  '172.16.0.0/12',
  '192.0.0.0/24',
  '192.0.2.0/24',
  '192.88.99.0/24',
  '192.168.0.0/16',
  '198.18.0.0/15',
  '198.51.100.0/24',
  '203.0.113.0/24',
  '224.0.0.0/4',
  '240.0.0.0/4',
].map(range4);

/** Python's IPv6 `is_private` networks and multicast, besides the ones carrying an IPv4 address. */
const NOT_GLOBAL_V6 = [
  '::/128',
  '::1/128',
  '100::/64',
  '2001::/23',
  '2001:db8::/32',
  '2001:10::/28',
  'fc00::/7',
  'fe80::/10',
  'fec0::/10',
  'ff00::/8',
].map(range6);

const MAPPED = range6('::ffff:0:0/96');
const NAT64 = range6('64:ff9b::/96');
const SIX_TO_FOUR = range6('2002::/16');

function v4IsPublic(n: bigint): boolean {
  return !NOT_GLOBAL_V4.some((r) => inRange(n, r, 32));
}

/** Whether `address` (an IP literal) is a global address a webhook may reach. Not an IP → false. */
export function isPublicAddress(address: string): boolean {
  const kind = net.isIP(address.split('%')[0] as string);
  if (kind === 4) return v4IsPublic(v4(address));
  if (kind !== 6) return false;
  const n = v6(address);
  // MLflow's _embedded_ipv4: IPv4-mapped, 6to4 and NAT64 carry an IPv4 address, which decides.
  if (inRange(n, MAPPED, 128) || inRange(n, NAT64, 128)) return v4IsPublic(n & 0xffffffffn);
  if (inRange(n, SIX_TO_FOUR, 128)) return v4IsPublic((n >> 80n) & 0xffffffffn);
  return !NOT_GLOBAL_V6.some((r) => inRange(n, r, 128));
}
