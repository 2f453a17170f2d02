import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bucketStart, HOUR_MS, type Interval, marksForResolution, MINUTE_MS, NO_MARKS, planFlowRead, TEN_MINUTES_MS } from './flow-read-plan';

const T0 = Date.parse('2031-03-04T00:00:00Z');
const at = (hhmm: string) => Date.parse(`2031-03-04T${hhmm}Z`);
const range = (from: string, to: string) => ({ from: new Date(at(from)), to: new Date(at(to)) });
const iv = (from: string, to: string): Interval => ({ from: at(from), to: at(to) });

/** Every ten-minute and hourly bucket start in [T0, T0 + 6 h). */
const allMarks = (open = false) => ({
  tens: new Set(Array.from({ length: 36 }, (_, i) => T0 + i * TEN_MINUTES_MS)),
  hours: new Set(Array.from({ length: 6 }, (_, i) => T0 + i * HOUR_MS)),
  open,
});

describe('planFlowRead', () => {
  it('reads everything from the minutes when nothing is rolled up', () => {
    expect(planFlowRead(range('01:07:33', '02:08:00'), NO_MARKS)).toEqual({ hours: [], tens: [], minutes: [iv('01:07:33', '02:08:00')], open: [] });
  });

  it('reads the last hour as its ragged head and tail in minutes and the rolled tens between', () => {
    expect(planFlowRead(range('01:07:33', '02:08:00'), allMarks())).toEqual({
      hours: [],
      tens: [iv('01:10:00', '02:00:00')],
      minutes: [iv('01:07:33', '01:10:00'), iv('02:00:00', '02:08:00')],
      open: [],
    });
  });

  it('reads the tail of the last hour from the open ten where the rollups stop', () => {
    const marks = allMarks(true);
    (marks.tens as Set<number>).delete(at('02:00:00'));
    expect(planFlowRead(range('01:07:33', '02:08:00'), marks)).toEqual({
      hours: [],
      tens: [iv('01:10:00', '02:00:00')],
      minutes: [iv('01:07:33', '01:10:00')],
      open: [iv('02:00:00', '02:08:00')],
    });
    // The ten before may still be the open one (two minutes after it ended, it has not been
    // rolled yet); any earlier unrolled ten is read from minutes.
    (marks.tens as Set<number>).delete(at('01:50:00'));
    (marks.tens as Set<number>).delete(at('01:30:00'));
    expect(planFlowRead(range('01:07:33', '02:08:00'), marks)).toEqual({
      hours: [],
      tens: [iv('01:10:00', '01:30:00'), iv('01:40:00', '01:50:00')],
      minutes: [iv('01:07:33', '01:10:00'), iv('01:30:00', '01:40:00')],
      open: [iv('01:50:00', '02:00:00'), iv('02:00:00', '02:08:00')],
    });
  });

  it('prefers whole rolled hours and falls back to tens, then minutes, where a bucket is not rolled', () => {
    const marks = allMarks();
    (marks.hours as Set<number>).delete(at('02:00:00'));
    (marks.tens as Set<number>).delete(at('02:20:00'));
    expect(planFlowRead(range('00:50:00', '03:30:00'), marks)).toEqual({
      hours: [iv('01:00:00', '02:00:00')],
      tens: [iv('00:50:00', '01:00:00'), iv('02:00:00', '02:20:00'), iv('02:30:00', '03:30:00')],
      minutes: [iv('02:20:00', '02:30:00')],
      open: [],
    });
  });

  it('never reads a bucket that reaches past the end of the range', () => {
    expect(planFlowRead(range('01:00:00', '01:59:00'), allMarks())).toEqual({
      hours: [],
      tens: [iv('01:00:00', '01:50:00')],
      minutes: [iv('01:50:00', '01:59:00')],
      open: [],
    });
  });

  it('gives an empty plan for an empty range', () => {
    expect(planFlowRead(range('01:00:00', '01:00:00'), allMarks())).toEqual({ hours: [], tens: [], minutes: [], open: [] });
  });

  it('covers every range exactly once, whatever is rolled up', () => {
    const minuteOf = fc.integer({ min: 0, max: 6 * 60 });
    fc.assert(
      fc.property(minuteOf, minuteOf, fc.integer({ min: 0, max: 59 }), fc.array(fc.boolean(), { minLength: 43, maxLength: 43 }), (a, b, seconds, rolled) => {
        const from = T0 + Math.min(a, b) * MINUTE_MS + (a === b ? 0 : seconds * 1000);
        const to = T0 + Math.max(a, b) * MINUTE_MS;
        const marks = {
          tens: new Set(Array.from({ length: 36 }, (_, i) => T0 + i * TEN_MINUTES_MS).filter((_, i) => rolled[i])),
          hours: new Set(Array.from({ length: 6 }, (_, i) => T0 + i * HOUR_MS).filter((_, i) => rolled[36 + i])),
          open: rolled[42]!,
        };
        const plan = planFlowRead({ from: new Date(from), to: new Date(Math.max(from, to)) }, marks);
        // Each second of the range lies in exactly one part; nothing outside it in any.
        const parts = [...plan.hours, ...plan.tens, ...plan.minutes, ...plan.open].sort((x, y) => x.from - y.from);
        let t = from;
        for (const p of parts) {
          expect(p.from).toBe(t);
          expect(p.to).toBeGreaterThan(p.from);
          t = p.to;
        }
        expect(t).toBe(Math.max(from, to));
        // Rollups only for buckets that are rolled and aligned.
        for (const h of plan.hours) for (let s = h.from; s < h.to; s += HOUR_MS) expect(marks.hours.has(s)).toBe(true);
        for (const x of plan.tens) for (let s = x.from; s < x.to; s += TEN_MINUTES_MS) expect(marks.tens.has(s) && bucketStart(s, TEN_MINUTES_MS) === s).toBe(true);
        // Open parts: only when allowed, at most two, each an aligned unrolled ten (or its
        // part up to the end), in the last twenty minutes of the range.
        expect(plan.open.length).toBeLessThanOrEqual(marks.open ? 2 : 0);
        for (const o of plan.open) {
          expect(o.from % TEN_MINUTES_MS).toBe(0);
          expect(marks.tens.has(o.from) && o.from + TEN_MINUTES_MS <= o.to).toBe(false);
          expect(o.to - o.from).toBeLessThanOrEqual(TEN_MINUTES_MS);
          expect(o.from).toBeGreaterThanOrEqual(Math.max(from, to) - 2 * TEN_MINUTES_MS);
        }
        // A rolled hour wholly inside the range is always used (the point of the rollup).
        for (const h of marks.hours) if (h >= from && h + HOUR_MS <= to) expect(plan.hours.some((p) => p.from <= h && h < p.to)).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });
});

describe('marksForResolution', () => {
  it('keeps only the rollups coarse enough for the timeline resolution', () => {
    const marks = allMarks();
    const withOpen = allMarks(true);
    expect(marksForResolution(withOpen, MINUTE_MS)).toEqual(NO_MARKS);
    expect(marksForResolution(withOpen, TEN_MINUTES_MS)).toEqual({ tens: marks.tens, hours: new Set(), open: true });
    expect(marksForResolution(marks, HOUR_MS)).toEqual(marks);
  });
});
