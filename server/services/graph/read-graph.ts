// graph.read: the traffic graph of one cluster over a time range, at a level of detail,
// with the posture banner's figures, the search index of visible workloads and the stored
// layouts, so the browser can draw at once without waiting for a layout. It sends what
// drawing needs; an edge's ports and who is still plaintext come with its side panel.
import { and, eq, inArray } from 'drizzle-orm';
import { z } from 'zod';
import { graphLayouts, type StoredLayout } from '@/db/schema/hand-written/graph';
import {
  filterEdges,
  levelOfDetail,
  posture,
  workloadEdges,
  type DrawnEdge,
  type GraphNode,
  type Level,
  type Posture,
  type TenantRef,
} from '@/server/domain/graph';
import { authorize } from '../authorize';
import type { ServiceContext } from '../context';
import { badInput, notFound } from '../errors';
import { inScope } from '../scope';
import { type ClusterChoice, readFlowAggregates, readMtlsModes, readVisibility, readWorkloadNames, visibleClusters } from './cluster-model';

export const RANGES = { '5m': 5 * 60_000, '1h': 3_600_000, '1d': 86_400_000 } as const;
const MAX_CUSTOM_MS = 31 * 86_400_000;

const Name = z.string().min(1).max(253);
export const GraphQuery = z
  .object({
    clusterId: z.uuid().optional(),
    range: z.enum(['5m', '1h', '1d', 'custom']).default('1h'),
    from: z.date().optional(),
    to: z.date().optional(),
    tenants: z.array(Name).max(100).optional(),
    namespaces: z.array(Name).max(500).optional(),
    mtls: z.array(z.enum(['mutual', 'plaintext', 'mixed', 'unknown'])).max(4).optional(),
    verdicts: z.array(z.enum(['allowed', 'denied', 'dropped'])).max(3).optional(),
    strict: z.boolean().optional(),
    level: z.enum(['tenant', 'namespace', 'workload']).optional(),
    open: z.array(z.string().min(1).max(300)).max(1000).optional(),
  })
  .default({ range: '1h' });
export type GraphQuery = z.infer<typeof GraphQuery>;

export function resolveRange(q: Pick<GraphQuery, 'range' | 'from' | 'to'>, now: Date): { from: Date; to: Date } {
  if (q.range === 'custom') {
    const to = q.to ?? now;
    const from = q.from ?? new Date(to.getTime() - RANGES['1h']);
    if (from >= to) throw badInput('from', 'The range must start before it ends');
    if (to.getTime() - from.getTime() > MAX_CUSTOM_MS) return { from: new Date(to.getTime() - MAX_CUSTOM_MS), to };
    return { from, to };
  }
  // Minutes are stored at their start: include the current, still-filling minute.
  const to = new Date(Math.ceil((now.getTime() + 1) / 60_000) * 60_000);
  return { from: new Date(now.getTime() - RANGES[q.range]), to };
}

export interface GraphResult {
  clusters: ClusterChoice[];
  cluster: ClusterChoice | null;
  tenants: TenantRef[];
  namespaces: string[];
  from: Date;
  to: Date;
  level: Level;
  nodes: GraphNode[];
  edges: DrawnEdge[];
  posture: Posture;
  /** Every visible workload as "namespace/name", for the search box. */
  workloads: string[];
  /** Whether any flow was recorded in the range (before filters). */
  hasFlows: boolean;
  layouts: Record<string, StoredLayout>;
  /** The key of the group layout for this caller's set of visible tenants. */
  groupLayoutKey: string;
}

export function groupLayoutKey(v: { allTenants: boolean; tenants: TenantRef[] }): { key: string; tenantIds: string[] } {
  if (v.allTenants) return { key: 'groups:all', tenantIds: [] };
  const ids = v.tenants.map((t) => t.id).sort();
  return { key: `groups:${ids.join(',')}`, tenantIds: ids };
}

export async function readGraph(ctx: ServiceContext, rawInput: GraphQuery | undefined): Promise<GraphResult> {
  authorize(ctx, 'graph:read');
  const input = GraphQuery.parse(rawInput);
  const now = ctx.now();
  const range = resolveRange(input, now);
  const scoped = await inScope(ctx, async (tx) => {
    const clusters = await visibleClusters(tx, ctx);
    const cluster = input.clusterId ? clusters.find((c) => c.id === input.clusterId) : (clusters.find((c) => c.agent !== 'none') ?? clusters[0]);
    if (input.clusterId && !cluster) throw notFound('Cluster');
    if (!cluster) return { clusters, cluster: null } as const;
    const visibility = await readVisibility(tx, ctx, cluster.id);
    const workloads = await readWorkloadNames(tx, cluster.id);
    const rows = await readFlowAggregates(tx, { clusterId: cluster.id, ...range });
    return { clusters, cluster, visibility, workloads, rows } as const;
  });
  const empty: Posture = { edges: 0, mutualEdges: 0, plaintextEdges: 0, mixedEdges: 0, mtlsShare: null, plaintextOnStrictEdges: 0, deniedAttempts: 0, deniedEdges: 0 };
  if (!scoped.cluster) {
    return { clusters: scoped.clusters, cluster: null, tenants: [], namespaces: [], ...range, level: 'workload', nodes: [], edges: [], posture: empty, workloads: [], hasFlows: false, layouts: {}, groupLayoutKey: 'groups:none' };
  }
  const { cluster, visibility, workloads, rows } = scoped;
  const modeOf = await readMtlsModes(ctx, cluster.id);
  const all = workloadEdges(rows, visibility, (ns, wl, port) => modeOf(ns, wl, port));
  const filters = { tenants: input.tenants, namespaces: input.namespaces, mtls: input.mtls, verdicts: input.verdicts, strictViolations: input.strict };
  const kept = filterEdges(all, filters, visibility);
  const rangeSeconds = (range.to.getTime() - range.from.getTime()) / 1000;
  const graph = levelOfDetail({ visibility, workloads, edges: kept, filters, view: { level: input.level, open: input.open }, rangeSeconds });

  const group = groupLayoutKey(visibility);
  const nsKeys = [...new Set(graph.nodes.filter((n) => n.kind === 'namespace' && n.expanded).map((n) => `ns:${n.namespace}`))];
  const layoutRows = await inScope(ctx, (tx) =>
    tx
      .select({ key: graphLayouts.layoutKey, positions: graphLayouts.positions })
      .from(graphLayouts)
      .where(and(eq(graphLayouts.clusterId, cluster.id), inArray(graphLayouts.layoutKey, [group.key, ...nsKeys]))),
  );
  const namespaces = [...new Set([...workloads.map((w) => w.namespace), ...visibility.tenantOfNamespace.keys()])].sort();
  return {
    clusters: scoped.clusters,
    cluster,
    tenants: visibility.tenants,
    namespaces,
    ...range,
    level: graph.level,
    nodes: graph.nodes,
    edges: graph.edges.map((e) => ({ id: e.id, source: e.source, target: e.target, mtls: e.mtls, verdict: e.verdict, perSecond: Number(e.perSecond.toPrecision(4)), plaintextOnStrict: e.plaintextOnStrict, members: e.members, total: e.counts.total })),
    posture: posture(all),
    workloads: workloads.map((w) => `${w.namespace}/${w.name}`),
    hasFlows: rows.length > 0,
    layouts: Object.fromEntries(layoutRows.map((r) => [r.key, r.positions])),
    groupLayoutKey: group.key,
  };
}
