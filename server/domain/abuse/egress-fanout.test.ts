import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { detectEgressFanout } from './egress-fanout';
import { DEFAULT_ABUSE_SETTINGS } from './thresholds';
import { CLUSTER, at, flow } from './test-support';

const settings = DEFAULT_ABUSE_SETTINGS.egressFanout; // 25 new addresses in 10 minutes
const spray = (n: number, minute = 25) => Array.from({ length: n }, (_, i) => flow({ minute: at(minute - (i % 5)), dstIp: `203.0.113.${i + 1}`, count: 1 }));

describe('egress-fanout', () => {
  it('fires when a workload reaches many addresses it had not reached before', () => {
    const [f, ...rest] = detectEgressFanout({ flows: spray(40), baseline: [], now: at(26), settings });
    expect(rest).toEqual([]);
    expect(f).toMatchObject({ rule: 'egress-fanout', severity: 'high', workload: 'trainer', startedAt: at(21) });
    expect(f!.summary).toContain('Reached 40 external addresses in the last 10 minutes');
  });

  it('does not count addresses from the baseline, nor flows outside the window, nor in-cluster destinations', () => {
    const baseline = Array.from({ length: 20 }, (_, i) => ({ clusterId: CLUSTER, namespace: 'sandbox', workload: 'trainer', ip: `203.0.113.${i + 1}` }));
    expect(detectEgressFanout({ flows: spray(40), baseline, now: at(26), settings })).toEqual([]);
    expect(detectEgressFanout({ flows: spray(40, 10), baseline: [], now: at(26), settings })).toEqual([]);
    const internal = Array.from({ length: 40 }, (_, i) => flow({ minute: at(25), dstIp: '', dstNamespace: 'x', dstWorkload: `w${i}` }));
    expect(detectEgressFanout({ flows: internal, baseline: [], now: at(26), settings })).toEqual([]);
  });

  it('never fires with fewer distinct new addresses than the threshold, however many connections (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 24 }), fc.integer({ min: 1, max: 100_000 }), (n, c) => {
        const flows = Array.from({ length: n * 3 }, (_, i) => flow({ minute: at(25), dstIp: `198.51.100.${(i % Math.max(n, 1)) + 1}`, count: c }));
        return detectEgressFanout({ flows, baseline: [], now: at(26), settings }).length === 0;
      }),
    );
  });
});
