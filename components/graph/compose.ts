// Turns the server's graph (nodes at a level of detail) and its layouts into what the screen
// draws: positioned React Flow nodes and straight edge segments in flow coordinates.
//
// Layouts never hold up the first picture. A stored layout is drawn as it is; one with
// newcomers gets them placed without moving the rest (and is saved); where nothing is stored
// yet (the very first load for a cluster and scope) a cheap deterministic grid is drawn at
// once and elk's layout, computed in the worker, replaces it when it arrives and is saved, so
// every later load draws the same picture straight away.
import type { Node } from '@xyflow/react';
import { gridPlacement, makeRoom, placeNewcomers, resolveOverlaps, shelfPlacement, type Point, type Size } from '@/server/domain/graph/compose-layout';
import type { DrawnEdge, GraphNode } from '@/server/domain/graph/model';
import type { GroupLayoutRequest, NamespaceLayoutRequest } from './layout-protocol';
import { SIZES } from './layout-protocol';

export interface StoredLayout {
  positions: Record<string, Point>;
  width?: number;
  height?: number;
}

export type { DrawnEdge };

export interface GraphData {
  nodes: GraphNode[];
  edges: DrawnEdge[];
  layouts: Record<string, StoredLayout>;
  groupLayoutKey: string;
}

export const sizeOf = (n: GraphNode): Size => (n.kind === 'workload' ? SIZES.workload : n.kind === 'namespace' ? SIZES.namespace : n.kind === 'tenant' ? SIZES.tenant : SIZES.endpoint);

const INSIDE = { x: SIZES.padding, y: SIZES.header + 8 };

export interface LayoutPlan {
  /** The layouts to draw with now, by key: stored, patched or provisional. */
  layouts: Record<string, StoredLayout>;
  /** Stored layouts that had newcomers placed: saved as they are. */
  patched: string[];
  /** Keys drawn with a provisional grid, with the request that makes elk refine them. */
  refine: { key: string; request: Omit<GroupLayoutRequest, 'id'> | Omit<NamespaceLayoutRequest, 'id'> }[];
}

function childrenOf(nodes: readonly GraphNode[]): Map<string, GraphNode[]> {
  const byParent = new Map<string, GraphNode[]>();
  for (const n of nodes) {
    if (!n.parentId) continue;
    let list = byParent.get(n.parentId);
    if (!list) byParent.set(n.parentId, (list = []));
    list.push(n);
  }
  return byParent;
}

/** The group-level edges (workload ends stand for their namespace), once per pair. */
function groupEdges(nodes: readonly GraphNode[], edges: readonly DrawnEdge[]): { source: string; target: string }[] {
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const up = (id: string) => {
    const n = byId.get(id);
    return n?.kind === 'workload' && n.parentId ? n.parentId : id;
  };
  const seen = new Set<string>();
  const out: { source: string; target: string }[] = [];
  for (const e of edges) {
    const s = up(e.source);
    const t = up(e.target);
    const k = `${s}>${t}`;
    if (s !== t && !seen.has(k)) {
      seen.add(k);
      out.push({ source: s, target: t });
    }
  }
  return out;
}

const nsGrid = (ids: readonly string[]) => gridPlacement(ids, SIZES.namespace, { origin: INSIDE, gap: { x: 30, y: 30 }, padding: SIZES.padding, aspect: 2 });
const workloadGrid = (ids: readonly string[]) => gridPlacement(ids, SIZES.workload, { origin: INSIDE, gap: { x: 40, y: 24 }, padding: SIZES.padding });

/** The tenant's box at its collapsed children's positions. */
function boxAround(positions: Record<string, Point>, ids: readonly string[], item: Size): Size {
  let w = 0;
  let h = 0;
  for (const id of ids) {
    const p = positions[id];
    if (!p) continue;
    w = Math.max(w, p.x + item.width);
    h = Math.max(h, p.y + item.height);
  }
  return { width: w + SIZES.padding, height: h + SIZES.padding };
}

export function planLayouts(data: GraphData): LayoutPlan {
  const plan: LayoutPlan = { layouts: { ...data.layouts }, patched: [], refine: [] };
  const byParent = childrenOf(data.nodes);
  const tenants = data.nodes.filter((n) => n.kind === 'tenant');
  const others = data.nodes.filter((n) => n.kind === 'external' || n.kind === 'other-tenant');

  // The group picture: tenants with their namespaces, and the outside and opaque nodes.
  const stored = data.layouts[data.groupLayoutKey];
  const kidsOf = (t: GraphNode) => (byParent.get(t.id) ?? []).filter((k) => k.kind === 'namespace').map((k) => k.id);
  const topIds = [...tenants, ...others].map((n) => n.id);
  if (!stored || Object.keys(stored.positions).length === 0) {
    const positions: Record<string, Point> = {};
    const boxes: (Size & { id: string })[] = [];
    for (const t of tenants) {
      const kids = kidsOf(t);
      if (kids.length === 0) boxes.push({ id: t.id, ...SIZES.tenant });
      else {
        const g = nsGrid(kids);
        Object.assign(positions, g.positions);
        boxes.push({ id: t.id, width: g.width, height: g.height });
      }
    }
    for (const o of others) boxes.push({ id: o.id, ...SIZES.endpoint });
    const top = shelfPlacement(boxes, 60);
    Object.assign(positions, top.positions);
    plan.layouts[data.groupLayoutKey] = { positions, width: top.width, height: top.height };
    plan.refine.push({
      key: data.groupLayoutKey,
      request: { kind: 'groups', tenants: tenants.map((t) => ({ id: t.id, children: kidsOf(t).map((id) => ({ id, ...SIZES.namespace })) })), others: others.map((o) => ({ id: o.id, ...SIZES.endpoint })), edges: groupEdges(data.nodes, data.edges) },
    });
  } else {
    const positions = { ...stored.positions };
    let changed = false;
    for (const t of tenants) {
      const kids = kidsOf(t);
      const missing = kids.filter((k) => !positions[k]);
      if (missing.length === 0) continue;
      changed = true;
      const placed = kids.filter((k) => positions[k]);
      if (placed.length === 0) Object.assign(positions, nsGrid(missing).positions);
      else for (const [id, p] of placeNewcomers(new Map(placed.map((k) => [k, positions[k]!])), missing, SIZES.namespace, 3)) positions[id] = p;
    }
    const missingTop = topIds.filter((id) => !positions[id]);
    if (missingTop.length > 0) {
      changed = true;
      const sizeOfTop = (id: string): Size => {
        const t = tenants.find((x) => x.id === id);
        return t && kidsOf(t).length ? boxAround(positions, kidsOf(t), SIZES.namespace) : t ? SIZES.tenant : SIZES.endpoint;
      };
      const biggest = missingTop.map(sizeOfTop).reduce((a, b) => ({ width: Math.max(a.width, b.width), height: Math.max(a.height, b.height) }));
      const placed = new Map(topIds.filter((id) => positions[id]).map((id) => [id, positions[id]!]));
      for (const [id, p] of placeNewcomers(placed, missingTop, biggest, 4, 60)) positions[id] = p;
    }
    if (changed) {
      plan.layouts[data.groupLayoutKey] = { ...stored, positions };
      plan.patched.push(data.groupLayoutKey);
    }
  }

  // Open namespaces: their workloads.
  for (const ns of data.nodes) {
    if (ns.kind !== 'namespace' || !ns.expanded) continue;
    const key = `ns:${ns.namespace}`;
    const members = (byParent.get(ns.id) ?? []).map((m) => m.id);
    const have = data.layouts[key];
    const missing = members.filter((m) => !have?.positions[m]);
    if (missing.length === 0) continue;
    if (have && missing.length < members.length) {
      const placed = new Map(members.filter((m) => have.positions[m]).map((m) => [m, have.positions[m]!]));
      const positions = { ...have.positions };
      for (const [id, p] of placeNewcomers(placed, missing, SIZES.workload, 4)) positions[id] = p;
      plan.layouts[key] = { positions, ...boxAround(positions, members, SIZES.workload) };
      plan.patched.push(key);
      continue;
    }
    const grid = workloadGrid(members);
    plan.layouts[key] = grid;
    const ids = new Set(members);
    plan.refine.push({ key, request: { kind: 'namespace', nodes: members.map((id) => ({ id, ...SIZES.workload })), edges: data.edges.filter((e) => ids.has(e.source) && ids.has(e.target)).map((e) => ({ source: e.source, target: e.target })) } });
  }
  return plan;
}

export interface FlowNodeData extends Record<string, unknown> {
  node: GraphNode;
  selected: boolean;
  dimmed: boolean;
}

export interface Rect extends Point, Size {}

export interface Composed {
  nodes: Node<FlowNodeData>[];
  /** Every drawn node's box in flow coordinates (absolute), for edges and fitting the view. */
  rects: Map<string, Rect>;
  bounds: Rect;
}

/** Positioned React Flow nodes from the layouts; expanded boxes make room instead of re-laying everything out. */
export function composeNodes(data: Pick<GraphData, 'nodes' | 'groupLayoutKey'>, layouts: Record<string, StoredLayout>, selectedId: string | null, focusIds: ReadonlySet<string> | null): Composed {
  const group = layouts[data.groupLayoutKey]?.positions ?? {};
  const byParent = childrenOf(data.nodes);
  const nsSize = (n: GraphNode): Size => {
    if (!n.expanded) return SIZES.namespace;
    const l = layouts[`ns:${n.namespace}`];
    const members = (byParent.get(n.id) ?? []).map((m) => m.id);
    const fromLayout = l ? boxAround(l.positions, members, SIZES.workload) : null;
    return { width: Math.max(SIZES.namespace.width, fromLayout?.width ?? 0), height: Math.max(SIZES.namespace.height, fromLayout?.height ?? 0) };
  };
  // Tenants: their namespaces at stored positions, expanded ones pushing the rest aside.
  const tenantSize = new Map<string, Size>();
  const collapsedTenantSize = new Map<string, Size>();
  const childPos = new Map<string, Point>();
  const boxSize = new Map<string, Size>();
  for (const t of data.nodes) {
    if (t.kind !== 'tenant') continue;
    const kids = (byParent.get(t.id) ?? []).filter((k) => k.kind === 'namespace');
    if (!t.expanded || kids.length === 0) {
      tenantSize.set(t.id, SIZES.tenant);
      collapsedTenantSize.set(t.id, SIZES.tenant);
      continue;
    }
    const fallback = nsGrid(kids.map((k) => k.id)).positions;
    const boxes = kids.map((k) => ({ id: k.id, ...(group[k.id] ?? fallback[k.id]!), ...SIZES.namespace }));
    const grown = new Map(kids.filter((k) => k.expanded).map((k) => [k.id, nsSize(k)]));
    const room = makeRoom(boxes, grown);
    const moved = grown.size ? resolveOverlaps(boxes.map((b) => ({ ...b, ...room.get(b.id)!, ...(grown.get(b.id) ?? {}) }))) : room;
    let w = 0;
    let h = 0;
    let cw = 0;
    let ch = 0;
    for (const b of boxes) {
      const p = moved.get(b.id)!;
      const s = grown.get(b.id) ?? SIZES.namespace;
      childPos.set(b.id, p);
      boxSize.set(b.id, s);
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
  const grownTop = new Map([...tenantSize].filter(([id, s]) => {
    const c = collapsedTenantSize.get(id)!;
    return s.width !== c.width || s.height !== c.height;
  }));
  const topRoom = makeRoom(topBoxes, grownTop);
  const topPos = resolveOverlaps(topBoxes.map((b) => ({ ...b, ...topRoom.get(b.id)!, ...(tenantSize.get(b.id) ?? {}) })));

  const nodes: Node<FlowNodeData>[] = [];
  const rects = new Map<string, Rect>();
  const mk = (n: GraphNode, type: string, position: Point, size: Size) => {
    const parent = n.parentId ? rects.get(n.parentId) : undefined;
    rects.set(n.id, { x: (parent?.x ?? 0) + position.x, y: (parent?.y ?? 0) + position.y, ...size });
    nodes.push({
      id: n.id,
      type,
      position,
      ...(n.parentId ? { parentId: n.parentId } : {}),
      // Known sizes: React Flow shows and fits nodes without waiting to measure them.
      width: size.width,
      height: size.height,
      data: { node: n, selected: n.id === selectedId, dimmed: focusIds !== null && !focusIds.has(n.id) },
      draggable: false,
      selectable: false,
      ...(type === 'box' ? { focusable: false, zIndex: -1 } : {}),
    });
  };
  // Containers before what they contain (the server sends tenants, namespaces, workloads in that order).
  for (const n of data.nodes) {
    if (n.kind === 'tenant') mk(n, n.expanded && (byParent.get(n.id)?.length ?? 0) > 0 ? 'box' : 'group', topPos.get(n.id)!, tenantSize.get(n.id)!);
    else if (n.kind === 'namespace') mk(n, n.expanded ? 'box' : 'group', childPos.get(n.id) ?? INSIDE, boxSize.get(n.id) ?? nsSize(n));
    else if (n.kind === 'workload') mk(n, 'workload', layouts[`ns:${n.namespace}`]?.positions[n.id] ?? INSIDE, SIZES.workload);
    else mk(n, 'endpoint', topPos.get(n.id) ?? { x: 0, y: 0 }, SIZES.endpoint);
  }
  let x0 = Infinity;
  let y0 = Infinity;
  let x1 = -Infinity;
  let y1 = -Infinity;
  for (const r of rects.values()) {
    x0 = Math.min(x0, r.x);
    y0 = Math.min(y0, r.y);
    x1 = Math.max(x1, r.x + r.width);
    y1 = Math.max(y1, r.y + r.height);
  }
  const bounds = rects.size ? { x: x0, y: y0, width: x1 - x0, height: y1 - y0 } : { x: 0, y: 0, width: 0, height: 0 };
  return { nodes, rects, bounds };
}

export interface Segment {
  id: string;
  source: string;
  target: string;
  x1: number;
  y1: number;
  x2: number;
  y2: number;
  edge: DrawnEdge;
  selected: boolean;
  dimmed: boolean;
}

/** Straight segments from the right side of the source to the left side of the target. */
export function composeSegments(edges: readonly DrawnEdge[], rects: ReadonlyMap<string, Rect>, selectedEdge: string | null, focusIds: ReadonlySet<string> | null): Segment[] {
  const out: Segment[] = [];
  for (const e of edges) {
    const s = rects.get(e.source);
    const t = rects.get(e.target);
    if (!s || !t) continue;
    out.push({
      id: e.id,
      source: e.source,
      target: e.target,
      x1: s.x + s.width,
      y1: s.y + s.height / 2,
      x2: t.x,
      y2: t.y + t.height / 2,
      edge: e,
      selected: e.id === selectedEdge,
      dimmed: focusIds !== null && !(focusIds.has(e.source) || focusIds.has(e.target)),
    });
  }
  return out;
}

/** The segment nearest to a point in flow coordinates, within `tolerance`, or null. */
export function nearestSegment(segments: readonly Segment[], p: Point, tolerance: number): Segment | null {
  let best: Segment | null = null;
  let bestD = tolerance * tolerance;
  for (const s of segments) {
    const dx = s.x2 - s.x1;
    const dy = s.y2 - s.y1;
    const len = dx * dx + dy * dy;
    const u = len === 0 ? 0 : Math.max(0, Math.min(1, ((p.x - s.x1) * dx + (p.y - s.y1) * dy) / len));
    const ex = s.x1 + u * dx - p.x;
    const ey = s.y1 + u * dy - p.y;
    const d = ex * ex + ey * ey;
    // Ties (edges both ways between two nodes) go to the one drawn last, i.e. on top.
    if (d <= bestD) {
      bestD = d;
      best = s;
    }
  }
  return best;
}
