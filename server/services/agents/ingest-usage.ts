// Stores the agent's usage samples: per-workload CPU, memory and replicas, and each
// ResourceQuota's used/hard, per minute. The minute tables are append-only like
// flow_minutes; the hourly and 10-minute quota rollups are brought up to date in the same
// transaction, so a week's or a day's chart never reads minutes. Quantities arrive as Kubernetes strings and are stored
// as exact nano-units (server/domain/quotas/quantity.ts).
import { sql } from 'drizzle-orm';
import type { UsageBatch } from '@/agent/protocol/messages';
import { parseQuantity } from '@/server/domain/quotas/quantity';
import type { ServiceContext } from '../context';
import { badInput } from '../errors';
import { inScope } from '../scope';
import { claimBatch, requireAgent } from './agent-principal';

const CHUNK = 5_000;
const NANOS_PER_UNIT = 1_000_000_000n;

function nanos(q: string, field: string): bigint {
  const parsed = parseQuantity(q);
  if (!parsed.ok) throw badInput(field, parsed.error);
  return parsed.quantity.nanos;
}

/** A memory quantity in whole bytes, rounded up as Kubernetes rounds a fraction of a byte. */
function bytes(q: string, field: string): bigint {
  const n = nanos(q, field);
  return n <= 0n ? 0n : (n + NANOS_PER_UNIT - 1n) / NANOS_PER_UNIT;
}

const floorMinute = (iso: string) => new Date(Math.floor(Date.parse(iso) / 60_000) * 60_000);

export async function ingestUsage(ctx: ServiceContext, batch: UsageBatch) {
  const agent = requireAgent(ctx);
  const days = new Set<string>();
  // Everything is parsed before the transaction: a bad quantity stores nothing.
  const workloads = batch.workloads.map((w, i) => {
    const minute = floorMinute(w.minute).toISOString();
    days.add(minute.slice(0, 10));
    const at = `workloads.${i}`;
    const opt = (q: string | undefined, f: string, conv: (q: string, f: string) => bigint) => (q === undefined ? null : conv(q, f).toString());
    return {
      m: minute,
      ns: w.namespace,
      w: w.workload,
      k: w.kind,
      r: w.replicas,
      c: nanos(w.usage.cpu, `${at}.usage.cpu`).toString(),
      mem: bytes(w.usage.memory, `${at}.usage.memory`).toString(),
      cr: opt(w.requests.cpu, `${at}.requests.cpu`, nanos),
      cl: opt(w.limits.cpu, `${at}.limits.cpu`, nanos),
      mr: opt(w.requests.memory, `${at}.requests.memory`, bytes),
      ml: opt(w.limits.memory, `${at}.limits.memory`, bytes),
    };
  });
  const hours = new Map<string, { ns: string; q: string; res: string; h: string; max: bigint; last: bigint; hard: bigint; lm: string }>();
  // The day chart's bins: the highest used and the lowest hard of the bin's minutes.
  const tens = new Map<string, { ns: string; q: string; res: string; b: string; max: bigint; min: bigint }>();
  const quotas = batch.quotas.map((q, i) => {
    const minute = floorMinute(q.minute).toISOString();
    days.add(minute.slice(0, 10));
    const hour = new Date(Math.floor(Date.parse(minute) / 3_600_000) * 3_600_000).toISOString();
    // Whole minutes since the epoch, so this is date_bin('10 minutes', minute, '2000-01-01').
    const bin = new Date(Math.floor(Date.parse(minute) / 600_000) * 600_000).toISOString();
    const resources = Object.keys(q.hard).sort();
    // A used amount without a limit is not stored, but a batch carrying an unreadable one is
    // still refused, as every other bad quantity is.
    for (const r of Object.keys(q.used)) if (!(r in q.hard)) nanos(q.used[r]!, `quotas.${i}.used.${r}`);
    const used = resources.map((r) => (q.used[r] === undefined ? 0n : nanos(q.used[r]!, `quotas.${i}.used.${r}`)));
    const hard = resources.map((r) => nanos(q.hard[r]!, `quotas.${i}.hard.${r}`));
    resources.forEach((res, j) => {
      const key = [q.namespace, q.name, res, hour].join('\0');
      const h = hours.get(key);
      if (!h) hours.set(key, { ns: q.namespace, q: q.name, res, h: hour, max: used[j]!, last: used[j]!, hard: hard[j]!, lm: minute });
      else {
        if (used[j]! > h.max) h.max = used[j]!;
        if (minute >= h.lm) Object.assign(h, { last: used[j]!, hard: hard[j]!, lm: minute });
      }
      const tenKey = [q.namespace, q.name, res, bin].join('\0');
      const ten = tens.get(tenKey);
      if (!ten) tens.set(tenKey, { ns: q.namespace, q: q.name, res, b: bin, max: used[j]!, min: hard[j]! });
      else {
        if (used[j]! > ten.max) ten.max = used[j]!;
        if (hard[j]! < ten.min) ten.min = hard[j]!;
      }
    });
    return { m: minute, ns: q.namespace, q: q.name, res: resources, u: used.map(String), h: hard.map(String) };
  });
  const rollup = [...hours.values()].map((h) => ({ ...h, max: h.max.toString(), last: h.last.toString(), hard: h.hard.toString() }));
  const tenRollup = [...tens.values()].map((t) => ({ ...t, max: t.max.toString(), min: t.min.toString() }));

  return inScope(ctx, async (tx) => {
    if (!(await claimBatch(tx, agent.agentId, batch.batchId, 'usage', ctx.now()))) return { duplicate: true, workloads: 0, quotas: 0 };
    for (const day of days) await tx.execute(sql`select verity_ensure_usage_partitions(${day}::date, 1)`);
    for (let i = 0; i < workloads.length; i += CHUNK) {
      await tx.execute(sql`
        INSERT INTO workload_usage_minutes (cluster_id, minute, namespace, workload, kind, replicas, cpu_nanocores, memory_bytes, cpu_request_nanocores, cpu_limit_nanocores, memory_request_bytes, memory_limit_bytes)
        SELECT ${agent.clusterId}::uuid, m, ns, w, k, r, c, mem, cr, cl, mr, ml
        FROM json_to_recordset(${JSON.stringify(workloads.slice(i, i + CHUNK))}::json)
          AS x(m timestamptz, ns text, w text, k text, r integer, c bigint, mem bigint, cr bigint, cl bigint, mr bigint, ml bigint)`);
    }
    for (let i = 0; i < quotas.length; i += CHUNK) {
      await tx.execute(sql`
        INSERT INTO quota_usage_minutes (cluster_id, minute, namespace, quota, resources, used_nanos, hard_nanos)
        SELECT ${agent.clusterId}::uuid, m, ns, q, res, u, h
        FROM json_to_recordset(${JSON.stringify(quotas.slice(i, i + CHUNK))}::json)
          AS x(m timestamptz, ns text, q text, res text[], u numeric[], h numeric[])`);
    }
    for (let i = 0; i < rollup.length; i += CHUNK) {
      // Each key appears once per statement (pre-merged above), so ON CONFLICT sees it once.
      await tx.execute(sql`
        INSERT INTO quota_usage_hours AS t (cluster_id, namespace, quota, resource, hour, max_used_nanos, last_used_nanos, last_hard_nanos, last_minute)
        SELECT ${agent.clusterId}::uuid, ns, q, res, h, max, last, hard, lm
        FROM json_to_recordset(${JSON.stringify(rollup.slice(i, i + CHUNK))}::json)
          AS x(ns text, q text, res text, h timestamptz, max numeric, last numeric, hard numeric, lm timestamptz)
        ON CONFLICT (cluster_id, namespace, hour, quota, resource) DO UPDATE SET
          max_used_nanos = greatest(t.max_used_nanos, excluded.max_used_nanos),
          last_used_nanos = CASE WHEN excluded.last_minute >= t.last_minute THEN excluded.last_used_nanos ELSE t.last_used_nanos END,
          last_hard_nanos = CASE WHEN excluded.last_minute >= t.last_minute THEN excluded.last_hard_nanos ELSE t.last_hard_nanos END,
          last_minute = greatest(t.last_minute, excluded.last_minute)`);
    }
    for (let i = 0; i < tenRollup.length; i += CHUNK) {
      await tx.execute(sql`
        INSERT INTO quota_usage_ten_minutes AS t (cluster_id, namespace, quota, resource, bin, max_used_nanos, min_hard_nanos)
        SELECT ${agent.clusterId}::uuid, ns, q, res, b, max, min
        FROM json_to_recordset(${JSON.stringify(tenRollup.slice(i, i + CHUNK))}::json)
          AS x(ns text, q text, res text, b timestamptz, max numeric, min numeric)
        ON CONFLICT (cluster_id, namespace, bin, quota, resource) DO UPDATE SET
          max_used_nanos = greatest(t.max_used_nanos, excluded.max_used_nanos),
          min_hard_nanos = least(t.min_hard_nanos, excluded.min_hard_nanos)`);
    }
    return { duplicate: false, workloads: workloads.length, quotas: quotas.length };
  });
}
