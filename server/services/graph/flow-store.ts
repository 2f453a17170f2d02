// How flows are stored and read back: minutes (flow_minutes) plus the 10-minute and hourly
// rollups of closed buckets and the partial sum of the open ten (migration 0014,
// roll-up-flows.ts). Readers ask for "the flow rows of a range" and get the rollups where they
// are marked, the open ten at the end of the range, and minutes elsewhere, exactly covering
// the range (server/domain/graph/flow-read-plan.ts).
import { type SQL, sql } from 'drizzle-orm';
import type { Tx } from '@/db/client';
import { type Interval, planFlowRead, type RollupMarks } from '@/server/domain/graph';
import { rowsOf } from '../audit/audit-query';

/** The aggregate key of a flow row, in every flow table. */
export const FLOW_KEY = sql.raw('src_namespace, src_workload, src_ip, dst_namespace, dst_workload, dst_ip, port, protocol, mtls, verdict');

/**
 * The lock the roll-up job (exclusive) and the ingest (shared) of one cluster meet on, so a
 * record is either in the minutes before the job sums them or sees the job's mark after.
 */
export async function lockClusterFlows(tx: Tx, clusterId: string, mode: 'exclusive' | 'shared') {
  const key = `verity.flows:${clusterId}`;
  await tx.execute(mode === 'exclusive' ? sql`select pg_advisory_xact_lock(hashtext(${key}))` : sql`select pg_advisory_xact_lock_shared(hashtext(${key}))`);
}

/**
 * The lock of flow maintenance: the roll-up job of any cluster (shared) against retention
 * (exclusive). The job locks a rollup table before flow_minutes within one statement, and
 * retention locks flow_minutes first; without this the two could deadlock.
 */
export async function lockFlowMaintenance(tx: Tx, mode: 'exclusive' | 'shared') {
  await tx.execute(mode === 'exclusive' ? sql`select pg_advisory_xact_lock(hashtext('verity.flow-maintenance'))` : sql`select pg_advisory_xact_lock_shared(hashtext('verity.flow-maintenance'))`);
}

/** The rolled-up buckets of a cluster that start in [from, to). */
export async function readRollupMarks(tx: Tx, clusterId: string, from: Date, to: Date): Promise<RollupMarks> {
  const rows = rowsOf(
    await tx.execute(sql`
      SELECT width, (extract(epoch from bucket) * 1000)::float8 AS t FROM flow_rollup_marks
      WHERE cluster_id = ${clusterId} AND bucket >= ${from.toISOString()}::timestamptz AND bucket < ${to.toISOString()}::timestamptz`),
  );
  const tens = new Set<number>();
  const hours = new Set<number>();
  for (const r of rows) (Number(r.width) === 3600 ? hours : tens).add(Number(r.t));
  return { tens, hours, open: true };
}

function within(column: string, parts: Interval[]): SQL {
  const c = sql.raw(column);
  return sql.join(
    parts.map((p) => sql`(${c} >= ${new Date(p.from).toISOString()}::timestamptz AND ${c} < ${new Date(p.to).toISOString()}::timestamptz)`),
    sql` OR `,
  );
}

/**
 * A FROM-clause source of the flow rows of [from, to) in a cluster, with columns
 * `t` (the row's minute or bucket start), the key, `count` and `bytes`. Sum it: a key has
 * several rows. Row-level security applies to every table it reads.
 */
export function flowRowsIn(clusterId: string, range: { from: Date; to: Date }, marks: RollupMarks): SQL {
  const plan = planFlowRead(range, marks);
  const parts: SQL[] = [];
  if (plan.hours.length) parts.push(sql`SELECT bucket AS t, ${FLOW_KEY}, count, bytes FROM flow_hours WHERE cluster_id = ${clusterId} AND (${within('bucket', plan.hours)})`);
  if (plan.tens.length) parts.push(sql`SELECT bucket AS t, ${FLOW_KEY}, count, bytes FROM flow_ten_minutes WHERE cluster_id = ${clusterId} AND (${within('bucket', plan.tens)})`);
  for (const open of plan.open) {
    // The open ten's rows and the minutes after the minute they are complete through, decided
    // in this one statement, so the job replacing them meanwhile cannot split the two.
    const start = sql`${new Date(open.from).toISOString()}::timestamptz`;
    const end = sql`${new Date(open.to).toISOString()}::timestamptz`;
    parts.push(sql`SELECT bucket AS t, ${FLOW_KEY}, count, bytes FROM flow_open_tens WHERE cluster_id = ${clusterId} AND bucket = ${start} AND through <= ${end}`);
    // The literal lower bound lets the index narrow the scan; the computed one then applies.
    parts.push(sql`
      SELECT minute AS t, ${FLOW_KEY}, count, bytes FROM flow_minutes
      WHERE cluster_id = ${clusterId} AND minute >= ${start} AND minute < ${end}
        AND minute >= coalesce((SELECT max(through) FROM flow_open_tens WHERE cluster_id = ${clusterId} AND bucket = ${start} AND through <= ${end}), ${start})`);
  }
  // Also for an empty range, so the source always has its columns.
  if (plan.minutes.length || !parts.length) {
    const minutes = plan.minutes.length ? within('minute', plan.minutes) : sql`false`;
    parts.push(sql`SELECT minute AS t, ${FLOW_KEY}, count, bytes FROM flow_minutes WHERE cluster_id = ${clusterId} AND (${minutes})`);
  }
  return sql`(${sql.join(parts, sql` UNION ALL `)})`;
}
