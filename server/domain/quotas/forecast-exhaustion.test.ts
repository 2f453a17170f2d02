import { describe, expect, it } from 'vitest';
import { describeDuration, describeForecast, forecastExhaustion, type UsageSample } from './forecast-exhaustion';

const HOUR = 3_600_000;
const NOW = Date.parse('2031-03-04T12:00:00Z');

/** Hourly samples over the last `hours`, used = f(hours before now). */
function series(hours: number, used: (hoursAgo: number) => number, hard = 100): UsageSample[] {
  return Array.from({ length: hours + 1 }, (_, i) => ({ at: NOW - (hours - i) * HOUR, used: used(hours - i), hard }));
}

describe('forecastExhaustion', () => {
  it('extends a steady rise to the limit: pods 10 → 34 over a day is full in about 3 days', () => {
    // One pod an hour; 34 of 100 now: 66 hours to go.
    const f = forecastExhaustion(series(24, (ago) => 34 - ago), NOW);
    expect(f.kind).toBe('full-in');
    if (f.kind !== 'full-in') return;
    expect(Math.abs(f.at - (NOW + 66 * HOUR))).toBeLessThan(1_000);
    expect(f.ratePerHour).toBeCloseTo(1, 9);
    expect(describeForecast(f)).toBe('full in about 3 days');
  });

  it('fits through noise rather than following the last sample', () => {
    const noisy = series(48, (ago) => 50 - ago / 2 + (ago % 2 === 0 ? 3 : -3));
    const f = forecastExhaustion(noisy, NOW);
    expect(f.kind).toBe('full-in');
    if (f.kind === 'full-in') expect(f.ratePerHour).toBeCloseTo(0.5, 1);
  });

  it('gives no forecast when use is flat or falling', () => {
    expect(forecastExhaustion(series(24, () => 40), NOW)).toEqual({ kind: 'none', reason: 'flat-or-falling' });
    expect(forecastExhaustion(series(24, (ago) => 40 + ago), NOW)).toEqual({ kind: 'none', reason: 'flat-or-falling' });
    // A rise of a hundredth of a percent of the limit over the whole range is flat.
    expect(forecastExhaustion(series(24, (ago) => 40 - ago * 0.0001), NOW)).toEqual({ kind: 'none', reason: 'flat-or-falling' });
  });

  it('gives no forecast from too little data', () => {
    expect(forecastExhaustion([], NOW)).toEqual({ kind: 'none', reason: 'too-little-data' });
    expect(forecastExhaustion(series(3, (ago) => 50 - ago), NOW)).toEqual({ kind: 'none', reason: 'too-little-data' });
    const tenMinutes = Array.from({ length: 10 }, (_, i) => ({ at: NOW - (9 - i) * 60_000, used: 10 + i, hard: 100 }));
    expect(forecastExhaustion(tenMinutes, NOW)).toEqual({ kind: 'none', reason: 'too-little-data' });
  });

  it('says full now at or over the limit, and nothing when the limit moved or is zero', () => {
    expect(forecastExhaustion(series(24, () => 100), NOW)).toEqual({ kind: 'already-full' });
    expect(describeForecast({ kind: 'already-full' })).toBe('full now');
    const moved = series(24, (ago) => 50 - ago).map((s, i) => ({ ...s, hard: i < 10 ? 80 : 100 }));
    expect(forecastExhaustion(moved, NOW)).toEqual({ kind: 'none', reason: 'limit-changed' });
    expect(forecastExhaustion(series(24, () => 0, 0), NOW)).toEqual({ kind: 'none', reason: 'no-limit' });
  });

  it('does not forecast beyond a year', () => {
    expect(forecastExhaustion(series(24, (ago) => 10 - ago * 0.005), NOW)).toEqual({ kind: 'none', reason: 'beyond-horizon' });
  });
});

describe('describeDuration', () => {
  it('rounds to the unit a person would say', () => {
    expect(describeDuration(40 * 60_000)).toBe('40 minutes');
    expect(describeDuration(5 * HOUR)).toBe('5 hours');
    expect(describeDuration(66 * HOUR)).toBe('3 days');
    expect(describeDuration(30 * 24 * HOUR)).toBe('4 weeks');
    expect(describeDuration(200 * 24 * HOUR)).toBe('7 months');
  });
});
