// elkjs `layered` for the workloads of one namespace (small graphs, fast), and for the group
// picture of tenants, namespaces and outside endpoints, composed rather than hierarchical.
// Pure apart from elk itself, so the worker runs it and the tests can too.
import type { ELK, ElkNode } from 'elkjs/lib/elk-api';
import type { GroupLayoutRequest, LayoutResponse, NamespaceLayoutRequest } from './layout-protocol';
import { SIZES } from './layout-protocol';
import { shelfPlacement } from '@/server/domain/graph/compose-layout';

const base = {
  'elk.algorithm': 'layered',
  'elk.direction': 'RIGHT',
  'elk.spacing.nodeNode': '24',
  'elk.layered.spacing.nodeNodeBetweenLayers': '60',
  'elk.edgeRouting': 'POLYLINE',
  'elk.layered.considerModelOrder.strategy': 'NODES_AND_EDGES',
};

export async function layoutWithElk(elk: ELK, req: Omit<NamespaceLayoutRequest, 'id'> | Omit<GroupLayoutRequest, 'id'>): Promise<Omit<LayoutResponse, 'id' | 'ms'>> {
  const positions: LayoutResponse['positions'] = {};
  if (req.kind === 'namespace') {
    const ids = new Set(req.nodes.map((n) => n.id));
    const graph: ElkNode = {
      id: 'root',
      layoutOptions: { ...base, 'elk.padding': `[top=${SIZES.header + 8},left=${SIZES.padding},bottom=${SIZES.padding},right=${SIZES.padding}]` },
      children: req.nodes.map((n) => ({ id: n.id, width: n.width, height: n.height })),
      edges: req.edges.filter((e) => ids.has(e.source) && ids.has(e.target) && e.source !== e.target).map((e, i) => ({ id: `e${i}`, sources: [e.source], targets: [e.target] })),
    };
    const out = await elk.layout(graph);
    for (const c of out.children ?? []) positions[c.id] = { x: c.x ?? 0, y: c.y ?? 0 };
    return { positions, width: out.width ?? 0, height: out.height ?? 0 };
  }
  // Composed, not hierarchical: each tenant's namespaces are laid out on their own (small
  // graphs), then the tenants as boxes of that size with their aggregated edges. One elk run
  // with INCLUDE_CHILDREN over 40 namespaces and ~900 edges took 37 s here.
  const parentOf = new Map<string, string>();
  for (const t of req.tenants) for (const c of t.children) parentOf.set(c.id, t.id);
  const top = (id: string) => parentOf.get(id) ?? id;
  const sizes = new Map<string, { width: number; height: number }>();
  for (const t of req.tenants) {
    if (t.children.length === 0) {
      sizes.set(t.id, { width: SIZES.tenant.width, height: SIZES.tenant.height });
      continue;
    }
    const ids = new Set(t.children.map((c) => c.id));
    const seen = new Set<string>();
    const inner = req.edges.filter((e) => ids.has(e.source) && ids.has(e.target) && e.source !== e.target && !seen.has(`${e.source}>${e.target}`) && seen.add(`${e.source}>${e.target}`));
    const out: ElkNode = await elk.layout({
      id: t.id,
      layoutOptions: { ...base, 'elk.spacing.nodeNode': '30', 'elk.padding': `[top=${SIZES.header + 8},left=${SIZES.padding},bottom=${SIZES.padding},right=${SIZES.padding}]` },
      children: t.children.map((c) => ({ id: c.id, width: c.width, height: c.height })),
      edges: inner.map((e, i) => ({ id: `e${i}`, sources: [e.source], targets: [e.target] })),
    });
    for (const c of out.children ?? []) positions[c.id] = { x: c.x ?? 0, y: c.y ?? 0 };
    sizes.set(t.id, { width: out.width ?? 0, height: out.height ?? 0 });
  }
  for (const o of req.others) sizes.set(o.id, { width: o.width, height: o.height });
  const seen = new Set<string>();
  const outer: { source: string; target: string }[] = [];
  for (const e of req.edges) {
    const s = top(e.source);
    const d = top(e.target);
    if (s !== d && sizes.has(s) && sizes.has(d) && !seen.has(`${s}>${d}`)) {
      seen.add(`${s}>${d}`);
      outer.push({ source: s, target: d });
    }
  }
  // elk's layers give the reading order (who calls whom, left to right); the boxes are then
  // packed in that order into rows, so the picture fits a screen instead of one long strip.
  const out: ElkNode = await elk.layout({
    id: 'root',
    layoutOptions: { ...base, 'elk.spacing.nodeNode': '50', 'elk.layered.spacing.nodeNodeBetweenLayers': '90' },
    children: [...sizes].map(([id, s]) => ({ id, width: s.width, height: s.height })),
    edges: outer.map((e, i) => ({ id: `e${i}`, sources: [e.source], targets: [e.target] })),
  });
  const order = (out.children ?? []).map((c) => ({ id: c.id, x: c.x ?? 0, y: c.y ?? 0 })).sort((a, b) => a.x - b.x || a.y - b.y || a.id.localeCompare(b.id));
  const packed = shelfPlacement(order.map((c) => ({ id: c.id, ...sizes.get(c.id)! })), 60);
  Object.assign(positions, packed.positions);
  return { positions, width: packed.width, height: packed.height };
}
