// Which stored granularity answers each part of a time range. flow_minutes holds one row per
// edge and minute; the console also keeps 10-minute and hourly sums of closed buckets
// (server/services/graph/roll-up-flows.ts). Summing the default hour of a busy cluster from
// minutes reads 60 rows per edge, a day 1,440; from the rollups at most a few tens.
//
// Buckets are aligned on the UTC clock (tens of minutes, whole hours). A bucket is read from
// its rollup only when it lies wholly inside the range and has been rolled up (it has a
// mark); every other part of the range is read from the minutes. The last two unrolled tens
// of a range (the one still open and, for two minutes after it ends, the one before) may be
// read from the open ten's partial sum, complete through some minute, and the minutes after
// it. The parts never overlap and together cover exactly [from, to), so the sums are the
// sums over the minutes.

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
   * Parts near the end of the range, each from the start of an unrolled ten-minute bucket to
   * its end or the range's: read from the open ten's partial sum where there is one for that
   * bucket, complete through a minute within the part, and from the minutes after that minute
   * (all of the part from minutes when there is none).
   */
  open: Interval[];
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
  const plan: FlowReadPlan = { hours: [], tens: [], minutes: [], open: [] };
  const end = range.to.getTime();
  // The open ten is the newest or, in the grace after it ends, the one before it.
  const openFrom = bucketStart(end - 1, TEN_MINUTES_MS) - TEN_MINUTES_MS;
  let t = range.from.getTime();
  while (t < end) {
    if (t % HOUR_MS === 0 && t + HOUR_MS <= end && marks.hours.has(t)) {
      push(plan.hours, t, t + HOUR_MS);
      t += HOUR_MS;
    } else if (t % TEN_MINUTES_MS === 0 && t + TEN_MINUTES_MS <= end && marks.tens.has(t)) {
      push(plan.tens, t, t + TEN_MINUTES_MS);
      t += TEN_MINUTES_MS;
    } else if (marks.open && t % TEN_MINUTES_MS === 0 && t >= openFrom) {
      const next = Math.min(t + TEN_MINUTES_MS, end);
      plan.open.push({ from: t, to: next });
      t = next;
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
