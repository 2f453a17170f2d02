// The flow roll-up job, run every minute by every console process: per cluster, under the
// cluster's flow lock (see flow-store.ts), it sums each closed 10-minute bucket of
// flow_minutes into flow_ten_minutes, then each hour whose six tens are rolled into
// flow_hours (from the tens: a sixth of the rows), and marks every bucket it rolled, with or
// without flows, in time order; then it sums the ten minutes still open as far as they are
// complete (flow_open_tens), so the newest part of a range is mostly read summed too. A
// bucket (or minute) counts as complete two minutes after its end, so records the agent still
// holds (it flushes every 10 s) are in by then; later ones (an agent that was cut off) are
// appended to the rollups by the ingest.
//
// Work per run is bounded (an hour of buckets per cluster): on the embedded database the job
// shares the one connection with every request. A console that was down, or an upgrade onto
// old flows, catches up an hour of history per minute; until then readers use the minutes.
import { sql } from 'drizzle-orm';
import type { Tx } from '@/db/client';
import { clusters } from '@/db/schema';
import { bucketStart, HOUR_MS, MINUTE_MS, TEN_MINUTES_MS } from '@/server/domain/graph';
import { rowsOf } from '../audit/audit-query';
import type { ServiceContext } from '../context';
import { forbidden } from '../errors';
import { inScope } from '../scope';
import { FLOW_KEY, lockClusterFlows, lockFlowMaintenance } from './flow-store';

/** How long after its end a bucket is rolled up. */
export const ROLLUP_GRACE_MS = 2 * 60_000;
/** Rollups are not made for flows older than the longest range the graph reads (31 days). */
export const ROLLUP_LOOKBACK_MS = 31 * 86_400_000;
const TENS_PER_RUN = 6;

export interface RollupReport {
  clusters: { clusterId: string; tens: number; hours: number }[];
}

const iso = (t: number) => new Date(t).toISOString();

export async function rollUpFlows(ctx: ServiceContext): Promise<RollupReport> {
  if (ctx.principal.kind !== 'system') throw forbidden('Flows are rolled up by the console itself');
  const ids = await inScope(ctx, (tx) => tx.select({ id: clusters.id }).from(clusters));
  const report: RollupReport = { clusters: [] };
  for (const { id } of ids) {
    const done = await inScope(ctx, (tx) => rollUpCluster(tx, id, ctx.now().getTime()));
    if (done.tens || done.hours) report.clusters.push({ clusterId: id, ...done });
  }
  return report;
}

async function latestMark(tx: Tx, clusterId: string, width: 600 | 3600): Promise<number | null> {
  const [row] = rowsOf(await tx.execute(sql`SELECT (extract(epoch from max(bucket)) * 1000)::float8 AS t FROM flow_rollup_marks WHERE cluster_id = ${clusterId} AND width = ${width}`));
  return row?.t == null ? null : Number(row.t);
}

async function mark(tx: Tx, clusterId: string, width: 600 | 3600, from: number, to: number) {
  await tx.execute(sql`
    INSERT INTO flow_rollup_marks (cluster_id, width, bucket)
    SELECT ${clusterId}::uuid, ${width}, b FROM generate_series(${iso(from)}::timestamptz, ${iso(to - width * 1000)}::timestamptz, ${`${width} seconds`}::interval) AS b
    ON CONFLICT DO NOTHING`);
}

async function ensurePartitions(tx: Tx, from: number, to: number) {
  const days = Math.ceil((bucketStart(to - 1, 86_400_000) - bucketStart(from, 86_400_000)) / 86_400_000) + 1;
  await tx.execute(sql`select verity_ensure_flow_partitions(${iso(from).slice(0, 10)}::date, ${days})`);
}

async function rollUpCluster(tx: Tx, clusterId: string, now: number): Promise<{ tens: number; hours: number }> {
  await lockFlowMaintenance(tx, 'shared');
  await lockClusterFlows(tx, clusterId, 'exclusive');
  const lookback = bucketStart(now - ROLLUP_LOOKBACK_MS, HOUR_MS);
  // Tens close ROLLUP_GRACE_MS after their end; they start on an hour so hours can be made of them.
  const closedTens = bucketStart(now - ROLLUP_GRACE_MS, TEN_MINUTES_MS);
  let tenFrom: number;
  const lastTen = await latestMark(tx, clusterId, 600);
  if (lastTen !== null) tenFrom = Math.max(lastTen + TEN_MINUTES_MS, lookback);
  else {
    const [first] = rowsOf(
      await tx.execute(sql`SELECT (extract(epoch from min(minute)) * 1000)::float8 AS t FROM flow_minutes WHERE cluster_id = ${clusterId} AND minute >= ${iso(lookback)}::timestamptz`),
    );
    if (first?.t == null) return { tens: 0, hours: 0 };
    tenFrom = bucketStart(Number(first.t), HOUR_MS);
  }
  const tenTo = Math.min(closedTens, tenFrom + TENS_PER_RUN * TEN_MINUTES_MS);
  let tens = 0;
  if (tenFrom < tenTo) {
    await ensurePartitions(tx, tenFrom, tenTo);
    await tx.execute(sql`
      INSERT INTO flow_ten_minutes (cluster_id, bucket, ${FLOW_KEY}, count, bytes)
      SELECT cluster_id, date_bin('10 minutes', minute, '2000-01-01 00:00:00+00'::timestamptz), ${FLOW_KEY}, sum(count), sum(bytes)
      FROM flow_minutes
      WHERE cluster_id = ${clusterId} AND minute >= ${iso(tenFrom)}::timestamptz AND minute < ${iso(tenTo)}::timestamptz
      GROUP BY 1, 2, ${FLOW_KEY}`);
    await mark(tx, clusterId, 600, tenFrom, tenTo);
    tens = (tenTo - tenFrom) / TEN_MINUTES_MS;
  }

  // Hours whose six tens are all rolled, summed from the tens (a sixth of the rows).
  const lastHour = await latestMark(tx, clusterId, 3600);
  const hourFrom = lastHour !== null ? Math.max(lastHour + HOUR_MS, lookback) : lookback;
  const rolledTens = rowsOf(
    await tx.execute(sql`
      SELECT (extract(epoch from bucket) * 1000)::float8 AS t FROM flow_rollup_marks
      WHERE cluster_id = ${clusterId} AND width = 600 AND bucket >= ${iso(hourFrom)}::timestamptz ORDER BY bucket`),
  ).map((r) => Number(r.t));
  const perHour = new Map<number, number>();
  for (const t of rolledTens) perHour.set(bucketStart(t, HOUR_MS), (perHour.get(bucketStart(t, HOUR_MS)) ?? 0) + 1);
  // Tens are rolled in time order, so only the latest hour can still be filling; an earlier
  // incomplete one was left behind when the job jumped to the lookback limit and never fills.
  const complete = [...perHour.entries()].filter(([, n]) => n === 6).map(([h]) => h).sort((a, b) => a - b);
  for (const hour of complete) {
    await ensurePartitions(tx, hour, hour + HOUR_MS);
    await tx.execute(sql`
      INSERT INTO flow_hours (cluster_id, bucket, ${FLOW_KEY}, count, bytes)
      SELECT ${clusterId}::uuid, ${iso(hour)}::timestamptz, ${FLOW_KEY}, sum(count), sum(bytes)
      FROM flow_ten_minutes
      WHERE cluster_id = ${clusterId} AND bucket >= ${iso(hour)}::timestamptz AND bucket < ${iso(hour + HOUR_MS)}::timestamptz
      GROUP BY ${FLOW_KEY}`);
    await mark(tx, clusterId, 3600, hour, hour + HOUR_MS);
  }
  const hours = complete.length;

  // The ten minutes still open, summed through the last complete minute, replaced each run
  // (only once the job has caught up: until then readers use minutes there anyway).
  await tx.execute(sql`DELETE FROM flow_open_tens WHERE cluster_id = ${clusterId}`);
  const openTen = Math.max(tenFrom, tenTo);
  const through = bucketStart(now - ROLLUP_GRACE_MS, MINUTE_MS);
  if (openTen === closedTens && through > openTen) {
    await tx.execute(sql`
      INSERT INTO flow_open_tens (cluster_id, bucket, through, ${FLOW_KEY}, count, bytes)
      SELECT ${clusterId}::uuid, ${iso(openTen)}::timestamptz, ${iso(through)}::timestamptz, ${FLOW_KEY}, sum(count), sum(bytes)
      FROM flow_minutes
      WHERE cluster_id = ${clusterId} AND minute >= ${iso(openTen)}::timestamptz AND minute < ${iso(through)}::timestamptz
      GROUP BY ${FLOW_KEY}`);
  }
  return { tens, hours };
}
