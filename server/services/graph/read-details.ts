// graph.node and graph.edge: what the side panels show. A node: labels, service account,
// the policies that select it, effective mTLS per port, its edges and STRICT readiness. An
// edge: ports, counts over time, mTLS by source and port, and the netpol engine's verdict
// explanation under the policies in force now. Ends the caller may not see stay opaque.
import { sql } from 'drizzle-orm';
import { z } from 'zod';
import {
  NO_TENANT,
  OTHER_TENANT_ID,
  classifyMtls,
  classifyVerdict,
  externalEndpoint,
  levelOfDetail,
  marksForResolution,
  namespaceVisible,
  strictReadiness,
  workloadEdges,
  type Endpoint,
  type StrictReadiness,
  type TrafficCounts,
  type Visibility,
  type WorkloadEdge,
} from '@/server/domain/graph';
import { explainDirection, matchesSelector, type DirectionVerdict, type Endpoint as EngineEndpoint, type Protocol } from '@/server/domain/netpol';
import type { Tx } from '@/db/client';
import { authorize } from '../authorize';
import type { ServiceContext } from '../context';
import { badInput, notFound } from '../errors';
import { inScope } from '../scope';
import { flowRowsIn, readRollupMarks } from './flow-store';
import { readFlowAggregates, readPolicyModel, readVisibility, readVisibleWorkloads, visibleClusters, type PolicyModel } from './cluster-model';
import { resolveRange } from './read-graph';

const NodeId = z.string().min(2).max(300);
const RangeInput = {
  clusterId: z.uuid(),
  range: z.enum(['5m', '1h', '1d', 'custom']).default('1h'),
  from: z.date().optional(),
  to: z.date().optional(),
};
export const NodeQuery = z.object({ ...RangeInput, id: NodeId });
export type NodeQuery = z.infer<typeof NodeQuery>;
export const EdgeQuery = z.object({ ...RangeInput, source: NodeId, target: NodeId });
export type EdgeQuery = z.infer<typeof EdgeQuery>;

/** Whether a workload-level end belongs to the node with this id, at any level. */
export function endpointIn(id: string, e: Endpoint, v: Visibility): boolean {
  if (e.id === id) return true;
  if (e.kind !== 'workload') return false;
  if (id === `ns:${e.namespace}`) return true;
  if (id.startsWith('t:')) {
    const t = v.tenantOfNamespace.get(e.namespace);
    return id === NO_TENANT ? !t : t !== undefined && id === `t:${t.slug}`;
  }
  return false;
}

/** Ids the caller may ask about: their workloads, namespaces and tenants, and the opaque and outside nodes. */
function assertAskable(id: string, v: Visibility) {
  const ok =
    id === OTHER_TENANT_ID ||
    id.startsWith('ext:') ||
    (id.startsWith('w:') && namespaceVisible(v, id.slice(2).split('/')[0]!)) ||
    (id.startsWith('ns:') && namespaceVisible(v, id.slice(3))) ||
    (id === NO_TENANT && v.allTenants) ||
    (id.startsWith('t:') && [...v.tenantOfNamespace.values()].some((t) => `t:${t.slug}` === id));
  if (!ok) throw notFound('Node');
}

async function loadScope(ctx: ServiceContext, q: { clusterId: string; range: 'custom' | '5m' | '1h' | '1d'; from?: Date; to?: Date }) {
  const range = resolveRange(q, ctx.now());
  return inScope(ctx, async (tx) => {
    const clusters = await visibleClusters(tx, ctx);
    if (!clusters.some((c) => c.id === q.clusterId)) throw notFound('Cluster');
    const visibility = await readVisibility(tx, ctx, q.clusterId);
    const rows = await readFlowAggregates(tx, { clusterId: q.clusterId, ...range });
    return { tx, visibility, rows, range };
  });
}

function edgeSummary(e: WorkloadEdge) {
  return {
    source: e.source.id,
    sourceLabel: label(e.source),
    target: e.target.id,
    targetLabel: label(e.target),
    ports: [...e.ports.values()].map((p) => `${p.port}/${p.protocol}`).sort(),
    counts: e.counts,
    mtls: classifyMtls(e.counts),
    verdict: classifyVerdict(e.counts),
    plaintextOnStrict: e.plaintextOnStrict,
  };
}

function label(e: Endpoint): string {
  return e.kind === 'workload' ? `${e.namespace}/${e.name}` : e.kind === 'external' ? e.label : 'another tenant';
}

export async function readNodeDetails(ctx: ServiceContext, input: NodeQuery) {
  authorize(ctx, 'graph:read');
  const q = NodeQuery.parse(input);
  const { visibility, rows, range } = await loadScope(ctx, q);
  assertAskable(q.id, visibility);
  const model = await readPolicyModel(ctx, q.clusterId);
  const modeOf = (ns: string, wl: string, port: number) => model.modeOf(ns, wl, port);
  const edges = workloadEdges(rows, visibility, modeOf);
  const inbound = edges.filter((e) => endpointIn(q.id, e.target, visibility) && !endpointIn(q.id, e.source, visibility)).map(edgeSummary);
  const outbound = edges.filter((e) => endpointIn(q.id, e.source, visibility) && !endpointIn(q.id, e.target, visibility)).map(edgeSummary);
  const byTotal = (a: { counts: TrafficCounts }, b: { counts: TrafficCounts }) => b.counts.total - a.counts.total;
  inbound.sort(byTotal);
  outbound.sort(byTotal);
  const base = { id: q.id, from: range.from, to: range.to, inbound: inbound.slice(0, 200), outbound: outbound.slice(0, 200), inboundCount: inbound.length, outboundCount: outbound.length };

  if (q.id.startsWith('w:')) {
    const [namespace, name] = q.id.slice(2).split('/') as [string, string];
    const i = model.memberIndex(namespace, name);
    const workloads = await inScope(ctx, (tx) => readVisibleWorkloads(tx, q.clusterId));
    const object = workloads.find((w) => w.namespace === namespace && w.name === name)?.object as
      | { labels?: Record<string, string>; serviceAccount?: string; ownerKind?: string; replicas?: number; readyReplicas?: number }
      | undefined;
    const w = i === undefined ? undefined : model.workloads[i];
    return {
      ...base,
      kind: 'workload' as const,
      label: `${namespace}/${name}`,
      namespace,
      name,
      inInventory: Boolean(object),
      ownerKind: object?.ownerKind ?? null,
      replicas: object?.replicas ?? null,
      readyReplicas: object?.readyReplicas ?? null,
      labels: object?.labels ?? {},
      serviceAccount: object?.serviceAccount ?? null,
      policies: policiesSelecting(model, namespace, w?.labels ?? {}),
      mtlsByPort: mtlsPorts(model, namespace, name, w),
      readiness: strictReadiness(edges, { namespace, workload: name }, modeOf),
    };
  }
  if (q.id.startsWith('ns:')) {
    const namespace = q.id.slice(3);
    const mesh = model.modeOf(namespace, '\u0000none');
    return {
      ...base,
      kind: 'namespace' as const,
      label: namespace,
      namespace,
      tenant: visibility.tenantOfNamespace.get(namespace)?.name ?? null,
      namespaceMtls: mesh,
      policies: model.policies.filter((p) => p.namespace === namespace).map((p) => policySummary(p)),
      readiness: strictReadiness(edges, { namespace }, modeOf),
    };
  }
  return {
    ...base,
    kind: q.id === OTHER_TENANT_ID ? ('other-tenant' as const) : q.id.startsWith('ext:') ? ('external' as const) : ('tenant' as const),
    label: q.id === OTHER_TENANT_ID ? 'Other tenant' : q.id.startsWith('ext:') ? q.id.slice(4) : q.id,
  };
}

function policySummary(p: PolicyModel['policies'][number]) {
  const src = p.source as { spec?: unknown } | undefined;
  return {
    namespace: p.namespace,
    name: p.name,
    ingress: p.ingressIsolation,
    egress: p.egressIsolation,
    spec: JSON.stringify(src?.spec ?? {}, null, 2),
  };
}

function policiesSelecting(model: PolicyModel, namespace: string, labels: Record<string, string>) {
  return model.policies.filter((p) => p.namespace === namespace && matchesSelector(p.podSelector, labels)).map(policySummary);
}

function mtlsPorts(model: PolicyModel, namespace: string, name: string, w: PolicyModel['workloads'][number] | undefined) {
  const ports = w?.ports.length ? w.ports : [];
  const workloadMode = model.modeOf(namespace, name);
  return {
    workload: workloadMode,
    ports: ports.map((p) => ({ port: p.port, protocol: p.protocol, name: p.name ?? null, mode: model.modeOf(namespace, name, p.port) })),
  };
}

function sideCondition(side: 'src' | 'dst', id: string, v: Visibility) {
  const ns = sql.raw(`${side}_namespace`);
  const wl = sql.raw(`${side}_workload`);
  if (id.startsWith('w:')) {
    const [n, w] = id.slice(2).split('/');
    return sql`(${ns} = ${n} AND ${wl} = ${w})`;
  }
  if (id.startsWith('ns:')) return sql`${ns} = ${id.slice(3)}`;
  if (id.startsWith('ext:')) return sql`${ns} = ''`;
  if (id.startsWith('t:')) {
    const list = [...v.tenantOfNamespace.entries()].filter(([, t]) => `t:${t.slug}` === id).map(([n]) => n);
    if (id === NO_TENANT) return sql`${ns} <> ''`; // narrowed in code below
    return list.length ? sql`${ns} IN (${sql.join(list.map((n) => sql`${n}`), sql`, `)})` : sql`false`;
  }
  return sql`${ns} <> ''`; // the other tenant: narrowed in code below
}

/** Bar widths of an edge's timeline, in seconds: minutes, then multiples of the 10-minute and hourly rollups. */
const TIMELINE_BUCKETS_S = [60, 300, 600, 1800, 3600, 10_800, 21_600, 86_400];

async function timeline(tx: Tx, clusterId: string, range: { from: Date; to: Date }, source: string, target: string, v: Visibility, keep: (r: { sn: string; sw: string; si: string; dn: string; dw: string; di: string }) => boolean) {
  const spanS = (range.to.getTime() - range.from.getTime()) / 1000;
  // At most ~100 bars, each a whole number of the stored buckets it can be drawn from.
  const bucketS = TIMELINE_BUCKETS_S.find((s) => spanS / s <= 100) ?? TIMELINE_BUCKETS_S.at(-1)!;
  const marks = marksForResolution(await readRollupMarks(tx, clusterId, range.from, range.to), bucketS * 1000);
  const result = await tx.execute(sql`
    SELECT floor(extract(epoch from t) / ${bucketS})::bigint * ${bucketS} AS t, src_namespace AS sn, src_workload AS sw, src_ip AS si, dst_namespace AS dn, dst_workload AS dw, dst_ip AS di,
           mtls, verdict, sum(count)::float8 AS c
    FROM ${flowRowsIn(clusterId, range, marks)} AS flows
    WHERE ${sideCondition('src', source, v)} AND ${sideCondition('dst', target, v)}
    GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9`);
  const rows = (Array.isArray(result) ? result : (result as { rows: unknown[] }).rows) as Record<string, unknown>[];
  const buckets = new Map<number, { t: Date; mutual: number; plaintext: number; unknown: number; denied: number; dropped: number; total: number }>();
  for (const r of rows) {
    if (!keep(r as never)) continue;
    const t = Number(r.t) * 1000;
    let b = buckets.get(t);
    if (!b) buckets.set(t, (b = { t: new Date(t), mutual: 0, plaintext: 0, unknown: 0, denied: 0, dropped: 0, total: 0 }));
    const c = Number(r.c);
    b.total += c;
    b[r.mtls as 'mutual' | 'plaintext' | 'unknown'] += c;
    if (r.verdict === 'denied' || r.verdict === 'dropped') b[r.verdict] += c;
  }
  return { bucketSeconds: bucketS, points: [...buckets.values()].sort((a, b) => a.t.getTime() - b.t.getTime()) };
}

export interface Explanation {
  source: string;
  target: string;
  port: number;
  protocol: string;
  allowed: boolean | null;
  lines: string[];
}

function explainOne(model: PolicyModel, v: Visibility, rowSource: { ns: string; wl: string; ip: string }, rowTarget: { ns: string; wl: string; ip: string }, port: number, protocol: string, shownSource: string, shownTarget: string): Explanation {
  const base = { source: shownSource, target: shownTarget, port, protocol };
  if (!['TCP', 'UDP', 'SCTP'].includes(protocol)) return { ...base, allowed: null, lines: [`NetworkPolicy does not govern ${protocol}.`] };
  const end = (e: { ns: string; wl: string; ip: string }): EngineEndpoint | null => {
    if (!e.ns) return { ip: e.ip };
    const i = model.memberIndex(e.ns, e.wl);
    return i === undefined ? null : { member: i };
  };
  const s = end(rowSource);
  const d = end(rowTarget);
  if (!s || !d) return { ...base, allowed: null, lines: ['One end is no longer in the inventory, so the policies in force cannot be evaluated for it.'] };
  const verdict = model.engine().evaluate({ source: s, destination: d, port, protocol: protocol as Protocol });
  const visible = (e: { ns: string }) => !e.ns || namespaceVisible(v, e.ns);
  const direction = (dv: DirectionVerdict, end: { ns: string }) =>
    visible(end) ? explainDirection(dv).replace(dv.subject, dv.direction === 'egress' ? shownSource : shownTarget) : `${dv.direction} ${dv.direction === 'egress' ? 'from' : 'to'} another tenant: ${dv.allowed ? 'allowed' : 'denied'} by that tenant's policies (not shown)`;
  return {
    ...base,
    allowed: verdict.allowed,
    lines: [`${verdict.allowed ? 'allow' : 'deny'} ${shownSource} -> ${shownTarget} ${port}/${protocol} under the policies in force now`, direction(verdict.egress, rowSource), direction(verdict.ingress, rowTarget)],
  };
}

export async function readEdgeDetails(ctx: ServiceContext, input: EdgeQuery) {
  authorize(ctx, 'graph:read');
  const q = EdgeQuery.parse(input);
  if (q.source === q.target) throw badInput('target', 'An edge joins two different nodes');
  const { visibility, rows, range } = await loadScope(ctx, q);
  assertAskable(q.source, visibility);
  assertAskable(q.target, visibility);
  const model = await readPolicyModel(ctx, q.clusterId);
  const resolve = (ns: string, wl: string, ip: string): Endpoint =>
    !ns ? externalEndpoint(ip) : namespaceVisible(visibility, ns) ? { kind: 'workload', id: `w:${ns}/${wl}`, namespace: ns, name: wl } : { kind: 'other-tenant', id: OTHER_TENANT_ID };
  const matches = (r: { sn: string; sw: string; si: string; dn: string; dw: string; di: string }) =>
    endpointIn(q.source, resolve(r.sn, r.sw, r.si), visibility) && endpointIn(q.target, resolve(r.dn, r.dw, r.di), visibility);
  const selected = rows.filter((r) => matches({ sn: r.srcNamespace, sw: r.srcWorkload, si: r.srcIp, dn: r.dstNamespace, dw: r.dstWorkload, di: r.dstIp }));
  if (selected.length === 0) throw notFound('Edge');
  const modeOf = (ns: string, wl: string, port: number) => model.modeOf(ns, wl, port);
  const members = workloadEdges(selected, visibility, modeOf);
  const rangeSeconds = (range.to.getTime() - range.from.getTime()) / 1000;
  // One aggregated edge from the selected rows, whatever level the two ids are at.
  const lod = levelOfDetail({ visibility, workloads: [], edges: members, filters: { mtls: ['mutual', 'plaintext', 'mixed', 'unknown'] }, view: { level: 'tenant', open: [] }, rangeSeconds });
  const sum = members.reduce(
    (acc, e) => {
      for (const p of e.ports.values()) {
        const k = `${p.port}/${p.protocol}`;
        const cur = acc.get(k) ?? { port: p.port, protocol: p.protocol, total: 0, bytes: 0, mutual: 0, plaintext: 0, unknown: 0, allowed: 0, denied: 0, dropped: 0 };
        for (const f of ['total', 'bytes', 'mutual', 'plaintext', 'unknown', 'allowed', 'denied', 'dropped'] as const) cur[f] += p[f];
        acc.set(k, cur);
      }
      return acc;
    },
    new Map<string, { port: number; protocol: string } & TrafficCounts>(),
  );
  const ports = [...sum.values()].sort((a, b) => a.port - b.port).map((p) => ({ ...p, mtls: classifyMtls(p), verdict: classifyVerdict(p), mode: null as string | null }));
  const counts = members.reduce((acc, e) => {
    for (const f of ['total', 'bytes', 'mutual', 'plaintext', 'unknown', 'allowed', 'denied', 'dropped'] as const) acc[f] += e.counts[f];
    return acc;
  }, { total: 0, bytes: 0, mutual: 0, plaintext: 0, unknown: 0, allowed: 0, denied: 0, dropped: 0 } as TrafficCounts);
  const shares = lod.edges.flatMap((e) => e.plaintextBySource);

  // The verdict's explanation for the busiest distinct connections (at most 12).
  const distinct = new Map<string, { r: (typeof selected)[number]; count: number }>();
  for (const r of selected) {
    const k = [r.srcNamespace, r.srcWorkload, r.srcIp, r.dstNamespace, r.dstWorkload, r.dstIp, r.port, r.protocol].join('\u0000');
    const cur = distinct.get(k);
    if (cur) cur.count += r.count;
    else distinct.set(k, { r, count: r.count });
  }
  const explanations = [...distinct.values()]
    .sort((a, b) => b.count - a.count)
    .slice(0, 12)
    .map(({ r }) =>
      explainOne(
        model,
        visibility,
        { ns: r.srcNamespace, wl: r.srcWorkload, ip: r.srcIp },
        { ns: r.dstNamespace, wl: r.dstWorkload, ip: r.dstIp },
        r.port,
        r.protocol,
        label(resolve(r.srcNamespace, r.srcWorkload, r.srcIp)),
        label(resolve(r.dstNamespace, r.dstWorkload, r.dstIp)),
      ),
    );
  const series = await inScope(ctx, (tx) => timeline(tx, q.clusterId, range, q.source, q.target, visibility, matches));
  return {
    source: q.source,
    target: q.target,
    from: range.from,
    to: range.to,
    counts,
    mtls: classifyMtls(counts),
    verdict: classifyVerdict(counts),
    perSecond: rangeSeconds > 0 ? counts.total / rangeSeconds : 0,
    ports,
    plaintextBySource: shares,
    members: members.map(edgeSummary).sort((a, b) => b.counts.total - a.counts.total).slice(0, 100),
    memberCount: members.length,
    explanations,
    timeline: series,
  };
}

export type { StrictReadiness };
