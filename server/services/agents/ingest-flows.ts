// Stores aggregated flow records. flow_minutes is append-only: the agent sums per minute
// between flushes, so one (source, destination, port, protocol, mTLS, verdict, minute) may
// have a few rows (one per flush), and readers sum them. Appending, rather than merging into
// an existing row, is what lets one console take tens of thousands of records a second.
import { sql } from 'drizzle-orm';
import type { FlowBatch, FlowEndpoint } from '@/agent/protocol/messages';
import type { ServiceContext } from '../context';
import { inScope } from '../scope';
import { claimBatch, requireAgent } from './agent-principal';

const CHUNK = 10_000;

function endpoint(e: FlowEndpoint): [string, string, string] {
  return 'ip' in e ? ['', '', e.ip] : [e.namespace, e.workload, ''];
}

export async function ingestFlows(ctx: ServiceContext, batch: FlowBatch) {
  const agent = requireAgent(ctx);
  const days = new Set<string>();
  // Short keys keep the JSON parameter small; json_to_recordset names them below.
  const rows = batch.records.map((r) => {
    const minute = new Date(Math.floor(Date.parse(r.minute) / 60_000) * 60_000).toISOString();
    days.add(minute.slice(0, 10));
    const [sn, sw, si] = endpoint(r.source);
    const [dn, dw, di] = endpoint(r.destination);
    return { m: minute, sn, sw, si, dn, dw, di, p: r.port, pr: r.protocol, t: r.mtls, v: r.verdict, c: r.count, b: r.bytes ?? 0 };
  });
  return inScope(ctx, async (tx) => {
    if (!(await claimBatch(tx, agent.agentId, batch.batchId, 'flows', ctx.now()))) return { duplicate: true, stored: 0 };
    for (const day of days) await tx.execute(sql`select verity_ensure_flow_partitions(${day}::date, 1)`);
    for (let i = 0; i < rows.length; i += CHUNK) {
      // One JSON parameter expanded by json_to_recordset: far cheaper than binding 14
      // parameters a row, and the same on PostgreSQL and PGlite.
      await tx.execute(sql`
        INSERT INTO flow_minutes (cluster_id, minute, src_namespace, src_workload, src_ip, dst_namespace, dst_workload, dst_ip, port, protocol, mtls, verdict, count, bytes)
        SELECT ${agent.clusterId}::uuid, m, sn, sw, si, dn, dw, di, p, pr, t, v, c, b
        FROM json_to_recordset(${JSON.stringify(rows.slice(i, i + CHUNK))}::json)
          AS r(m timestamptz, sn text, sw text, si text, dn text, dw text, di text, p integer, pr text, t text, v text, c bigint, b bigint)`);
    }
    return { duplicate: false, stored: rows.length };
  });
}
