import { describe, expect, it } from 'vitest';
import {
  OTHER_TENANT_ID,
  WORLD_ID,
  autoLevel,
  classifyMtls,
  classifyVerdict,
  filterEdges,
  levelOfDetail,
  makeRoom,
  placeNewcomers,
  posture,
  strictReadiness,
  workloadEdges,
  type FlowAggregate,
  type Visibility,
} from './index';

const T = (slug: string) => ({ id: `id-${slug}`, slug, name: slug[0]!.toUpperCase() + slug.slice(1) });
const everyone: Visibility = { allTenants: true, tenantOfNamespace: new Map([['payments', T('payments')], ['storefront', T('storefront')]]) };
const paymentsOnly: Visibility = { allTenants: false, tenantOfNamespace: new Map([['payments', T('payments')]]) };

function flow(p: Partial<FlowAggregate> & { from: string; to: string }): FlowAggregate {
  const [sn, sw] = p.from.includes('/') ? p.from.split('/') : ['', ''];
  const [dn, dw] = p.to.includes('/') ? p.to.split('/') : ['', ''];
  return {
    srcNamespace: sn!, srcWorkload: sw!, srcIp: p.from.includes('/') ? '' : p.from,
    dstNamespace: dn!, dstWorkload: dw!, dstIp: p.to.includes('/') ? '' : p.to,
    port: p.port ?? 8080, protocol: p.protocol ?? 'TCP', mtls: p.mtls ?? 'mutual', verdict: p.verdict ?? 'allowed', count: p.count ?? 10, bytes: p.bytes ?? 100,
  };
}

describe('aggregation and classification', () => {
  it('sums rows per edge and port, and classifies mutual, plaintext and mixed', () => {
    const edges = workloadEdges(
      [
        flow({ from: 'storefront/web', to: 'storefront/checkout', count: 60 }),
        flow({ from: 'storefront/web', to: 'storefront/checkout', count: 30 }),
        flow({ from: 'storefront/web', to: 'storefront/checkout', mtls: 'plaintext', count: 10 }),
        flow({ from: 'storefront/checkout', to: 'storefront/catalog', mtls: 'plaintext', count: 5 }),
        flow({ from: 'payments/frontend', to: 'payments/order-service', count: 7 }),
      ],
      everyone,
    );
    const byId = new Map(edges.map((e) => [`${e.source.id}>${e.target.id}`, e]));
    const mixed = byId.get('w:storefront/web>w:storefront/checkout')!;
    expect(mixed.counts).toMatchObject({ total: 100, mutual: 90, plaintext: 10 });
    expect(mixed.ports.size).toBe(1);
    expect(classifyMtls(mixed.counts)).toBe('mixed');
    expect(classifyMtls(byId.get('w:storefront/checkout>w:storefront/catalog')!.counts)).toBe('plaintext');
    expect(classifyMtls(byId.get('w:payments/frontend>w:payments/order-service')!.counts)).toBe('mutual');
    expect(classifyMtls({ mutual: 0, plaintext: 0 })).toBe('unknown');
  });

  it('names verdicts, and calls a mix of them mixed', () => {
    expect(classifyVerdict({ allowed: 3, denied: 0, dropped: 0 })).toBe('allowed');
    expect(classifyVerdict({ allowed: 0, denied: 3, dropped: 0 })).toBe('denied');
    expect(classifyVerdict({ allowed: 0, denied: 0, dropped: 1 })).toBe('dropped');
    expect(classifyVerdict({ allowed: 1, denied: 3, dropped: 0 })).toBe('mixed');
  });

  it('groups outside addresses into private blocks or the world', () => {
    const edges = workloadEdges([flow({ from: 'payments/frontend', to: '10.1.2.3' }), flow({ from: 'payments/frontend', to: '10.1.2.77' }), flow({ from: 'payments/frontend', to: '8.8.8.8' })], everyone);
    expect(edges.map((e) => e.target.id).sort()).toEqual(['ext:10.1.2.0/24', WORLD_ID]);
    expect(edges.find((e) => e.target.id === 'ext:10.1.2.0/24')!.counts.total).toBe(20);
  });

  it('marks plaintext into a STRICT port', () => {
    const edges = workloadEdges([flow({ from: 'storefront/checkout', to: 'payments/payment-service', port: 8443, mtls: 'plaintext', verdict: 'dropped' })], everyone, (ns) => (ns === 'payments' ? 'STRICT' : 'PERMISSIVE'));
    expect(edges[0]!.plaintextOnStrict).toBe(true);
    expect(posture(edges)).toMatchObject({ plaintextOnStrictEdges: 1, plaintextEdges: 1, mtlsShare: 0 });
  });
});

describe('tenant isolation', () => {
  it('turns the far end in another tenant into one opaque node and never names it', () => {
    const edges = workloadEdges(
      [flow({ from: 'storefront/checkout', to: 'payments/payment-service' }), flow({ from: 'payments/order-service', to: 'storefront/catalog' }), flow({ from: 'storefront/web', to: 'storefront/catalog' })],
      paymentsOnly,
    );
    expect(edges).toHaveLength(2);
    const graph = levelOfDetail({ visibility: paymentsOnly, workloads: [{ namespace: 'payments', name: 'payment-service' }], edges, filters: {}, view: {}, rangeSeconds: 60 });
    const text = JSON.stringify(graph);
    expect(text).not.toContain('storefront');
    expect(text).not.toContain('checkout');
    expect(graph.nodes.map((n) => n.id)).toContain(OTHER_TENANT_ID);
  });
});

describe('level of detail', () => {
  const rows = [
    flow({ from: 'storefront/web', to: 'storefront/checkout', count: 90 }),
    flow({ from: 'storefront/web', to: 'storefront/checkout', mtls: 'plaintext', count: 10 }),
    flow({ from: 'storefront/checkout', to: 'payments/payment-service', port: 8443, count: 40 }),
    flow({ from: 'storefront/web', to: 'payments/frontend', mtls: 'plaintext', count: 20 }),
    flow({ from: 'storefront/web', to: 'payments/frontend', count: 20 }),
    flow({ from: 'storefront/web', to: 'payments/frontend', verdict: 'denied', mtls: 'unknown', count: 4 }),
  ];
  const workloads = ['storefront/web', 'storefront/checkout', 'storefront/catalog', 'payments/frontend', 'payments/payment-service'].map((s) => ({ namespace: s.split('/')[0]!, name: s.split('/')[1]! }));
  const edges = workloadEdges(rows, everyone);

  it('picks the most detailed level that fits the node budget', () => {
    expect(autoLevel(100, 10)).toBe('workload');
    expect(autoLevel(2000, 40)).toBe('namespace');
    expect(autoLevel(20000, 400)).toBe('tenant');
    expect(levelOfDetail({ visibility: everyone, workloads, edges, filters: {}, view: {}, rangeSeconds: 60 }).level).toBe('workload');
  });

  it('collapses namespaces into one node with aggregated edges and per-source plaintext shares', () => {
    const g = levelOfDetail({ visibility: everyone, workloads, edges, filters: {}, view: { level: 'namespace' }, rangeSeconds: 100 });
    expect(g.nodes.filter((n) => n.kind === 'workload')).toHaveLength(0);
    const ns = g.nodes.find((n) => n.id === 'ns:storefront')!;
    expect(ns.workloadCount).toBe(3);
    expect(ns.internal).toMatchObject({ total: 100, plaintext: 10 });
    expect(g.edges).toHaveLength(1);
    const e = g.edges[0]!;
    expect(e).toMatchObject({ source: 'ns:storefront', target: 'ns:payments', mtls: 'mixed', verdict: 'mixed', members: 2 });
    expect(e.counts.total).toBe(84);
    expect(e.perSecond).toBeCloseTo(0.84);
    expect(e.ports.map((p) => p.port)).toEqual([8080, 8443]);
    expect(e.plaintextBySource).toEqual([{ source: 'w:storefront/web', sourceLabel: 'storefront/web', port: 8080, protocol: 'TCP', plaintext: 20, mutual: 20, share: 0.5 }]);
    // Parents come before children, as React Flow needs.
    const ids = g.nodes.map((n) => n.id);
    expect(ids.indexOf('t:storefront')).toBeLessThan(ids.indexOf('ns:storefront'));
  });

  it('expands one namespace on demand and keeps the others collapsed', () => {
    const g = levelOfDetail({ visibility: everyone, workloads, edges, filters: {}, view: { level: 'namespace', open: ['ns:payments'] }, rangeSeconds: 60 });
    expect(g.nodes.find((n) => n.id === 'w:payments/frontend')?.parentId).toBe('ns:payments');
    expect(g.edges.map((e) => e.id).sort()).toEqual(['ns:storefront->w:payments/frontend', 'ns:storefront->w:payments/payment-service']);
  });

  it('collapses whole tenants at the tenant level', () => {
    const g = levelOfDetail({ visibility: everyone, workloads, edges, filters: {}, view: { level: 'tenant' }, rangeSeconds: 60 });
    expect(g.nodes.map((n) => n.id)).toEqual(['t:payments', 't:storefront']);
    expect(g.edges.map((e) => e.id)).toEqual(['t:storefront->t:payments']);
  });

  it('filters by mTLS state, verdict and namespace, keeping an edge when either end matches', () => {
    expect(filterEdges(edges, { mtls: ['plaintext'] }, everyone)).toHaveLength(0);
    expect(filterEdges(edges, { mtls: ['mixed'] }, everyone)).toHaveLength(2);
    expect(filterEdges(edges, { verdicts: ['denied'] }, everyone).map((e) => e.target.id)).toEqual(['w:payments/frontend']);
    expect(filterEdges(edges, { namespaces: ['payments'] }, everyone)).toHaveLength(2);
    expect(filterEdges(edges, { tenants: ['storefront'] }, everyone)).toHaveLength(3);
    const narrowed = levelOfDetail({ visibility: everyone, workloads, edges: filterEdges(edges, { verdicts: ['denied'] }, everyone), filters: { verdicts: ['denied'] }, view: {}, rangeSeconds: 60 });
    expect(narrowed.nodes.filter((n) => n.kind === 'workload').map((n) => n.id)).toEqual(['w:payments/frontend', 'w:storefront/web']);
  });
});

describe('STRICT readiness', () => {
  it('lists the plaintext edges a switch to STRICT would break, and those already rejected', () => {
    const edges = workloadEdges(
      [
        flow({ from: 'storefront/checkout', to: 'payments/payment-service', port: 8443, count: 30 }),
        flow({ from: 'storefront/checkout', to: 'payments/payment-service', port: 8443, mtls: 'plaintext', count: 10 }),
        flow({ from: 'payments/order-service', to: 'payments/postgres', port: 5432, mtls: 'plaintext', count: 50 }),
        flow({ from: 'storefront/web', to: 'storefront/catalog', mtls: 'plaintext', count: 5 }),
      ],
      everyone,
    );
    const modeOf = (ns: string, wl: string, port: number) => (ns === 'payments' && port !== 5432 ? 'STRICT' : wl === 'postgres' ? 'DISABLE' : 'PERMISSIVE') as 'STRICT' | 'DISABLE' | 'PERMISSIVE';
    const r = strictReadiness(edges, { namespace: 'payments' }, modeOf);
    expect(r.ready).toBe(false);
    expect(r.breaking.map((b) => [b.sourceLabel, b.targetLabel, b.port, b.plaintext, b.currentMode])).toEqual([['payments/order-service', 'payments/postgres', 5432, 50, 'DISABLE']]);
    expect(r.alreadyRejected.map((b) => b.sourceLabel)).toEqual(['storefront/checkout']);
    expect(strictReadiness(edges, { namespace: 'payments', workload: 'payment-service' }, modeOf).ready).toBe(true);
    expect(strictReadiness(edges, { namespace: 'storefront', workload: 'catalog' }, modeOf).breaking).toHaveLength(1);
  });
});

describe('layout composition', () => {
  it('pushes boxes right of and below an expanded one, and leaves the rest in place', () => {
    const boxes = [
      { id: 'a', x: 0, y: 0, width: 100, height: 50 },
      { id: 'b', x: 200, y: 0, width: 100, height: 50 },
      { id: 'c', x: 0, y: 150, width: 100, height: 50 },
      { id: 'd', x: 400, y: 400, width: 100, height: 50 },
    ];
    const out = makeRoom(boxes, new Map([['a', { width: 300, height: 200 }]]));
    expect(out.get('a')).toEqual({ x: 0, y: 0 });
    expect(out.get('b')).toEqual({ x: 400, y: 0 });
    expect(out.get('c')).toEqual({ x: 0, y: 300 });
    expect(out.get('d')).toEqual({ x: 400, y: 400 });
  });

  it('places newcomers below the picture without moving placed nodes', () => {
    const placed = new Map([['a', { x: 10, y: 20 }]]);
    const out = placeNewcomers(placed, ['b', 'c'], { width: 100, height: 40 });
    expect(out.get('a')).toEqual({ x: 10, y: 20 });
    expect(out.get('b')!.y).toBeGreaterThan(60);
    expect(out.get('c')!.x).toBeGreaterThan(out.get('b')!.x);
  });
});

describe('placements drawn before any layout exists', () => {
  it('puts items in a grid about as wide as asked, in order, without overlaps', async () => {
    const { gridPlacement } = await import('./compose-layout');
    const ids = Array.from({ length: 10 }, (_, i) => `n${i}`);
    const g = gridPlacement(ids, { width: 100, height: 40 }, { origin: { x: 16, y: 38 }, gap: { x: 20, y: 20 }, padding: 16, aspect: 2 });
    expect(g.positions.n0).toEqual({ x: 16, y: 38 });
    expect(g.positions.n1).toEqual({ x: 136, y: 38 });
    const cols = new Set(Object.values(g.positions).map((p) => p.x)).size;
    const rows = new Set(Object.values(g.positions).map((p) => p.y)).size;
    expect(cols * rows).toBeGreaterThanOrEqual(10);
    expect(g.width / g.height).toBeGreaterThan(1);
    expect(g.width).toBe(16 + cols * 120 - 20 + 16);
    expect(gridPlacement([], { width: 100, height: 40 }, { origin: { x: 16, y: 38 }, gap: { x: 20, y: 20 }, padding: 16 })).toEqual({ positions: {}, width: 32, height: 54 });
  });

  it('packs boxes of different sizes into rows, wrapping before the picture gets too wide', async () => {
    const { shelfPlacement } = await import('./compose-layout');
    const boxes = [
      { id: 'a', width: 400, height: 200 },
      { id: 'b', width: 400, height: 100 },
      { id: 'c', width: 400, height: 300 },
      { id: 'd', width: 100, height: 50 },
    ];
    const out = shelfPlacement(boxes, 50, 3);
    expect(out.positions.a).toEqual({ x: 0, y: 0 });
    expect(out.positions.b).toEqual({ x: 450, y: 0 });
    // The next row starts below the tallest box of the first.
    expect(out.positions.c).toEqual({ x: 0, y: 250 });
    expect(out.positions.d).toEqual({ x: 450, y: 250 });
    expect(out).toMatchObject({ width: 850, height: 550 });
    for (const x of boxes) for (const y of boxes) {
      if (x.id >= y.id) continue;
      const p = out.positions[x.id]!;
      const q = out.positions[y.id]!;
      expect(p.x + x.width <= q.x || q.x + y.width <= p.x || p.y + x.height <= q.y || q.y + y.height <= p.y).toBe(true);
    }
  });
});

describe('overlap resolution', () => {
  it('moves overlapping boxes down and leaves separate ones alone', async () => {
    const { resolveOverlaps } = await import('./compose-layout');
    const out = resolveOverlaps([
      { id: 'a', x: 0, y: 0, width: 100, height: 100 },
      { id: 'b', x: 50, y: 50, width: 100, height: 100 },
      { id: 'c', x: 500, y: 0, width: 10, height: 10 },
    ], 10);
    expect(out.get('b')).toEqual({ x: 50, y: 110 });
    expect(out.get('c')).toEqual({ x: 500, y: 0 });
  });
});
