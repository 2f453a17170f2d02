// Per-workload usage over time, minute by minute, for the quota pages and the abuse rules:
// CPU and memory in use, the requests and limits behind them, and replicas, for the
// workloads of the tenants the caller may see (row-level security again underneath).
import { sql } from 'drizzle-orm';
import { z } from 'zod';
import { tenants } from '@/db/schema';
import { holdsPermissionInTenant } from '@/server/domain/authz/decide';
import { rowsOf } from '../audit/audit-query';
import { authorize } from '../authorize';
import type { ServiceContext } from '../context';
import { badInput } from '../errors';
import { inScope } from '../scope';

/** A week and an hour: the longest range the dashboards chart from minutes. */
export const MAX_USAGE_RANGE_MS = 7 * 24 * 3_600_000 + 3_600_000;

export const ReadWorkloadUsageInput = z.object({
  /** Inclusive start and exclusive end (whole minutes are read: a minute counts if it starts in the range). */
  from: z.coerce.date(),
  to: z.coerce.date(),
  tenantId: z.uuid().optional(),
  clusterId: z.uuid().optional(),
  namespace: z.string().min(1).max(63).optional(),
  workload: z.string().min(1).max(253).optional(),
});
export type ReadWorkloadUsageInput = z.input<typeof ReadWorkloadUsageInput>;

export interface WorkloadUsagePoint {
  /** Start of the minute (ms since the epoch). */
  minute: number;
  replicas: number;
  /** Summed over the workload's pods; 10^9 nanocores is one core. */
  cpuNanocores: number;
  memoryBytes: number;
  /** null: no container of the workload sets it. */
  cpuRequestNanocores: number | null;
  cpuLimitNanocores: number | null;
  memoryRequestBytes: number | null;
  memoryLimitBytes: number | null;
}

export interface WorkloadUsageSeries {
  clusterId: string;
  cluster: string;
  namespace: string;
  workload: string;
  kind: string;
  /** The tenant owning the namespace; null for a namespace no tenant owns (seen by global readers only). */
  tenantId: string | null;
  /** Ascending by minute, one point per minute that has a sample. */
  points: WorkloadUsagePoint[];
}

/**
 * Usage series for every workload in scope with a sample in [from, to). A user sees the
 * namespaces of tenants where they hold quota:read; the system principal sees all.
 */
export async function readWorkloadUsage(ctx: ServiceContext, raw: ReadWorkloadUsageInput): Promise<{ series: WorkloadUsageSeries[] }> {
  authorize(ctx, 'quota:read');
  const input = ReadWorkloadUsageInput.parse(raw);
  if (!(input.from.getTime() < input.to.getTime())) throw badInput('from', 'The range must start before it ends');
  if (input.to.getTime() - input.from.getTime() > MAX_USAGE_RANGE_MS) throw badInput('to', 'The range may span at most a week and an hour');
  const p = ctx.principal;
  return inScope(ctx, async (tx) => {
    // Tenants whose namespaces the caller may read; null: every namespace (system, or a global grant).
    let tenantIds: string[] | null = null;
    if (p.kind === 'user') {
      const visible = await tx.select({ id: tenants.id }).from(tenants);
      tenantIds = visible.filter((t) => holdsPermissionInTenant({ grants: p.grants, mfaVerified: p.mfaVerified }, 'quota:read', t.id).allowed).map((t) => t.id);
    }
    if (input.tenantId) tenantIds = (tenantIds ?? [input.tenantId]).filter((id) => id === input.tenantId);
    if (tenantIds && tenantIds.length === 0) return { series: [] };
    const tenantFilter = tenantIds
      ? sql`AND tn.tenant_id = ANY (string_to_array(${tenantIds.join(',')}, ',')::uuid[])`
      : sql``;
    const result = await tx.execute(sql`
      SELECT u.cluster_id::text AS cluster_id, c.name AS cluster, u.namespace, u.workload, max(u.kind) AS kind,
             tn.tenant_id::text AS tenant_id,
             (extract(epoch FROM u.minute) * 1000)::float8 AS minute,
             max(u.replicas)::float8 AS replicas,
             max(u.cpu_nanocores)::float8 AS cpu,
             max(u.memory_bytes)::float8 AS memory,
             max(u.cpu_request_nanocores)::float8 AS cpu_request,
             max(u.cpu_limit_nanocores)::float8 AS cpu_limit,
             max(u.memory_request_bytes)::float8 AS memory_request,
             max(u.memory_limit_bytes)::float8 AS memory_limit
      FROM workload_usage_minutes u
      JOIN clusters c ON c.id = u.cluster_id
      ${tenantIds ? sql`JOIN` : sql`LEFT JOIN`} tenant_namespaces tn ON tn.cluster_id = u.cluster_id AND tn.namespace = u.namespace
      WHERE u.minute >= ${input.from.toISOString()}::timestamptz AND u.minute < ${input.to.toISOString()}::timestamptz
        ${tenantFilter}
        ${input.clusterId ? sql`AND u.cluster_id = ${input.clusterId}::uuid` : sql``}
        ${input.namespace ? sql`AND u.namespace = ${input.namespace}` : sql``}
        ${input.workload ? sql`AND u.workload = ${input.workload}` : sql``}
      GROUP BY u.cluster_id, c.name, u.namespace, u.workload, tn.tenant_id, u.minute
      ORDER BY c.name, u.namespace, u.workload, u.minute`);
    const series: WorkloadUsageSeries[] = [];
    let current: WorkloadUsageSeries | undefined;
    for (const r of rowsOf(result)) {
      const clusterId = String(r.cluster_id);
      const namespace = String(r.namespace);
      const workload = String(r.workload);
      if (!current || current.clusterId !== clusterId || current.namespace !== namespace || current.workload !== workload) {
        current = { clusterId, cluster: String(r.cluster), namespace, workload, kind: String(r.kind), tenantId: r.tenant_id === null ? null : String(r.tenant_id), points: [] };
        series.push(current);
      }
      const num = (v: unknown) => (v === null || v === undefined ? null : Number(v));
      current.points.push({
        minute: Number(r.minute),
        replicas: Number(r.replicas),
        cpuNanocores: Number(r.cpu),
        memoryBytes: Number(r.memory),
        cpuRequestNanocores: num(r.cpu_request),
        cpuLimitNanocores: num(r.cpu_limit),
        memoryRequestBytes: num(r.memory_request),
        memoryLimitBytes: num(r.memory_limit),
      });
    }
    return { series };
  });
}
