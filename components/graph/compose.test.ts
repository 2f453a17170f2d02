// What the graph draws from the server's answer: layouts that never wait (stored, patched, or
// a provisional grid that elk refines), positioned nodes with known sizes, edge segments
// between node sides, and hit-testing of edges that are not DOM elements.
import ELK from 'elkjs/lib/elk.bundled.js';
import { describe, expect, it } from 'vitest';
import type { GraphNode } from '@/server/domain/graph/model';
import { composeNodes, composeSegments, nearestSegment, planLayouts, type DrawnEdge, type GraphData } from './compose';
import { layoutWithElk } from './elk-layout';
import { SIZES } from './layout-protocol';

const node = (id: string, kind: GraphNode['kind'], extra: Partial<GraphNode> = {}): GraphNode => ({ id, kind, label: id.replace(/^\w+:/, ''), workloadCount: 0, plaintextOnStrictIn: 0, deniedIn: 0, ...extra });
const edge = (source: string, target: string, extra: Partial<DrawnEdge> = {}): DrawnEdge => ({ id: `${source}->${target}`, source, target, mtls: 'mutual', verdict: 'allowed', perSecond: 1, plaintextOnStrict: false, members: 1, total: 60, ...extra });

/** Two tenants with namespaces (collapsed), the world outside. */
function namespaceLevel(layouts: GraphData['layouts'] = {}): GraphData {
  return {
    nodes: [
      node('t:shop', 'tenant', { expanded: true }),
      node('t:pay', 'tenant', { expanded: true }),
      node('ns:web', 'namespace', { parentId: 't:shop', namespace: 'web' }),
      node('ns:api', 'namespace', { parentId: 't:shop', namespace: 'api' }),
      node('ns:payments', 'namespace', { parentId: 't:pay', namespace: 'payments' }),
      node('ext:world', 'external'),
    ],
    edges: [edge('ns:web', 'ns:api'), edge('ns:api', 'ns:payments', { mtls: 'mixed', verdict: 'denied' }), edge('ns:payments', 'ext:world')],
    layouts,
    groupLayoutKey: 'groups:all',
  };
}

const overlaps = (a: { x: number; y: number; width: number; height: number }, b: typeof a) => a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;

describe('layouts never hold up the first picture', () => {
  it('draws a provisional grid at once when nothing is stored, and asks elk to refine it', () => {
    const data = namespaceLevel();
    const plan = planLayouts(data);
    expect(plan.patched).toEqual([]);
    expect(plan.refine.map((r) => r.key)).toEqual(['groups:all']);
    const req = plan.refine[0]!.request;
    expect(req.kind).toBe('groups');
    if (req.kind !== 'groups') return;
    expect(req.tenants.map((t) => [t.id, t.children.map((c) => c.id)])).toEqual([['t:shop', ['ns:web', 'ns:api']], ['t:pay', ['ns:payments']]]);
    expect(req.edges).toEqual([{ source: 'ns:web', target: 'ns:api' }, { source: 'ns:api', target: 'ns:payments' }, { source: 'ns:payments', target: 'ext:world' }]);
    // Every node placed, the same way every time, nothing on top of anything else.
    const positions = plan.layouts['groups:all']!.positions;
    expect(Object.keys(positions).sort()).toEqual(['ext:world', 'ns:api', 'ns:payments', 'ns:web', 't:pay', 't:shop']);
    expect(planLayouts(namespaceLevel()).layouts).toEqual(plan.layouts);
    const { nodes, rects } = composeNodes(data, plan.layouts, null, null);
    expect(nodes).toHaveLength(6);
    const top = ['t:shop', 't:pay', 'ext:world'].map((id) => rects.get(id)!);
    for (let i = 0; i < top.length; i++) for (let j = i + 1; j < top.length; j++) expect(overlaps(top[i]!, top[j]!)).toBe(false);
    // Namespaces sit inside their tenant's box, below its header.
    for (const [ns, t] of [['ns:web', 't:shop'], ['ns:api', 't:shop'], ['ns:payments', 't:pay']] as const) {
      const a = rects.get(ns)!;
      const b = rects.get(t)!;
      expect(a.x).toBeGreaterThanOrEqual(b.x);
      expect(a.y).toBeGreaterThanOrEqual(b.y + SIZES.header);
      expect(a.x + a.width).toBeLessThanOrEqual(b.x + b.width);
      expect(a.y + a.height).toBeLessThanOrEqual(b.y + b.height);
    }
  });

  it('draws a stored layout as it is, with nothing to refine or save', () => {
    const stored = { positions: { 't:shop': { x: 0, y: 0 }, 't:pay': { x: 700, y: 0 }, 'ext:world': { x: 1200, y: 0 }, 'ns:web': { x: 16, y: 38 }, 'ns:api': { x: 300, y: 38 }, 'ns:payments': { x: 16, y: 38 } } };
    const plan = planLayouts(namespaceLevel({ 'groups:all': stored }));
    expect(plan.refine).toEqual([]);
    expect(plan.patched).toEqual([]);
    const { rects } = composeNodes(namespaceLevel(), plan.layouts, null, null);
    expect(rects.get('ns:api')).toMatchObject({ x: 300, y: 38 });
    expect(rects.get('ext:world')).toMatchObject({ x: 1200, y: 0 });
  });

  it('places newcomers without moving what was stored, and saves that', () => {
    const stored = { positions: { 't:shop': { x: 0, y: 0 }, 'ns:web': { x: 16, y: 38 }, 'ns:api': { x: 300, y: 38 } } };
    const plan = planLayouts(namespaceLevel({ 'groups:all': stored }));
    expect(plan.refine).toEqual([]);
    expect(plan.patched).toEqual(['groups:all']);
    const p = plan.layouts['groups:all']!.positions;
    expect(p['ns:web']).toEqual({ x: 16, y: 38 });
    expect(p['ns:api']).toEqual({ x: 300, y: 38 });
    expect(p['t:shop']).toEqual({ x: 0, y: 0 });
    expect(p['t:pay']).toBeDefined();
    expect(p['ns:payments']).toBeDefined();
    expect(p['ext:world']).toBeDefined();
  });

  it('lays out an opened namespace as a grid at once, refined by elk; a stored one keeps its places', () => {
    const data = namespaceLevel();
    data.nodes[2] = node('ns:web', 'namespace', { parentId: 't:shop', namespace: 'web', expanded: true });
    data.nodes.push(node('w:web/a', 'workload', { parentId: 'ns:web', namespace: 'web' }), node('w:web/b', 'workload', { parentId: 'ns:web', namespace: 'web' }));
    data.edges.push(edge('w:web/a', 'w:web/b'), edge('w:web/b', 'ns:api'));
    const plan = planLayouts(data);
    expect(plan.refine.map((r) => r.key)).toEqual(['groups:all', 'ns:web']);
    expect(plan.refine[1]!.request).toEqual({ kind: 'namespace', nodes: [{ id: 'w:web/a', ...SIZES.workload }, { id: 'w:web/b', ...SIZES.workload }], edges: [{ source: 'w:web/a', target: 'w:web/b' }] });
    const { rects } = composeNodes(data, plan.layouts, null, null);
    const ns = rects.get('ns:web')!;
    // The open namespace grew to hold its workloads, and its tenant grew with it.
    expect(ns.width).toBeGreaterThan(SIZES.namespace.width);
    for (const w of ['w:web/a', 'w:web/b']) expect(overlaps(rects.get(w)!, ns)).toBe(true);
    expect(overlaps(rects.get('w:web/a')!, rects.get('w:web/b')!)).toBe(false);
    expect(overlaps(ns, rects.get('ns:api')!)).toBe(false);

    const patched = planLayouts({ ...data, layouts: { 'ns:web': { positions: { 'w:web/a': { x: 50, y: 60 } } } } });
    expect(patched.patched).toContain('ns:web');
    expect(patched.layouts['ns:web']!.positions['w:web/a']).toEqual({ x: 50, y: 60 });
    expect(patched.layouts['ns:web']!.positions['w:web/b']!.y).toBeGreaterThan(60 + SIZES.workload.height);
  });
});

describe('edges between node sides, found by pointing at them', () => {
  it('runs from the right side of the source to the left side of the target, dimming what is out of focus', () => {
    const data = namespaceLevel();
    const { rects } = composeNodes(data, planLayouts(data).layouts, null, null);
    const segs = composeSegments(data.edges, rects, 'ns:api->ns:payments', new Set(['ns:web', 'ns:api']));
    const s = segs.find((x) => x.id === 'ns:web->ns:api')!;
    const web = rects.get('ns:web')!;
    const api = rects.get('ns:api')!;
    expect([s.x1, s.y1, s.x2, s.y2]).toEqual([web.x + web.width, web.y + web.height / 2, api.x, api.y + api.height / 2]);
    expect(segs.find((x) => x.id === 'ns:api->ns:payments')).toMatchObject({ selected: true, dimmed: false });
    expect(segs.find((x) => x.id === 'ns:payments->ext:world')).toMatchObject({ selected: false, dimmed: true });
    // An edge to a node that is not drawn is not drawn either.
    expect(composeSegments([edge('ns:web', 'ns:gone')], rects, null, null)).toEqual([]);
  });

  it('hits the nearest edge within the tolerance, and nothing further away', () => {
    const segs = composeSegments([edge('a', 'b'), edge('a', 'c')], new Map([
      ['a', { x: 0, y: 0, width: 10, height: 10 }],
      ['b', { x: 110, y: 0, width: 10, height: 10 }],
      ['c', { x: 110, y: 100, width: 10, height: 10 }],
    ]), null, null);
    expect(nearestSegment(segs, { x: 60, y: 8 }, 5)?.id).toBe('a->b');
    expect(nearestSegment(segs, { x: 60, y: 55 }, 5)?.id).toBe('a->c');
    expect(nearestSegment(segs, { x: 60, y: 30 }, 5)).toBeNull();
    // Past the end of a segment the distance is to its end point.
    expect(nearestSegment(segs, { x: 114, y: 5 }, 5)?.id).toBe('a->b');
    expect(nearestSegment(segs, { x: 130, y: 5 }, 5)).toBeNull();
  });
});

describe('elk refines the grid', () => {
  it('lays out the group picture without overlaps, each namespace inside its tenant', async () => {
    const data = namespaceLevel();
    const req = planLayouts(data).refine[0]!.request;
    const out = await layoutWithElk(new ELK(), req);
    expect(Object.keys(out.positions).sort()).toEqual(['ext:world', 'ns:api', 'ns:payments', 'ns:web', 't:pay', 't:shop']);
    const { rects } = composeNodes(data, { 'groups:all': out }, null, null);
    const top = ['t:shop', 't:pay', 'ext:world'].map((id) => rects.get(id)!);
    for (let i = 0; i < top.length; i++) for (let j = i + 1; j < top.length; j++) expect(overlaps(top[i]!, top[j]!)).toBe(false);
    expect(overlaps(rects.get('ns:web')!, rects.get('ns:api')!)).toBe(false);
    // Layered: the caller left of the callee.
    expect(rects.get('ns:web')!.x).toBeLessThan(rects.get('ns:api')!.x);
  }, 60_000);
});
