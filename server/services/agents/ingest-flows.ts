// Stores aggregated flow records: one row per (cluster, minute, source, destination, port,
// protocol, mTLS, verdict), counts added when the same key arrives again in a later batch.
import { sql } from 'drizzle-orm';
import type { FlowBatch, FlowEndpoint } from '@/agent/protocol/messages';
import { flowMinutes } from '@/db/schema';
import type { ServiceContext } from '../context';
import { inScope } from '../scope';
import { claimBatch, requireAgent } from './agent-principal';

// 14 columns a row: 4,000 rows stay under PostgreSQL's 65,535 bind parameters.
const CHUNK = 4_000;

function endpoint(e: FlowEndpoint) {
  return 'ip' in e ? { ns: '', workload: '', ip: e.ip } : { ns: e.namespace, workload: e.workload, ip: '' };
}

export async function ingestFlows(ctx: ServiceContext, batch: FlowBatch) {
  const agent = requireAgent(ctx);
  const rows = new Map<string, typeof flowMinutes.$inferInsert>();
  const days = new Set<string>();
  for (const r of batch.records) {
    const minute = new Date(Math.floor(Date.parse(r.minute) / 60_000) * 60_000);
    const s = endpoint(r.source);
    const d = endpoint(r.destination);
    const key = [minute.getTime(), s.ns, s.workload, s.ip, d.ns, d.workload, d.ip, r.port, r.protocol, r.mtls, r.verdict].join('\u0000');
    const prev = rows.get(key);
    if (prev) {
      prev.count += r.count;
      prev.bytes = (prev.bytes ?? 0) + (r.bytes ?? 0);
      continue;
    }
    days.add(minute.toISOString().slice(0, 10));
    rows.set(key, {
      clusterId: agent.clusterId,
      minute,
      srcNamespace: s.ns,
      srcWorkload: s.workload,
      srcIp: s.ip,
      dstNamespace: d.ns,
      dstWorkload: d.workload,
      dstIp: d.ip,
      port: r.port,
      protocol: r.protocol,
      mtls: r.mtls,
      verdict: r.verdict,
      count: r.count,
      bytes: r.bytes ?? 0,
    });
  }
  const values = [...rows.values()];
  return inScope(ctx, async (tx) => {
    if (!(await claimBatch(tx, agent.agentId, batch.batchId, 'flows', ctx.now()))) return { duplicate: true, stored: 0 };
    for (const day of days) await tx.execute(sql`select verity_ensure_flow_partitions(${day}::date, 1)`);
    for (let i = 0; i < values.length; i += CHUNK) {
      await tx
        .insert(flowMinutes)
        .values(values.slice(i, i + CHUNK))
        .onConflictDoUpdate({
          target: [flowMinutes.clusterId, flowMinutes.minute, flowMinutes.srcNamespace, flowMinutes.srcWorkload, flowMinutes.srcIp, flowMinutes.dstNamespace, flowMinutes.dstWorkload, flowMinutes.dstIp, flowMinutes.port, flowMinutes.protocol, flowMinutes.mtls, flowMinutes.verdict],
          set: { count: sql`${flowMinutes.count} + excluded.count`, bytes: sql`${flowMinutes.bytes} + excluded.bytes` },
        });
    }
    return { duplicate: false, stored: values.length };
  });
}
