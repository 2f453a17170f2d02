// What the graph verbs read about one cluster: which clusters and namespaces the caller
// may see (row-level security decides), the visible workloads, and the policy model
// (namespaces, workloads, NetworkPolicies, PeerAuthentications) the verdict explanations and
// mTLS modes are computed from.
import { and, asc, eq, inArray, sql } from 'drizzle-orm';
import type { Tx } from '@/db/client';
import { agents, clusters, inventoryObjects, tenantNamespaces, tenants } from '@/db/schema';
import { tenantScope } from '@/server/domain/authz/decide';
import type { FlowAggregate, TenantRef, Visibility } from '@/server/domain/graph';
import {
  NetpolEngine,
  readNetworkPolicy,
  readPeerAuthentication,
  resolveMtls,
  type EffectiveMtlsMode,
  type NetworkPolicy,
  type PeerAuthentication,
  type Workload,
} from '@/server/domain/netpol';
import type { ServiceContext } from '../context';
import { inAuthScope } from '../scope';
import { FLOW_KEY, flowRowsIn, readRollupMarks } from './flow-store';

export const AGENT_STALE_MS = 90_000;

export interface ClusterChoice {
  id: string;
  name: string;
  agent: 'connected' | 'silent' | 'none';
}

/** Clusters the caller may see (those hosting their tenants' namespaces; all for global scope). */
export async function visibleClusters(tx: Tx, ctx: ServiceContext): Promise<ClusterChoice[]> {
  let rows = await tx.select().from(clusters).orderBy(asc(clusters.name));
  const p = ctx.principal;
  if (p.kind === 'user' && !tenantScope(p.grants).allTenants) {
    const hosting = await tx.selectDistinct({ clusterId: tenantNamespaces.clusterId }).from(tenantNamespaces);
    const ids = new Set(hosting.map((h) => h.clusterId));
    rows = rows.filter((r) => ids.has(r.id));
  }
  const agentRows = rows.length ? await tx.select().from(agents).where(inArray(agents.clusterId, rows.map((r) => r.id))) : [];
  const now = ctx.now().getTime();
  return rows.map((c) => {
    const live = agentRows.filter((a) => a.clusterId === c.id && !a.revokedAt);
    const connected = live.some((a) => a.lastSeenAt && now - a.lastSeenAt.getTime() < AGENT_STALE_MS);
    return { id: c.id, name: c.name, agent: connected ? 'connected' : live.length ? 'silent' : 'none' };
  });
}

export async function readVisibility(tx: Tx, ctx: ServiceContext, clusterId: string): Promise<Visibility & { tenants: TenantRef[] }> {
  const p = ctx.principal;
  const allTenants = p.kind !== 'user' || tenantScope(p.grants).allTenants;
  // tenant_namespaces is under row-level security: a tenant-scoped caller gets only theirs.
  const rows = await tx
    .select({ namespace: tenantNamespaces.namespace, id: tenants.id, slug: tenants.slug, name: tenants.name })
    .from(tenantNamespaces)
    .innerJoin(tenants, eq(tenants.id, tenantNamespaces.tenantId))
    .where(eq(tenantNamespaces.clusterId, clusterId));
  const tenantOfNamespace = new Map<string, TenantRef>(rows.map((r) => [r.namespace, { id: r.id, slug: r.slug, name: r.name }]));
  const byId = new Map(rows.map((r) => [r.id, { id: r.id, slug: r.slug, name: r.name }]));
  return { allTenants, tenantOfNamespace, tenants: [...byId.values()].sort((a, b) => a.name.localeCompare(b.name)) };
}

export interface VisibleWorkload {
  namespace: string;
  name: string;
  object: Record<string, unknown>;
}

/** Workloads under the caller's own scope (row-level security applies). */
export async function readVisibleWorkloads(tx: Tx, clusterId: string): Promise<VisibleWorkload[]> {
  return tx
    .select({ namespace: inventoryObjects.namespace, name: inventoryObjects.name, object: inventoryObjects.object })
    .from(inventoryObjects)
    .where(and(eq(inventoryObjects.clusterId, clusterId), eq(inventoryObjects.kind, 'Workload')))
    .orderBy(asc(inventoryObjects.namespace), asc(inventoryObjects.name));
}

export interface RangeQuery {
  clusterId: string;
  from: Date;
  to: Date;
}

/**
 * Flow rows summed over the range, from the rollups where the range covers whole rolled-up
 * buckets and from the minutes elsewhere (flow-store.ts); row-level security keeps flows with
 * neither end visible out. The rows come back as one JSON text: thousands of rows decoded
 * field by field cost the embedded database several times what the query itself does.
 */
export async function readFlowAggregates(tx: Tx, q: RangeQuery): Promise<FlowAggregate[]> {
  const marks = await readRollupMarks(tx, q.clusterId, q.from, q.to);
  // Summing by the ten key columns is a job for a hash table. Without fresh statistics (the
  // embedded database never analyzes; new partitions have none) the planner expects a few
  // rows and sorts them instead: 140,000 rows sorted by ten text columns took 450 ms of 750.
  await tx.execute(sql`select set_config('enable_sort', 'off', true)`);
  const result = await tx.execute(sql`
    SELECT coalesce(json_agg(json_build_array(src_namespace, src_workload, src_ip, dst_namespace, dst_workload, dst_ip, port, protocol, mtls, verdict, c, b)), '[]')::text AS rows
    FROM (
      SELECT ${FLOW_KEY}, sum(count)::float8 AS c, sum(bytes)::float8 AS b
      FROM ${flowRowsIn(q.clusterId, q, marks)} AS flows
      GROUP BY ${FLOW_KEY}
    ) AS summed`);
  await tx.execute(sql`select set_config('enable_sort', 'on', true)`);
  const rows = (Array.isArray(result) ? result : (result as { rows: unknown[] }).rows) as { rows: string }[];
  const list = JSON.parse(rows[0]?.rows ?? '[]') as [string, string, string, string, string, string, number, string, FlowAggregate['mtls'], FlowAggregate['verdict'], number, number][];
  return list.map((r) => ({
    srcNamespace: r[0],
    srcWorkload: r[1],
    srcIp: r[2],
    dstNamespace: r[3],
    dstWorkload: r[4],
    dstIp: r[5],
    port: r[6],
    protocol: r[7],
    mtls: r[8],
    verdict: r[9],
    count: r[10],
    bytes: r[11],
  }));
}

/** Visible workloads' names (row-level security applies). */
export async function readWorkloadNames(tx: Tx, clusterId: string): Promise<{ namespace: string; name: string }[]> {
  return tx
    .select({ namespace: inventoryObjects.namespace, name: inventoryObjects.name })
    .from(inventoryObjects)
    .where(and(eq(inventoryObjects.clusterId, clusterId), eq(inventoryObjects.kind, 'Workload')))
    .orderBy(asc(inventoryObjects.namespace), asc(inventoryObjects.name));
}

/**
 * Effective mTLS modes for the graph from every PeerAuthentication in the cluster (the
 * mesh-wide one lives in istio-system, which a tenant cannot see, so this read runs with
 * cluster-wide scope and returns nothing but modes). Workload labels are read only in the
 * namespaces where a PeerAuthentication selects workloads by label.
 */
export async function readMtlsModes(ctx: ServiceContext, clusterId: string): Promise<(namespace: string, workload: string, port?: number) => EffectiveMtlsMode> {
  const { peerAuthentications, labelsOf } = await inAuthScope(ctx, async (tx) => {
    const rows = await tx
      .select({ object: inventoryObjects.object })
      .from(inventoryObjects)
      .where(and(eq(inventoryObjects.clusterId, clusterId), eq(inventoryObjects.kind, 'PeerAuthentication')));
    const peerAuthentications = rows.map((r) => readPeerAuthentication(r.object).policy).filter((p): p is PeerAuthentication => p !== null);
    const selecting = [...new Set(peerAuthentications.filter((p) => p.selector !== null).map((p) => p.namespace))];
    const labelled = selecting.length
      ? await tx
          .select({ namespace: inventoryObjects.namespace, name: inventoryObjects.name, labels: sql<unknown>`${inventoryObjects.object} -> 'labels'` })
          .from(inventoryObjects)
          .where(and(eq(inventoryObjects.clusterId, clusterId), eq(inventoryObjects.kind, 'Workload'), inArray(inventoryObjects.namespace, selecting)))
      : [];
    return { peerAuthentications, labelsOf: new Map(labelled.map((w) => [`${w.namespace}/${w.name}`, stringMap(w.labels)])) };
  });
  const modes = new Map<string, EffectiveMtlsMode>();
  return (namespace, workload, port) => {
    const key = `${namespace}/${workload}:${port ?? ''}`;
    let m = modes.get(key);
    if (!m) {
      m = resolveMtls(peerAuthentications, { namespace, labels: labelsOf.get(`${namespace}/${workload}`) ?? {} }, port).mode;
      modes.set(key, m);
    }
    return m;
  };
}

export interface PolicyModel {
  namespaces: { name: string; labels: Record<string, string> }[];
  workloads: Workload[];
  policies: NetworkPolicy[];
  peerAuthentications: PeerAuthentication[];
  modeOf(namespace: string, workload: string, port?: number): EffectiveMtlsMode;
  engine(): NetpolEngine;
  memberIndex(namespace: string, workload: string): number | undefined;
}

function stringMap(v: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) if (typeof x === 'string') out[k] = x;
  return out;
}

/**
 * The cluster's whole policy model. A verdict or an mTLS mode depends on objects outside the
 * caller's tenants (the mesh-wide PeerAuthentication in istio-system, the other end's labels
 * and egress policies), so this one read runs with cluster-wide scope. What it returns is used
 * for computing only; callers return nothing from it about namespaces the caller cannot see.
 */
export async function readPolicyModel(ctx: ServiceContext, clusterId: string): Promise<PolicyModel> {
  const rows = await inAuthScope(ctx, (tx) =>
    tx
      .select({ kind: inventoryObjects.kind, namespace: inventoryObjects.namespace, name: inventoryObjects.name, object: inventoryObjects.object })
      .from(inventoryObjects)
      .where(and(eq(inventoryObjects.clusterId, clusterId), inArray(inventoryObjects.kind, ['Namespace', 'Workload', 'NetworkPolicy', 'PeerAuthentication']))),
  );
  const namespaces = rows
    .filter((r) => r.kind === 'Namespace')
    .map((r) => ({ name: r.name, labels: stringMap((r.object.metadata as Record<string, unknown> | undefined)?.labels) }));
  const workloads: Workload[] = rows
    .filter((r) => r.kind === 'Workload')
    .map((r) => {
      const o = r.object as { labels?: unknown; ips?: unknown; ports?: unknown; ownerKind?: unknown };
      const ports = Array.isArray(o.ports) ? (o.ports as Workload['ports']).map((p) => ({ ...p, protocol: p.protocol ?? 'TCP' })) : [];
      return { id: `${r.namespace}/${r.name}`, kind: typeof o.ownerKind === 'string' ? o.ownerKind : 'Deployment', namespace: r.namespace, name: r.name, labels: stringMap(o.labels), ips: Array.isArray(o.ips) ? (o.ips as string[]) : [], ports };
    });
  const policies = rows
    .filter((r) => r.kind === 'NetworkPolicy')
    .map((r) => readNetworkPolicy(r.object).policy)
    .filter((p): p is NetworkPolicy => p !== null);
  const peerAuthentications = rows
    .filter((r) => r.kind === 'PeerAuthentication')
    .map((r) => readPeerAuthentication(r.object).policy)
    .filter((p): p is PeerAuthentication => p !== null);
  const index = new Map(workloads.map((w, i) => [`${w.namespace}/${w.name}`, i]));
  const modes = new Map<string, EffectiveMtlsMode>();
  let engine: NetpolEngine | undefined;
  return {
    namespaces,
    workloads,
    policies,
    peerAuthentications,
    modeOf(namespace, workload, port) {
      const key = `${namespace}/${workload}:${port ?? ''}`;
      let m = modes.get(key);
      if (!m) {
        const i = index.get(`${namespace}/${workload}`);
        const labels = i === undefined ? {} : workloads[i]!.labels;
        m = resolveMtls(peerAuthentications, { namespace, labels }, port).mode;
        modes.set(key, m);
      }
      return m;
    },
    engine() {
      return (engine ??= new NetpolEngine({ namespaces, members: workloads, policies }));
    },
    memberIndex: (namespace, workload) => index.get(`${namespace}/${workload}`),
  };
}
