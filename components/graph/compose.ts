// Turns the server's graph (nodes at a level of detail) and the layouts (stored or just
// computed by the worker) into positioned React Flow nodes: namespace layouts composed into
// the group layout, with expanded boxes making room instead of re-laying everything out.
import type { Edge, Node } from '@xyflow/react';
import { makeRoom, placeNewcomers, resolveOverlaps, type Size } from '@/server/domain/graph/compose-layout';
import type { GraphEdge, GraphNode } from '@/server/domain/graph/model';
import type { GroupLayoutRequest, NamespaceLayoutRequest } from './layout-protocol';
import { SIZES } from './layout-protocol';

export interface StoredLayout {
  positions: Record<string, { x: number; y: number }>;
  width?: number;
  height?: number;
}

export interface GraphData {
  nodes: GraphNode[];
  edges: GraphEdge[];
  layouts: Record<string, StoredLayout>;
  groupLayoutKey: string;
}

const sizeOf = (n: GraphNode): Size => (n.kind === 'workload' ? SIZES.workload : n.kind === 'namespace' ? SIZES.namespace : n.kind === 'tenant' ? SIZES.tenant : SIZES.endpoint);

/** The top-level and namespace-level ids the group layout must place. */
function groupIds(nodes: GraphNode[]): string[] {
  return nodes.filter((n) => n.kind === 'tenant' || n.kind === 'namespace' || n.kind === 'external' || n.kind === 'other-tenant').map((n) => n.id);
}

/** The id a node stands for at namespace level (its own id, or its namespace's). */
function groupLevelId(byId: Map<string, GraphNode>, id: string): string {
  const n = byId.get(id);
  return n?.kind === 'workload' && n.parentId ? n.parentId : id;
}

export function groupLayoutRequest(data: GraphData): Omit<GroupLayoutRequest, 'id'> | null {
  const stored = data.layouts[data.groupLayoutKey];
  const ids = groupIds(data.nodes);
  if (stored && ids.every((id) => stored.positions[id])) return null;
  const byId = new Map(data.nodes.map((n) => [n.id, n]));
  const tenants = data.nodes
    .filter((n) => n.kind === 'tenant')
    .map((t) => ({ id: t.id, children: data.nodes.filter((n) => n.kind === 'namespace' && n.parentId === t.id).map((n) => ({ id: n.id, ...SIZES.namespace })) }));
  const others = data.nodes.filter((n) => n.kind === 'external' || n.kind === 'other-tenant').map((n) => ({ id: n.id, ...SIZES.endpoint }));
  const seen = new Set<string>();
  const edges: { source: string; target: string }[] = [];
  for (const e of data.edges) {
    const s = groupLevelId(byId, e.source);
    const t = groupLevelId(byId, e.target);
    const k = `${s}>${t}`;
    if (s !== t && !seen.has(k)) {
      seen.add(k);
      edges.push({ source: s, target: t });
    }
  }
  return { kind: 'groups', tenants, others, edges };
}

/** Namespace layouts to compute (none stored) and to patch (some workloads new: placed without moving the rest). */
export function namespaceLayoutWork(data: GraphData): { compute: Omit<NamespaceLayoutRequest, 'id'>[]; keys: string[]; patched: Record<string, StoredLayout> } {
  const compute: Omit<NamespaceLayoutRequest, 'id'>[] = [];
  const keys: string[] = [];
  const patched: Record<string, StoredLayout> = {};
  for (const ns of data.nodes.filter((n) => n.kind === 'namespace' && n.expanded)) {
    const key = `ns:${ns.namespace}`;
    const members = data.nodes.filter((n) => n.parentId === ns.id);
    const stored = data.layouts[key];
    const missing = members.filter((m) => !stored?.positions[m.id]);
    if (missing.length === 0) continue;
    if (stored && Object.keys(stored.positions).length > 0 && missing.length < members.length) {
      const placed = new Map(Object.entries(stored.positions));
      const out = placeNewcomers(placed, missing.map((m) => m.id), SIZES.workload, 4);
      const positions = Object.fromEntries(out);
      patched[key] = { positions, ...boxOf(positions, SIZES.workload) };
      continue;
    }
    const ids = new Set(members.map((m) => m.id));
    keys.push(key);
    compute.push({ kind: 'namespace', nodes: members.map((m) => ({ id: m.id, ...SIZES.workload })), edges: data.edges.filter((e) => ids.has(e.source) && ids.has(e.target)) });
  }
  return { compute, keys, patched };
}

function boxOf(positions: Record<string, { x: number; y: number }>, item: Size): Size {
  let w = 0;
  let h = 0;
  for (const p of Object.values(positions)) {
    w = Math.max(w, p.x + item.width);
    h = Math.max(h, p.y + item.height);
  }
  return { width: w + SIZES.padding, height: h + SIZES.padding };
}

export interface FlowNodeData extends Record<string, unknown> {
  node: GraphNode;
  selected: boolean;
  dimmed: boolean;
}

export function composeNodes(data: GraphData, selectedId: string | null, focusIds: ReadonlySet<string> | null): Node<FlowNodeData>[] {
  const group = data.layouts[data.groupLayoutKey]?.positions ?? {};
  const byParent = new Map<string, GraphNode[]>();
  for (const n of data.nodes) if (n.parentId) byParent.set(n.parentId, [...(byParent.get(n.parentId) ?? []), n]);
  const nsSize = (n: GraphNode): Size => {
    if (!n.expanded) return SIZES.namespace;
    const l = data.layouts[`ns:${n.namespace}`];
    const members = byParent.get(n.id) ?? [];
    const fromLayout = l ? boxOf(Object.fromEntries(members.map((m) => [m.id, l.positions[m.id] ?? { x: 0, y: 0 }])), SIZES.workload) : null;
    return { width: Math.max(SIZES.namespace.width, fromLayout?.width ?? 0, l?.width ?? 0), height: Math.max(SIZES.namespace.height, fromLayout?.height ?? 0, l?.height ?? 0) };
  };
  const out: Node<FlowNodeData>[] = [];
  const mk = (n: GraphNode, type: string, position: { x: number; y: number }, size?: Size): Node<FlowNodeData> => ({
    id: n.id,
    type,
    position,
    ...(n.parentId ? { parentId: n.parentId } : {}),
    ...(size ? { style: { width: size.width, height: size.height } } : {}),
    data: { node: n, selected: n.id === selectedId, dimmed: focusIds !== null && !focusIds.has(n.id) },
    draggable: false,
    selectable: true,
    ...(type === 'box' ? { focusable: false, zIndex: -1 } : {}),
  });
  // Tenants: their namespaces at stored positions, expanded ones pushing the rest aside.
  const tenantSize = new Map<string, Size>();
  const collapsedTenantSize = new Map<string, Size>();
  const childPos = new Map<string, { x: number; y: number }>();
  for (const t of data.nodes.filter((n) => n.kind === 'tenant')) {
    const kids = (byParent.get(t.id) ?? []).filter((k) => k.kind === 'namespace');
    if (!t.expanded || kids.length === 0) {
      tenantSize.set(t.id, SIZES.tenant);
      collapsedTenantSize.set(t.id, SIZES.tenant);
      continue;
    }
    const fallback = (i: number) => ({ x: SIZES.padding + (i % 4) * (SIZES.namespace.width + 30), y: SIZES.header + 8 + Math.floor(i / 4) * (SIZES.namespace.height + 30) });
    const boxes = kids.map((k, i) => ({ id: k.id, ...(group[k.id] ?? fallback(i)), ...SIZES.namespace }));
    const grown = new Map(kids.filter((k) => k.expanded).map((k) => [k.id, nsSize(k)]));
    const room = makeRoom(boxes, grown);
    const moved = resolveOverlaps(boxes.map((b) => ({ ...b, ...room.get(b.id)!, ...(grown.get(b.id) ?? {}) })));
    let w = 0;
    let h = 0;
    let cw = 0;
    let ch = 0;
    for (const b of boxes) {
      const p = moved.get(b.id)!;
      const s = grown.get(b.id) ?? SIZES.namespace;
      childPos.set(b.id, p);
      w = Math.max(w, p.x + s.width);
      h = Math.max(h, p.y + s.height);
      cw = Math.max(cw, b.x + b.width);
      ch = Math.max(ch, b.y + b.height);
    }
    tenantSize.set(t.id, { width: w + SIZES.padding, height: h + SIZES.padding });
    collapsedTenantSize.set(t.id, { width: cw + SIZES.padding, height: ch + SIZES.padding });
  }
  const top = data.nodes.filter((n) => !n.parentId);
  const topBoxes = top.map((n, i) => ({ id: n.id, ...(group[n.id] ?? { x: 0, y: i * 120 }), ...(collapsedTenantSize.get(n.id) ?? SIZES.endpoint) }));
  const topRoom = makeRoom(topBoxes, new Map([...tenantSize].filter(([id, s]) => { const c = collapsedTenantSize.get(id)!; return s.width !== c.width || s.height !== c.height; })));
  const topPos = resolveOverlaps(topBoxes.map((b) => ({ ...b, ...topRoom.get(b.id)!, ...(tenantSize.get(b.id) ?? {}) })));
  for (const n of data.nodes) {
    if (n.kind === 'tenant') out.push(mk(n, n.expanded && (byParent.get(n.id)?.length ?? 0) > 0 ? 'box' : 'group', topPos.get(n.id)!, tenantSize.get(n.id)));
    else if (n.kind === 'namespace') out.push(mk(n, n.expanded ? 'box' : 'group', childPos.get(n.id) ?? { x: 0, y: 0 }, n.expanded ? nsSize(n) : undefined));
    else if (n.kind === 'workload') {
      const l = data.layouts[`ns:${n.namespace}`];
      out.push(mk(n, 'workload', l?.positions[n.id] ?? { x: SIZES.padding, y: SIZES.header + 8 }));
    } else out.push(mk(n, 'endpoint', topPos.get(n.id) ?? { x: 0, y: 0 }));
  }
  return out;
}

export interface FlowEdgeData extends Record<string, unknown> {
  edge: GraphEdge;
  selected: boolean;
  dimmed: boolean;
}

export function composeEdges(edges: GraphEdge[], selectedEdge: string | null, focusIds: ReadonlySet<string> | null): Edge<FlowEdgeData>[] {
  return edges.map((e) => ({
    id: e.id,
    source: e.source,
    target: e.target,
    type: 'traffic',
    data: { edge: e, selected: e.id === selectedEdge, dimmed: focusIds !== null && !(focusIds.has(e.source) || focusIds.has(e.target)) },
    focusable: false,
  }));
}
