// Which stored granularity answers each part of a time range. flow_minutes holds one row per
// edge and minute; the console also keeps 10-minute and hourly sums of closed buckets
// (server/services/graph/roll-up-flows.ts). Summing the default hour of a busy cluster from
// minutes reads 60 rows per edge, a day 1,440; from the rollups at most a few tens.
//
// Buckets are aligned on the UTC clock (tens of minutes, whole hours). A bucket is read from
// its rollup only when it lies wholly inside the range and has been rolled up (it has a
// mark); every other part of the range is read from the minutes. A range that ends in the
// ten minutes still open reads that bucket's partial sum (complete through some minute) and
// the minutes after it. The parts never overlap and together cover exactly [from, to), so the
// sums are the sums over the minutes.

export const MINUTE_MS = 60_000;
export const TEN_MINUTES_MS = 600_000;
export const HOUR_MS = 3_600_000;

/** Start times (ms since the epoch) of the buckets that have been rolled up. */
export interface RollupMarks {
  tens: ReadonlySet<number>;
  hours: ReadonlySet<number>;
  /** Whether the open ten's partial sum may be read (not for a timeline of 1-minute bars). */
  open: boolean;
}

/** A half-open interval [from, to) in ms since the epoch. */
export interface Interval {
  from: number;
  to: number;
}

export interface FlowReadPlan {
  /** Read from the hourly rollup: whole hours, merged where they touch. */
  hours: Interval[];
  /** Read from the 10-minute rollup. */
  tens: Interval[];
  /** Read from flow_minutes (minute >= from AND minute < to). */
  minutes: Interval[];
  /**
   * The range's last part, from the start of an unrolled ten-minute bucket to the end: read
   * from that bucket's partial sum where one is complete through a minute at or before the
   * end, and from the minutes after that minute (or all of it from minutes, when none is).
   */
  open: Interval | null;
}

export const NO_MARKS: RollupMarks = { tens: new Set(), hours: new Set(), open: false };

function push(list: Interval[], from: number, to: number) {
  const last = list.at(-1);
  if (last && last.to === from) last.to = to;
  else list.push({ from, to });
}

/** The start of the bucket of `width` ms that holds `t` (UTC-aligned, as date_bin does). */
export function bucketStart(t: number, width: number): number {
  return Math.floor(t / width) * width;
}

/**
 * Splits [from, to) into rolled hours, rolled tens and the rest in minutes. `from` need not be
 * aligned (the last hour starts at the current second); rows are stored at their minute's
 * start, so the minute part keeps the caller's bounds exactly.
 */
export function planFlowRead(range: { from: Date; to: Date }, marks: RollupMarks): FlowReadPlan {
  const plan: FlowReadPlan = { hours: [], tens: [], minutes: [], open: null };
  const end = range.to.getTime();
  let t = range.from.getTime();
  while (t < end) {
    if (t % HOUR_MS === 0 && t + HOUR_MS <= end && marks.hours.has(t)) {
      push(plan.hours, t, t + HOUR_MS);
      t += HOUR_MS;
    } else if (t % TEN_MINUTES_MS === 0 && t + TEN_MINUTES_MS <= end && marks.tens.has(t)) {
      push(plan.tens, t, t + TEN_MINUTES_MS);
      t += TEN_MINUTES_MS;
    } else if (marks.open && t % TEN_MINUTES_MS === 0 && t + TEN_MINUTES_MS >= end) {
      plan.open = { from: t, to: end };
      t = end;
    } else {
      // Up to the next ten-minute boundary (where a rollup may start again) or the end.
      const next = Math.min(bucketStart(t, TEN_MINUTES_MS) + TEN_MINUTES_MS, end);
      push(plan.minutes, t, next);
      t = next;
    }
  }
  return plan;
}

/**
 * The marks a read at a timeline resolution of `bucketMs` may use: a timeline of one-minute
 * points cannot be drawn from 10-minute sums, nor 10-minute points from hours.
 */
export function marksForResolution(marks: RollupMarks, bucketMs: number): RollupMarks {
  return {
    tens: bucketMs % TEN_MINUTES_MS === 0 ? marks.tens : new Set(),
    hours: bucketMs % HOUR_MS === 0 ? marks.hours : new Set(),
    open: marks.open && bucketMs % TEN_MINUTES_MS === 0,
  };
}
