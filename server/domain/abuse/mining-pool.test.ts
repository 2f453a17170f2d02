import { describe, expect, it } from 'vitest';
import { detectMiningPool } from './mining-pool';
import { poolMatcher } from './mining-pools';
import { AbuseSettings, DEFAULT_ABUSE_SETTINGS } from './thresholds';
import { at, flow, inbound } from './test-support';

const settings = DEFAULT_ABUSE_SETTINGS.miningPool;

describe('mining-pool', () => {
  it('fires critical for allowed connections to a listed pool address, naming the reason', () => {
    const flows = [flow({ minute: at(3), dstIp: '198.51.100.23', port: 3333, count: 120 }), flow({ minute: at(1), dstIp: '198.51.100.24', port: 14444, count: 100 })];
    const [f, ...rest] = detectMiningPool({ flows, settings });
    expect(rest).toEqual([]);
    expect(f).toMatchObject({ rule: 'mining-pool', severity: 'critical', workload: 'trainer', startedAt: at(1), lastSeenAt: at(3) });
    expect(f!.summary).toContain('198.51.100.23:3333: address 198.51.100.23 is a known pool');
    expect(f!.evidence).toMatchObject({ kind: 'flows', flows: [{ to: '198.51.100.23', port: 3333, count: 120 }, { to: '198.51.100.24', port: 14444, count: 100 }] });
  });

  it('fires on a stratum port to any external address, and at medium when every attempt was denied', () => {
    const [f] = detectMiningPool({ flows: [flow({ minute: at(0), dstIp: '203.0.113.77', port: 4444, verdict: 'denied' })], settings });
    expect(f).toMatchObject({ severity: 'medium' });
    expect(f!.summary).toContain('every attempt denied by policy');
    expect(f!.summary).toContain('port 4444 is a stratum port');
  });

  it('does not fire for stratum-like ports inside the cluster, web ports, or ordinary egress', () => {
    const flows = [
      // Jupyter on 8888 inside the cluster; a pool port between workloads.
      flow({ minute: at(0), dstNamespace: 'sandbox', dstWorkload: 'notebooks', dstIp: '', port: 3333 }),
      flow({ minute: at(0), dstIp: '203.0.113.80', port: 443 }),
      flow({ minute: at(0), dstIp: '1.1.1.1', port: 53, protocol: 'UDP' }),
      // Traffic *from* the internet to a workload on a stratum port is not mining.
      inbound('trainer', at(0), 10),
    ];
    expect(detectMiningPool({ flows, settings })).toEqual([]);
  });

  it('takes a tenant\'s extra addresses and ports, and refuses a malformed address', () => {
    const s = AbuseSettings.parse({ miningPool: { extraAddresses: ['192.0.2.0/28'], extraPorts: [8443] } }).miningPool;
    expect(detectMiningPool({ flows: [flow({ minute: at(0), dstIp: '192.0.2.9', port: 443 })], settings: s })).toHaveLength(1);
    expect(detectMiningPool({ flows: [flow({ minute: at(0), dstIp: '203.0.113.1', port: 8443 })], settings: s })).toHaveLength(1);
    expect(() => AbuseSettings.parse({ miningPool: { extraAddresses: ['pool.example'] } })).toThrow(/IP address or a CIDR/);
  });

  it('matches IPv4-mapped IPv6 addresses like their IPv4 form', () => {
    expect(poolMatcher().match('::ffff:198.51.100.23', 443)).toContain('known pool');
    expect(poolMatcher().match('not-an-ip', 3333)).toBeNull();
  });

  it('is off when disabled', () => {
    expect(detectMiningPool({ flows: [flow({ minute: at(0), dstIp: '198.51.100.23', port: 3333 })], settings: { ...settings, enabled: false } })).toEqual([]);
  });
});
