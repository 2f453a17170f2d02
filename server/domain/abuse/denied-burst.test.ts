import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { detectDeniedBurst } from './denied-burst';
import { DEFAULT_ABUSE_SETTINGS } from './thresholds';
import { at, flow } from './test-support';

const settings = DEFAULT_ABUSE_SETTINGS.deniedBurst; // 200 denied to ≥ 3 targets within 5 minutes
const denied = (minute: number, target: string, count: number) => flow({ minute: at(minute), dstNamespace: 'payments', dstWorkload: target, dstIp: '', port: 5432, verdict: 'denied', count });

describe('denied-burst', () => {
  it('fires for many denied attempts to several destinations within the window, from the first window over the line', () => {
    const flows = [denied(0, 'postgres', 5), denied(10, 'postgres', 90), denied(11, 'redis', 80), denied(12, 'api', 60), denied(13, 'api', 500)];
    const [f, ...rest] = detectDeniedBurst({ flows, settings });
    expect(rest).toEqual([]);
    expect(f).toMatchObject({ rule: 'denied-burst', severity: 'high', startedAt: at(10), lastSeenAt: at(13) });
    expect(f!.summary).toContain('730 denied connection attempts to 3 distinct destinations');
  });

  it('does not fire for one blocked destination retried, spread-out attempts, or allowed traffic', () => {
    expect(detectDeniedBurst({ flows: [denied(0, 'postgres', 5000)], settings })).toEqual([]);
    const spread = [denied(0, 'a', 100), denied(10, 'b', 100), denied(20, 'c', 100)];
    expect(detectDeniedBurst({ flows: spread, settings })).toEqual([]);
    const allowed = ['a', 'b', 'c'].map((t) => ({ ...denied(0, t, 1000), verdict: 'allowed' }));
    expect(detectDeniedBurst({ flows: allowed, settings })).toEqual([]);
  });

  it('never fires below the attempts threshold (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.integer({ min: 0, max: 60 }), fc.integer({ min: 0, max: 9 }), fc.integer({ min: 1, max: 20 })), { maxLength: 9 }), (rows) => {
        // At most 9 rows of at most 20 attempts: never 200.
        const flows = rows.map(([m, t, c]) => denied(m, `t${t}`, c));
        return detectDeniedBurst({ flows, settings }).length === 0;
      }),
    );
  });
});
