// The graph's layout worker: elkjs `layered` for the workloads of one namespace (small
// graphs, fast), and for the group picture of tenants, namespaces and outside endpoints.
import ELK, { type ElkNode } from 'elkjs/lib/elk.bundled.js';
import type { LayoutRequest, LayoutResponse } from './layout-protocol';
import { SIZES } from './layout-protocol';

const elk = new ELK();
const base = {
  'elk.algorithm': 'layered',
  'elk.direction': 'RIGHT',
  'elk.spacing.nodeNode': '24',
  'elk.layered.spacing.nodeNodeBetweenLayers': '60',
  'elk.edgeRouting': 'POLYLINE',
  'elk.layered.considerModelOrder.strategy': 'NODES_AND_EDGES',
};

async function layout(req: LayoutRequest): Promise<Omit<LayoutResponse, 'id' | 'ms'>> {
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
  const parentOf = new Map<string, string>();
  for (const t of req.tenants) for (const c of t.children) parentOf.set(c.id, t.id);
  const known = new Set([...parentOf.keys(), ...req.tenants.map((t) => t.id), ...req.others.map((o) => o.id)]);
  const graph: ElkNode = {
    id: 'root',
    layoutOptions: { ...base, 'elk.hierarchyHandling': 'INCLUDE_CHILDREN', 'elk.spacing.nodeNode': '40' },
    children: [
      ...req.tenants.map((t) => ({
        id: t.id,
        layoutOptions: { 'elk.padding': `[top=${SIZES.header + 8},left=${SIZES.padding},bottom=${SIZES.padding},right=${SIZES.padding}]` },
        children: t.children.map((c) => ({ id: c.id, width: c.width, height: c.height })),
        ...(t.children.length ? {} : { width: SIZES.tenant.width, height: SIZES.tenant.height }),
      })),
      ...req.others.map((o) => ({ id: o.id, width: o.width, height: o.height })),
    ],
    edges: req.edges.filter((e) => known.has(e.source) && known.has(e.target) && e.source !== e.target).map((e, i) => ({ id: `e${i}`, sources: [e.source], targets: [e.target] })),
  };
  const out = await elk.layout(graph);
  for (const c of out.children ?? []) {
    positions[c.id] = { x: c.x ?? 0, y: c.y ?? 0 };
    for (const g of c.children ?? []) positions[g.id] = { x: g.x ?? 0, y: g.y ?? 0 };
  }
  return { positions, width: out.width ?? 0, height: out.height ?? 0 };
}

self.onmessage = async (ev: MessageEvent<LayoutRequest>) => {
  const started = performance.now();
  try {
    const r = await layout(ev.data);
    (self as unknown as Worker).postMessage({ id: ev.data.id, ...r, ms: performance.now() - started } satisfies LayoutResponse);
  } catch (err) {
    (self as unknown as Worker).postMessage({ id: ev.data.id, positions: {}, width: 0, height: 0, ms: 0, error: String(err) } satisfies LayoutResponse);
  }
};
