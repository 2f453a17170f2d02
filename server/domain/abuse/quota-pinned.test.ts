import { describe, expect, it } from 'vitest';
import type { QuotaSample } from './model';
import { detectQuotaPinned } from './quota-pinned';
import { DEFAULT_ABUSE_SETTINGS } from './thresholds';
import { CLUSTER, at } from './test-support';

const settings = DEFAULT_ABUSE_SETTINGS.quotaPinned; // ≥ 98 % for 30 minutes
const sample = (minute: number, used: string, hard = '8', resource = 'limits.cpu'): QuotaSample => ({ at: at(minute), clusterId: CLUSTER, namespace: 'sandbox', quota: 'compute', resource, used, hard });
const every5 = (from: number, to: number, used: string, hard?: string) => Array.from({ length: Math.floor((to - from) / 5) + 1 }, (_, i) => sample(from + 5 * i, used, hard));

describe('quota-pinned', () => {
  it('fires for a namespace held at its ceiling for longer than the threshold, with exact quantities', () => {
    const [f, ...rest] = detectQuotaPinned({ samples: every5(0, 40, '8000m'), now: at(41), settings });
    expect(rest).toEqual([]);
    expect(f).toMatchObject({ rule: 'quota-pinned', namespace: 'sandbox', workload: '', severity: 'medium', startedAt: at(0), lastSeenAt: at(40) });
    expect(f!.summary).toContain('compute limits.cpu 8000m of 8 (100.0 %)');
  });

  it('does not fire just under the ratio (no floating point rounding up), for a short spell, or with an old sample', () => {
    // 97.99 %: 7839m of 8.
    expect(detectQuotaPinned({ samples: every5(0, 60, '7839m'), now: at(61), settings })).toEqual([]);
    expect(detectQuotaPinned({ samples: every5(0, 25, '8'), now: at(26), settings })).toEqual([]);
    expect(detectQuotaPinned({ samples: every5(0, 60, '8'), now: at(120), settings })).toEqual([]);
    // Zero hard has no ceiling to be pinned at.
    expect(detectQuotaPinned({ samples: every5(0, 60, '0', '0'), now: at(61), settings })).toEqual([]);
  });

  it('starts where the current run began', () => {
    const samples = [...every5(0, 20, '8'), sample(25, '6'), ...every5(30, 70, '8')];
    const [f] = detectQuotaPinned({ samples, now: at(71), settings });
    expect(f!.startedAt).toEqual(at(30));
  });
});
