// IP addresses and CIDR blocks for `ipBlock` peers, IPv4 and IPv6, held as bigints so that
// containment is one mask-and-compare and both families share the code.
import ipaddr from 'ipaddr.js';

export interface IpAddress {
  family: 4 | 6;
  value: bigint;
  text: string;
}

export interface Cidr {
  family: 4 | 6;
  /** Network address (host bits cleared). */
  network: bigint;
  prefix: number;
  /** Precomputed prefix mask: containment is then one AND and one compare. */
  mask: bigint;
  text: string;
}

// Kubernetes parses IPv4 "sloppily": leading zeros are decimal, never octal. ipaddr.js would
// read 010 as octal, so IPv4 is parsed here by hand.
const IPV4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

export function parseIp(text: string): IpAddress | null {
  if (typeof text !== 'string') return null;
  const m = IPV4.exec(text);
  if (m) {
    let v = 0n;
    for (let i = 1; i <= 4; i++) {
      const n = Number(m[i]);
      if (n > 255) return null;
      v = (v << 8n) | BigInt(n);
    }
    return { family: 4, value: v, text };
  }
  if (!text.includes(':') || text.includes('%')) return null;
  if (!ipaddr.IPv6.isValid(text)) return null;
  const bytes = ipaddr.IPv6.parse(text).toByteArray();
  // An IPv4-mapped address is the IPv4 host itself (Go's net.ParseIP agrees).
  if (bytes.slice(0, 10).every((b) => b === 0) && bytes[10] === 255 && bytes[11] === 255) {
    const v4 = (BigInt(bytes[12]!) << 24n) | (BigInt(bytes[13]!) << 16n) | (BigInt(bytes[14]!) << 8n) | BigInt(bytes[15]!);
    return { family: 4, value: v4, text };
  }
  let v = 0n;
  for (const b of bytes) v = (v << 8n) | BigInt(b);
  return { family: 6, value: v, text };
}

function bits(family: 4 | 6): number {
  return family === 4 ? 32 : 128;
}

function maskOf(family: 4 | 6, prefix: number): bigint {
  const total = BigInt(bits(family));
  const p = BigInt(prefix);
  return ((1n << total) - 1n) ^ ((1n << (total - p)) - 1n);
}

export function parseCidr(text: string): Cidr | null {
  if (typeof text !== 'string') return null;
  const slash = text.indexOf('/');
  if (slash < 0 || slash !== text.lastIndexOf('/')) return null;
  const prefixText = text.slice(slash + 1);
  if (!/^\d{1,3}$/.test(prefixText)) return null;
  const addrText = text.slice(0, slash);
  const m = IPV4.exec(addrText);
  let family: 4 | 6;
  let value: bigint;
  if (m) {
    const ip = parseIp(addrText);
    if (!ip) return null;
    family = 4;
    value = ip.value;
  } else {
    if (!addrText.includes(':') || addrText.includes('%') || !ipaddr.IPv6.isValid(addrText)) return null;
    family = 6;
    value = 0n;
    for (const b of ipaddr.IPv6.parse(addrText).toByteArray()) value = (value << 8n) | BigInt(b);
  }
  const prefix = Number(prefixText);
  if (prefix > bits(family)) return null;
  // Host bits may be set ("10.0.0.1/24"); the API server accepts that and uses the network.
  const mask = maskOf(family, prefix);
  return { family, network: value & mask, prefix, mask, text };
}

export function cidrContainsIp(cidr: Cidr, ip: IpAddress): boolean {
  return cidr.family === ip.family && (ip.value & cidr.mask) === cidr.network;
}

/** True when `inner` lies inside `outer` and is strictly smaller, the rule for `except`. */
export function isStrictSubset(inner: Cidr, outer: Cidr): boolean {
  return (
    inner.family === outer.family &&
    inner.prefix > outer.prefix &&
    (inner.network & outer.mask) === outer.network
  );
}
