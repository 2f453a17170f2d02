// Known cryptocurrency mining-pool endpoints, for the mining-pool rule. Maintained by hand.
//
// Where it comes from: the stratum ports are those the large public pools publish in their
// own "how to connect" pages (Monero pools such as SupportXMR, Nanopool, MoneroOcean and
// HashVault; multi-coin pools such as 2Miners, F2Pool and Ethermine's successors) and the
// defaults of the common miners (XMRig's and cgminer's examples use 3333). Pools move their
// addresses often and sit behind DNS names and CDNs, so no public IP list stays true for
// long: addresses are listed only when a security team has confirmed them (here, or per
// tenant in the thresholds' `extraAddresses`). The two entries below are the ones this
// project's simulated cluster uses (RFC 5737 documentation addresses), so the demo's miner
// is recognised by address as well as by port; replace them with your own intelligence.
//
// Ports alone are weak evidence (8888 is also Jupyter's), so the rule counts a port match
// only for connections leaving the cluster, and never for the well-known web ports.
import ipaddr from 'ipaddr.js';

export interface PoolPort {
  port: number;
  /** Who documents it, in words. */
  note: string;
}

export const MINING_POOL_PORTS: readonly PoolPort[] = [
  { port: 3333, note: 'generic stratum default (XMRig, cgminer examples; most pools\' low-difficulty port)' },
  { port: 4444, note: 'stratum, mid difficulty (SupportXMR, many multi-coin pools)' },
  { port: 5555, note: 'stratum, high difficulty (SupportXMR, HashVault)' },
  { port: 7777, note: 'stratum, very high difficulty (SupportXMR, F2Pool)' },
  { port: 9000, note: 'stratum over TLS on several Monero pools' },
  { port: 9999, note: 'stratum over TLS (SupportXMR)' },
  { port: 10001, note: 'MoneroOcean auto-difficulty port' },
  { port: 10128, note: 'MoneroOcean port by difficulty' },
  { port: 14433, note: 'Nanopool XMR stratum over TLS' },
  { port: 14444, note: 'Nanopool XMR stratum' },
  { port: 20535, note: 'MoneroOcean TLS port' },
  { port: 45560, note: 'stratum on F2Pool-style multi-coin pools' },
  { port: 45700, note: 'MoneroOcean / HashVault alternative stratum' },
];

export interface PoolAddress {
  cidr: string;
  note: string;
}

export const MINING_POOL_ADDRESSES: readonly PoolAddress[] = [
  { cidr: '198.51.100.23/32', note: 'the simulated cluster\'s Monero pool (documentation range)' },
  { cidr: '198.51.100.24/32', note: 'the simulated cluster\'s second pool (documentation range)' },
];

/** Web ports never count as pool ports, whatever a list says. */
const NEVER_POOL_PORTS = new Set([53, 80, 443]);

export interface PoolMatcher {
  /** Why this destination looks like a pool, or null. */
  match(ip: string, port: number): string | null;
}

export function poolMatcher(extra: { addresses: readonly string[]; ports: readonly number[] } = { addresses: [], ports: [] }): PoolMatcher {
  const ports = new Map<number, string>(MINING_POOL_PORTS.map((p) => [p.port, `port ${p.port} is a stratum port (${p.note})`]));
  for (const p of extra.ports) if (!ports.has(p)) ports.set(p, `port ${p} is on the tenant's list of pool ports`);
  const ranges: { range: [ipaddr.IPv4 | ipaddr.IPv6, number]; why: string }[] = [];
  for (const a of MINING_POOL_ADDRESSES) ranges.push({ range: parseRange(a.cidr)!, why: `${a.cidr}: ${a.note}` });
  for (const a of extra.addresses) {
    const range = parseRange(a);
    if (range) ranges.push({ range, why: `${a} is on the tenant's list of pool addresses` });
  }
  return {
    match(ip, port) {
      let addr: ipaddr.IPv4 | ipaddr.IPv6;
      try {
        addr = ipaddr.process(ip);
      } catch {
        return null;
      }
      for (const r of ranges) if (addr.kind() === r.range[0].kind() && addr.match(r.range)) return `address ${ip} is a known pool (${r.why})`;
      if (NEVER_POOL_PORTS.has(port)) return null;
      return ports.get(port) ?? null;
    },
  };
}

/** A single address or a CIDR; null when it is neither. */
export function parseRange(text: string): [ipaddr.IPv4 | ipaddr.IPv6, number] | null {
  try {
    if (text.includes('/')) return ipaddr.parseCIDR(text);
    const a = ipaddr.process(text);
    return [a, a.kind() === 'ipv4' ? 32 : 128];
  } catch {
    return null;
  }
}
