import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { detectCpuPinnedIdle } from './cpu-pinned-idle';
import { DEFAULT_ABUSE_SETTINGS } from './thresholds';
import { at, inbound, minutes, series } from './test-support';

const settings = DEFAULT_ABUSE_SETTINGS.cpuPinned; // ≥ 90 % for 10 minutes, ≤ 5 inbound a minute

describe('cpu-pinned-idle', () => {
  it('fires for a workload at its limit for longer than the threshold with no inbound traffic', () => {
    const s = series('miner', minutes(30, 29, { cpuMillicores: 1990, cpuLimitMillicores: 2000 }));
    const [f, ...rest] = detectCpuPinnedIdle({ series: [s], flows: [], now: at(30), settings });
    expect(rest).toEqual([]);
    expect(f).toMatchObject({ rule: 'cpu-pinned-idle', workload: 'miner', severity: 'high', startedAt: at(0), lastSeenAt: at(29) });
    expect(f!.summary).toContain('99.5 % of its limit');
    expect(f!.summary).toContain('for 30 minutes since 2026-03-05 12:00 UTC');
    expect(f!.evidence.kind === 'usage' && f!.evidence.points).toHaveLength(30);
  });

  it('starts the finding where the current run began, not at the first hot minute ever', () => {
    const s = series('miner', [...minutes(20, 19, { cpuMillicores: 1990 }), { minute: at(20), cpuMillicores: 200 }, ...minutes(15, 35, { cpuMillicores: 1990 })]);
    const [f] = detectCpuPinnedIdle({ series: [s], flows: [], now: at(36), settings });
    expect(f!.startedAt).toEqual(at(21));
  });

  it('does not fire for a busy service at its limit because it serves requests', () => {
    const s = series('web', minutes(30, 29, { cpuMillicores: 1990 }));
    const flows = Array.from({ length: 30 }, (_, i) => inbound('web', at(i), 400));
    expect(detectCpuPinnedIdle({ series: [s], flows, now: at(30), settings })).toEqual([]);
  });

  it('does not fire below the threshold, for a run shorter than the minutes, without a limit, or for a run that ended', () => {
    const cases = [
      series('a', minutes(30, 29, { cpuMillicores: 1700 })), // 85 %
      series('b', minutes(9, 29, { cpuMillicores: 1990 })), // 9 minutes
      series('c', minutes(30, 29, { cpuMillicores: 1990, cpuLimitMillicores: 0 })), // no limit
      series('d', minutes(30, 29, { cpuMillicores: 0, replicas: 0 })),
    ];
    expect(detectCpuPinnedIdle({ series: cases, flows: [], now: at(30), settings })).toEqual([]);
    // The run is over: the last report is old.
    expect(detectCpuPinnedIdle({ series: [series('e', minutes(30, 29, { cpuMillicores: 1990 }))], flows: [], now: at(40), settings })).toEqual([]);
  });

  it('treats a hole in the reports as the end of a run', () => {
    const s = series('miner', [...minutes(8, 7, { cpuMillicores: 1990 }), ...minutes(8, 19, { cpuMillicores: 1990 })]);
    expect(detectCpuPinnedIdle({ series: [s], flows: [], now: at(20), settings })).toEqual([]);
  });

  it('is off when disabled', () => {
    const s = series('miner', minutes(30, 29, { cpuMillicores: 1990 }));
    expect(detectCpuPinnedIdle({ series: [s], flows: [], now: at(30), settings: { ...settings, enabled: false } })).toEqual([]);
  });

  it('never fires when every minute is below the ratio (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 1799 }), { minLength: 1, maxLength: 120 }), (cpus) => {
        const s = series('w', cpus.map((c) => ({ cpuMillicores: c, cpuLimitMillicores: 2000 })));
        return detectCpuPinnedIdle({ series: [s], flows: [], now: at(cpus.length), settings }).length === 0;
      }),
    );
  });

  it('never fires while inbound traffic is above the threshold every minute (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 10, max: 200 }), fc.integer({ min: 6, max: 10_000 }), (n, perMinute) => {
        const s = series('w', minutes(n, n - 1, { cpuMillicores: 2000 }));
        const flows = Array.from({ length: n }, (_, i) => inbound('w', at(i), perMinute));
        return detectCpuPinnedIdle({ series: [s], flows, now: at(n), settings }).length === 0;
      }),
    );
  });
});
