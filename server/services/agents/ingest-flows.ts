// Stores aggregated flow records. flow_minutes is append-only: the agent sums per minute
// between flushes, so one (source, destination, port, protocol, mTLS, verdict, minute) may
// have a few rows (one per flush), and readers sum them. Appending, rather than merging into
// an existing row, is what lets one console take tens of thousands of records a second.
// Records for a bucket the roll-up job already summed (an agent that was cut off sends its
// backlog late) are appended to that rollup too, so the rollups keep equalling the minutes.
import { sql } from 'drizzle-orm';
import type { FlowBatch, FlowEndpoint } from '@/agent/protocol/messages';
import type { Tx } from '@/db/client';
import { bucketStart, HOUR_MS, TEN_MINUTES_MS } from '@/server/domain/graph';
import { rowsOf } from '../audit/audit-query';
import type { ServiceContext } from '../context';
import { lockClusterFlows, readRollupMarks } from '../graph/flow-store';
import { inScope } from '../scope';
import { claimBatch, requireAgent } from './agent-principal';

const CHUNK = 10_000;

type Row = { m: string; sn: string; sw: string; si: string; dn: string; dw: string; di: string; p: number; pr: string; t: string; v: string; c: number; b: number };

async function insertRows(tx: Tx, table: 'flow_minutes' | 'flow_ten_minutes' | 'flow_hours' | 'flow_open_tens', clusterId: string, rows: Row[], through?: string) {
  const time = sql.raw(table === 'flow_minutes' ? 'minute' : table === 'flow_open_tens' ? 'bucket, through' : 'bucket');
  const throughValue = through ? sql`, ${through}::timestamptz` : sql``;
  for (let i = 0; i < rows.length; i += CHUNK) {
    // One JSON parameter expanded by json_to_recordset: far cheaper than binding 14
    // parameters a row, and the same on PostgreSQL and PGlite.
    await tx.execute(sql`
      INSERT INTO ${sql.raw(table)} (cluster_id, ${time}, src_namespace, src_workload, src_ip, dst_namespace, dst_workload, dst_ip, port, protocol, mtls, verdict, count, bytes)
      SELECT ${clusterId}::uuid, m${throughValue}, sn, sw, si, dn, dw, di, p, pr, t, v, c, b
      FROM json_to_recordset(${JSON.stringify(rows.slice(i, i + CHUNK))}::json)
        AS r(m timestamptz, sn text, sw text, si text, dn text, dw text, di text, p integer, pr text, t text, v text, c bigint, b bigint)`);
  }
}

/**
 * Appends the records of already rolled-up buckets to those rollups, at the bucket's start, and
 * those of the open ten's complete minutes to its partial sum. A batch of current minutes (the
 * usual case) starts after everything rolled, and costs two lookups and no work per record.
 */
async function appendLateRecords(tx: Tx, clusterId: string, rows: Row[]) {
  const times = rows.map((r) => Date.parse(r.m));
  let first = Infinity;
  let last = -Infinity;
  for (const t of times) {
    if (t < first) first = t;
    if (t > last) last = t;
  }
  const marks = await readRollupMarks(tx, clusterId, new Date(bucketStart(first, HOUR_MS)), new Date(last + 1));
  // Every row of a cluster's open sum has the same bucket and the same "through".
  const [open] = rowsOf(
    await tx.execute(sql`
      SELECT (extract(epoch from bucket) * 1000)::float8 AS bucket, (extract(epoch from through) * 1000)::float8 AS until
      FROM flow_open_tens WHERE cluster_id = ${clusterId} LIMIT 1`),
  );
  const late = (width: number, rolled: (start: number, t: number) => boolean) =>
    rows.flatMap((r, i) => {
      const start = bucketStart(times[i]!, width);
      return rolled(start, times[i]!) ? [{ ...r, m: new Date(start).toISOString() }] : [];
    });
  // Buckets are rolled in time order: nothing in this batch is late unless it starts before the newest rolled one ends.
  if (first < Math.max(-Infinity, ...marks.tens) + TEN_MINUTES_MS) await insertRows(tx, 'flow_ten_minutes', clusterId, late(TEN_MINUTES_MS, (start) => marks.tens.has(start)));
  if (first < Math.max(-Infinity, ...marks.hours) + HOUR_MS) await insertRows(tx, 'flow_hours', clusterId, late(HOUR_MS, (start) => marks.hours.has(start)));
  if (open && first < Number(open.until)) {
    const through = new Date(Number(open.until)).toISOString();
    await insertRows(tx, 'flow_open_tens', clusterId, late(TEN_MINUTES_MS, (start, t) => start === Number(open.bucket) && t < Number(open.until)), through);
  }
}

function endpoint(e: FlowEndpoint): [string, string, string] {
  return 'ip' in e ? ['', '', e.ip] : [e.namespace, e.workload, ''];
}

export async function ingestFlows(ctx: ServiceContext, batch: FlowBatch) {
  const agent = requireAgent(ctx);
  const days = new Set<string>();
  // Short keys keep the JSON parameter small; json_to_recordset names them below.
  const rows: Row[] = batch.records.map((r) => {
    const minute = new Date(Math.floor(Date.parse(r.minute) / 60_000) * 60_000).toISOString();
    days.add(minute.slice(0, 10));
    const [sn, sw, si] = endpoint(r.source);
    const [dn, dw, di] = endpoint(r.destination);
    return { m: minute, sn, sw, si, dn, dw, di, p: r.port, pr: r.protocol, t: r.mtls, v: r.verdict, c: r.count, b: r.bytes ?? 0 };
  });
  return inScope(ctx, async (tx) => {
    // Shared with other batches, exclusive against the roll-up job (see flow-store.ts); taken
    // first, as the job does, so creating a partition below cannot deadlock against it.
    await lockClusterFlows(tx, agent.clusterId, 'shared');
    if (!(await claimBatch(tx, agent.agentId, batch.batchId, 'flows', ctx.now()))) return { duplicate: true, stored: 0 };
    for (const day of days) await tx.execute(sql`select verity_ensure_flow_partitions(${day}::date, 1)`);
    await insertRows(tx, 'flow_minutes', agent.clusterId, rows);
    if (rows.length) await appendLateRecords(tx, agent.clusterId, rows);
    return { duplicate: false, stored: rows.length };
  });
}
