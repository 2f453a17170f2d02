// Builds the graph the console draws from flow aggregates: workload-level edges first
// (filters apply there, where they are exact), then grouped to the level of detail asked
// for, so that a cluster of thousands of workloads arrives as a few dozen groups and their
// aggregated edges until someone expands one.
import {
  NO_TENANT,
  type Endpoint,
  type Visibility,
  namespaceId,
  namespaceVisible,
  resolveEndpoint,
  tenantKeyOf,
  workloadId,
} from './endpoints';
import type {
  FlowAggregate,
  GraphEdge,
  GraphFilters,
  GraphNode,
  GraphView,
  Level,
  ModeOf,
  MtlsClass,
  PlaintextShare,
  PortStats,
  Posture,
  TrafficCounts,
  VerdictClass,
} from './model';

/** Above this many nodes the automatic level steps up from workloads to namespaces to tenants. */
export const NODE_BUDGET = 150;

export const emptyCounts = (): TrafficCounts => ({ total: 0, bytes: 0, mutual: 0, plaintext: 0, unknown: 0, allowed: 0, denied: 0, dropped: 0 });

export function addCounts(into: TrafficCounts, from: TrafficCounts): void {
  into.total += from.total;
  into.bytes += from.bytes;
  into.mutual += from.mutual;
  into.plaintext += from.plaintext;
  into.unknown += from.unknown;
  into.allowed += from.allowed;
  into.denied += from.denied;
  into.dropped += from.dropped;
}

export function classifyMtls(c: Pick<TrafficCounts, 'mutual' | 'plaintext'>): MtlsClass {
  if (c.plaintext > 0 && c.mutual > 0) return 'mixed';
  if (c.plaintext > 0) return 'plaintext';
  if (c.mutual > 0) return 'mutual';
  return 'unknown';
}

export function classifyVerdict(c: Pick<TrafficCounts, 'allowed' | 'denied' | 'dropped'>): VerdictClass {
  const kinds = (['allowed', 'denied', 'dropped'] as const).filter((k) => c[k] > 0);
  return kinds.length === 1 ? kinds[0]! : kinds.length === 0 ? 'allowed' : 'mixed';
}

export function plaintextShareOf(c: Pick<TrafficCounts, 'mutual' | 'plaintext'>): number {
  const known = c.mutual + c.plaintext;
  return known === 0 ? 0 : c.plaintext / known;
}

/** A workload-level edge before grouping. */
export interface WorkloadEdge {
  source: Endpoint;
  target: Endpoint;
  ports: Map<string, PortStats>;
  counts: TrafficCounts;
  /** Per port, plaintext and mutual counts (the source is this edge's one source). */
  plaintextOnStrict: boolean;
}

function countRow(c: TrafficCounts, r: FlowAggregate) {
  c.total += r.count;
  c.bytes += r.bytes;
  c[r.mtls] += r.count;
  c[r.verdict] += r.count;
}

/** Sums flow aggregates into one edge per (source, destination) with per-port statistics. */
export function workloadEdges(rows: readonly FlowAggregate[], visibility: Visibility, modeOf?: ModeOf): WorkloadEdge[] {
  const edges = new Map<string, WorkloadEdge>();
  for (const r of rows) {
    const source = resolveEndpoint(visibility, r.srcNamespace, r.srcWorkload, r.srcIp);
    const target = resolveEndpoint(visibility, r.dstNamespace, r.dstWorkload, r.dstIp);
    // Traffic between two ends the caller may not see never reaches them (row-level security
    // already filters it; this keeps the function safe on any input).
    if (source.kind === 'other-tenant' && target.kind === 'other-tenant') continue;
    const key = `${source.id}\u0000${target.id}`;
    let e = edges.get(key);
    if (!e) edges.set(key, (e = { source, target, ports: new Map(), counts: emptyCounts(), plaintextOnStrict: false }));
    const pk = `${r.port}/${r.protocol}`;
    let p = e.ports.get(pk);
    if (!p) e.ports.set(pk, (p = { port: r.port, protocol: r.protocol, ...emptyCounts() }));
    countRow(p, r);
    countRow(e.counts, r);
    if (r.mtls === 'plaintext' && target.kind === 'workload' && modeOf?.(target.namespace, target.name, r.port) === 'STRICT') e.plaintextOnStrict = true;
  }
  return [...edges.values()];
}

export function workloadEdgeMtls(e: WorkloadEdge): MtlsClass {
  return classifyMtls(e.counts);
}

function inNamespaces(e: Endpoint, set: ReadonlySet<string>): boolean {
  return e.kind === 'workload' && set.has(e.namespace);
}

/** The filters that narrow edges; tenant and namespace filters keep an edge when either end matches. */
export function filterEdges(edges: readonly WorkloadEdge[], filters: GraphFilters, visibility: Visibility): WorkloadEdge[] {
  const scopeNs = scopeNamespaces(filters, visibility, edges);
  const mtls = filters.mtls?.length ? new Set(filters.mtls) : null;
  const verdicts = filters.verdicts?.length ? filters.verdicts : null;
  return edges.filter((e) => {
    if (scopeNs && !inNamespaces(e.source, scopeNs) && !inNamespaces(e.target, scopeNs)) return false;
    if (mtls && !mtls.has(classifyMtls(e.counts))) return false;
    if (verdicts && !verdicts.some((v) => e.counts[v] > 0)) return false;
    if (filters.strictViolations && !e.plaintextOnStrict) return false;
    return true;
  });
}

/** The namespaces the tenant and namespace filters select, or null when they select everything. */
export function scopeNamespaces(filters: GraphFilters, visibility: Visibility, edges: readonly WorkloadEdge[] = [], known: readonly string[] = []): Set<string> | null {
  const tenants = filters.tenants?.length ? new Set(filters.tenants) : null;
  const namespaces = filters.namespaces?.length ? new Set(filters.namespaces) : null;
  if (!tenants && !namespaces) return null;
  const all = new Set(known);
  for (const e of edges) for (const end of [e.source, e.target]) if (end.kind === 'workload') all.add(end.namespace);
  const out = new Set<string>();
  for (const ns of all) {
    if (!namespaceVisible(visibility, ns)) continue;
    const slug = visibility.tenantOfNamespace.get(ns)?.slug ?? '';
    if (tenants && !tenants.has(slug)) continue;
    if (namespaces && !namespaces.has(ns)) continue;
    out.add(ns);
  }
  return out;
}

export function posture(edges: readonly WorkloadEdge[]): Posture {
  const p: Posture = { edges: edges.length, mutualEdges: 0, plaintextEdges: 0, mixedEdges: 0, mtlsShare: null, plaintextOnStrictEdges: 0, deniedAttempts: 0, deniedEdges: 0 };
  for (const e of edges) {
    const m = classifyMtls(e.counts);
    if (m === 'mutual') p.mutualEdges++;
    else if (m === 'plaintext') p.plaintextEdges++;
    else if (m === 'mixed') p.mixedEdges++;
    if (e.plaintextOnStrict) p.plaintextOnStrictEdges++;
    if (e.counts.denied > 0) p.deniedEdges++;
    p.deniedAttempts += e.counts.denied;
  }
  const known = p.mutualEdges + p.plaintextEdges + p.mixedEdges;
  p.mtlsShare = known === 0 ? null : p.mutualEdges / known;
  return p;
}

export interface LodInput {
  visibility: Visibility;
  /** Every visible workload in inventory (idle ones are drawn too when no traffic filter is on). */
  workloads: readonly { namespace: string; name: string }[];
  /** Edges after filtering. */
  edges: readonly WorkloadEdge[];
  filters: GraphFilters;
  view: GraphView;
  rangeSeconds: number;
}

export interface LodGraph {
  level: Level;
  nodes: GraphNode[];
  edges: GraphEdge[];
}

/** The most detailed level whose node count fits the budget. */
export function autoLevel(workloadCount: number, namespaceCount: number, budget = NODE_BUDGET): Level {
  if (workloadCount <= budget) return 'workload';
  if (namespaceCount <= budget) return 'namespace';
  return 'tenant';
}

function endpointLabel(e: Endpoint): string {
  return e.kind === 'workload' ? `${e.namespace}/${e.name}` : e.kind === 'external' ? e.label : 'another tenant';
}

/** Groups workloads into collapsed tenants and namespaces and aggregates the edges between groups. */
export function levelOfDetail(input: LodInput): LodGraph {
  const { visibility, filters, view } = input;
  const trafficFilter = Boolean(filters.mtls?.length || filters.verdicts?.length || filters.strictViolations);
  const scopeNs = scopeNamespaces(filters, visibility, input.edges, input.workloads.map((w) => w.namespace));

  // Workloads to draw: those on a kept edge, plus idle inventory when no traffic filter narrows.
  const shown = new Map<string, Endpoint>();
  for (const e of input.edges) for (const end of [e.source, e.target]) shown.set(end.id, end);
  if (!trafficFilter) {
    for (const w of input.workloads) {
      if (!namespaceVisible(visibility, w.namespace) || (scopeNs && !scopeNs.has(w.namespace))) continue;
      const id = workloadId(w.namespace, w.name);
      if (!shown.has(id)) shown.set(id, { kind: 'workload', id, namespace: w.namespace, name: w.name });
    }
  }
  const workloadEnds = [...shown.values()].filter((e): e is Extract<Endpoint, { kind: 'workload' }> => e.kind === 'workload');
  const namespaces = new Set(workloadEnds.map((w) => w.namespace));
  const level = view.level ?? autoLevel(workloadEnds.length, namespaces.size);
  const open = new Set(view.open ?? []);
  const tenantOpen = (t: string) => level !== 'tenant' || open.has(t);
  const nsOpen = (ns: string) => level === 'workload' || open.has(namespaceId(ns));

  const groupOf = (e: Endpoint): string => {
    if (e.kind !== 'workload') return e.id;
    const t = tenantKeyOf(visibility, e.namespace);
    if (!tenantOpen(t)) return t;
    if (!nsOpen(e.namespace)) return namespaceId(e.namespace);
    return e.id;
  };

  const nodes = new Map<string, GraphNode>();
  const node = (id: string, make: () => GraphNode) => {
    let n = nodes.get(id);
    if (!n) nodes.set(id, (n = make()));
    return n;
  };
  const tenantNode = (t: string) =>
    node(t, () => {
      const ref = [...visibility.tenantOfNamespace.values()].find((r) => `t:${r.slug}` === t);
      return { id: t, kind: 'tenant', label: t === NO_TENANT ? 'No tenant (cluster services)' : (ref?.name ?? t.slice(2)), tenant: t === NO_TENANT ? undefined : t.slice(2), expanded: tenantOpen(t), workloadCount: 0, plaintextOnStrictIn: 0, deniedIn: 0 };
    });
  for (const w of workloadEnds) {
    const t = tenantKeyOf(visibility, w.namespace);
    const tn = tenantNode(t);
    tn.workloadCount++;
    if (!tenantOpen(t)) continue;
    const nsId = namespaceId(w.namespace);
    const nn = node(nsId, () => ({ id: nsId, kind: 'namespace', label: w.namespace, namespace: w.namespace, tenant: tn.tenant, parentId: t, expanded: nsOpen(w.namespace), workloadCount: 0, plaintextOnStrictIn: 0, deniedIn: 0 }));
    nn.workloadCount++;
    if (!nsOpen(w.namespace)) continue;
    node(w.id, () => ({ id: w.id, kind: 'workload', label: w.name, namespace: w.namespace, tenant: tn.tenant, parentId: nsId, workloadCount: 1, plaintextOnStrictIn: 0, deniedIn: 0 }));
  }
  for (const end of shown.values()) {
    if (end.kind === 'external') node(end.id, () => ({ id: end.id, kind: 'external', label: end.label, workloadCount: 0, plaintextOnStrictIn: 0, deniedIn: 0 }));
    if (end.kind === 'other-tenant') node(end.id, () => ({ id: end.id, kind: 'other-tenant', label: 'Other tenant', workloadCount: 0, plaintextOnStrictIn: 0, deniedIn: 0 }));
  }

  interface Acc {
    edge: GraphEdge;
    ports: Map<string, PortStats>;
    shares: Map<string, PlaintextShare>;
  }
  const acc = new Map<string, Acc>();
  for (const e of input.edges) {
    const s = groupOf(e.source);
    const t = groupOf(e.target);
    const targetNode = nodes.get(t);
    if (targetNode) {
      if (e.plaintextOnStrict) targetNode.plaintextOnStrictIn++;
      if (e.counts.denied > 0) targetNode.deniedIn++;
    }
    if (s === t) {
      const n = nodes.get(s);
      if (n) addCounts((n.internal ??= emptyCounts()), e.counts);
      continue;
    }
    const key = `${s}\u0000${t}`;
    let a = acc.get(key);
    if (!a) {
      a = {
        edge: { id: `${s}->${t}`, source: s, target: t, ports: [], counts: emptyCounts(), mtls: 'unknown', verdict: 'allowed', perSecond: 0, plaintextShare: 0, plaintextBySource: [], plaintextOnStrict: false, members: 0 },
        ports: new Map(),
        shares: new Map(),
      };
      acc.set(key, a);
    }
    a.edge.members++;
    addCounts(a.edge.counts, e.counts);
    if (e.plaintextOnStrict) a.edge.plaintextOnStrict = true;
    for (const [pk, p] of e.ports) {
      let q = a.ports.get(pk);
      if (!q) a.ports.set(pk, (q = { port: p.port, protocol: p.protocol, ...emptyCounts() }));
      addCounts(q, p);
      if (p.plaintext > 0) {
        const sk = `${e.source.id}\u0000${pk}`;
        let sh = a.shares.get(sk);
        if (!sh) a.shares.set(sk, (sh = { source: e.source.id, sourceLabel: endpointLabel(e.source), port: p.port, protocol: p.protocol, plaintext: 0, mutual: 0, share: 0 }));
        sh.plaintext += p.plaintext;
        sh.mutual += p.mutual;
      }
    }
  }
  const edges: GraphEdge[] = [];
  for (const a of acc.values()) {
    const e = a.edge;
    e.ports = [...a.ports.values()].sort((x, y) => x.port - y.port || x.protocol.localeCompare(y.protocol));
    e.mtls = classifyMtls(e.counts);
    e.verdict = classifyVerdict(e.counts);
    e.perSecond = input.rangeSeconds > 0 ? e.counts.total / input.rangeSeconds : 0;
    e.plaintextShare = plaintextShareOf(e.counts);
    e.plaintextBySource = [...a.shares.values()]
      .map((s) => ({ ...s, share: plaintextShareOf(s) }))
      .sort((x, y) => y.plaintext - x.plaintext || x.sourceLabel.localeCompare(y.sourceLabel) || x.port - y.port);
    edges.push(e);
  }
  edges.sort((x, y) => x.id.localeCompare(y.id));
  // Containers before what they contain (React Flow draws a child only after its parent).
  const rank: Record<GraphNode['kind'], number> = { tenant: 0, namespace: 1, workload: 2, external: 3, 'other-tenant': 4 };
  const sortedNodes = [...nodes.values()].sort((x, y) => rank[x.kind] - rank[y.kind] || x.id.localeCompare(y.id));
  return { level, nodes: sortedNodes, edges };
}
