// The graph verbs against a real database on both drivers: aggregation of flow rows, mTLS
// and verdict marks, explanations from the netpol engine, STRICT readiness, the layout cache,
// and a tenant admin who sees their tenant and one opaque node for everything else.
import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clusters, inventoryObjects } from '@/db/schema';
import { contextFor, seedTenant } from '@/db/seed/factories';
import type { Principal } from '@/server/services/context';
import { openTestDatabase, type TestDatabase, testDrivers } from '@/test/helpers/test-database';
import { readEdgeDetails, readNodeDetails } from './read-details';
import { readGraph } from './read-graph';
import { saveLayout } from './save-layout';
import { inScope } from '../scope';

const NOW = new Date('2031-03-04T12:30:20Z');

function user(role: 'security_admin' | 'tenant_admin' | 'viewer', tenantId: string | null): Principal {
  return { kind: 'user', userId: '00000000-0000-0000-0000-000000000001', email: `${role}@example.test`, grants: [{ role, tenantId }], mfaVerified: true, sessionId: null };
}

const workload = (namespace: string, name: string, labels: Record<string, string>, ports: { name?: string; port: number }[], serviceAccount = name) => ({
  kind: 'Workload',
  namespace,
  name,
  object: { namespace, name, ownerKind: 'Deployment', labels, ips: [], ports: ports.map((p) => ({ ...p, protocol: 'TCP' })), serviceAccount, replicas: 2 },
});

describe.each(testDrivers())('graph queries (%s)', (driver) => {
  let t: TestDatabase;
  let clusterId = '';
  let payments = '';
  const admin = () => contextFor(t.db, user('security_admin', null), () => NOW);
  const tenantAdmin = () => contextFor(t.db, user('tenant_admin', payments), () => NOW);

  beforeAll(async () => {
    t = await openTestDatabase(driver);
    payments = (await seedTenant(t.db, 'payments', { cluster: 'prod', namespaces: ['payments'] })).id;
    await seedTenant(t.db, 'storefront', { cluster: 'prod', namespaces: ['storefront'] });
    clusterId = (await t.db.select().from(clusters).where(eq(clusters.name, 'prod')))[0]!.id;
    const objects = [
      { kind: 'Namespace', namespace: '', name: 'payments', object: { metadata: { name: 'payments', labels: { tenant: 'payments' } } } },
      { kind: 'Namespace', namespace: '', name: 'storefront', object: { metadata: { name: 'storefront', labels: { tenant: 'storefront' } } } },
      { kind: 'Namespace', namespace: '', name: 'istio-system', object: { metadata: { name: 'istio-system' } } },
      workload('payments', 'payment-service', { app: 'payment-service' }, [{ name: 'https', port: 8443 }]),
      workload('payments', 'postgres', { app: 'postgres' }, [{ port: 5432 }]),
      workload('storefront', 'checkout', { app: 'checkout' }, [{ port: 8080 }]),
      workload('storefront', 'web', { app: 'web' }, [{ port: 8080 }]),
      {
        kind: 'NetworkPolicy',
        namespace: 'payments',
        name: 'payment-service-ingress',
        object: {
          apiVersion: 'networking.k8s.io/v1',
          kind: 'NetworkPolicy',
          metadata: { name: 'payment-service-ingress', namespace: 'payments' },
          spec: { podSelector: { matchLabels: { app: 'payment-service' } }, ingress: [{ from: [{ namespaceSelector: { matchLabels: { tenant: 'storefront' } }, podSelector: { matchLabels: { app: 'checkout' } } }], ports: [{ port: 8443 }] }] },
        },
      },
      { kind: 'PeerAuthentication', namespace: 'istio-system', name: 'mesh', object: { apiVersion: 'security.istio.io/v1', kind: 'PeerAuthentication', metadata: { name: 'mesh', namespace: 'istio-system' }, spec: { mtls: { mode: 'PERMISSIVE' } } } },
      { kind: 'PeerAuthentication', namespace: 'payments', name: 'strict', object: { apiVersion: 'security.istio.io/v1', kind: 'PeerAuthentication', metadata: { name: 'strict', namespace: 'payments' }, spec: { mtls: { mode: 'STRICT' } } } },
    ];
    await t.db.insert(inventoryObjects).values(objects.map((o) => ({ clusterId, ...o, resourceVersion: '1', updatedAt: NOW })));
    await t.db.execute(sql`select verity_ensure_flow_partitions('2031-03-04'::date, 1)`);
    const flows: [string, string, string, string, number, string, string, number, string?][] = [
      // [src ns, src wl, dst ns, dst wl, port, mtls, verdict, count, dst ip]
      ['storefront', 'checkout', 'payments', 'payment-service', 8443, 'mutual', 'allowed', 90],
      ['storefront', 'checkout', 'payments', 'payment-service', 8443, 'plaintext', 'dropped', 10],
      ['storefront', 'web', 'payments', 'payment-service', 8443, 'unknown', 'denied', 7],
      ['storefront', 'web', 'storefront', 'checkout', 8080, 'plaintext', 'allowed', 40],
      ['payments', 'payment-service', 'payments', 'postgres', 5432, 'plaintext', 'allowed', 30],
      ['payments', 'payment-service', '', '', 443, 'unknown', 'allowed', 5, '52.1.2.3'],
    ];
    for (const [minute, factor] of [['2031-03-04T12:20:00Z', 1], ['2031-03-04T12:29:00Z', 2], ['2031-03-04T10:00:00Z', 100]] as const) {
      for (const [sn, sw, dn, dw, port, mtls, verdict, count, ip] of flows) {
        await t.db.execute(sql`INSERT INTO flow_minutes VALUES (${clusterId}, ${minute}, ${sn}, ${sw}, '', ${dn}, ${dw}, ${ip ?? ''}, ${port}, 'TCP', ${mtls}, ${verdict}, ${count * factor}, 0)`);
      }
    }
  });
  afterAll(() => t?.dispose());

  it('sums rows over the range and marks mTLS, verdicts and plaintext on STRICT', async () => {
    const g = await readGraph(admin(), { range: '1h' });
    expect(g.cluster?.name).toBe('prod');
    expect(g.level).toBe('workload');
    const edge = g.edges.find((e) => e.id === 'w:storefront/checkout->w:payments/payment-service')!;
    expect(edge).toMatchObject({ total: 300, mtls: 'mixed', verdict: 'mixed', plaintextOnStrict: true, members: 1 });
    // Drawing needs no more than this; the breakdown comes with the edge's side panel.
    expect(Object.keys(edge).sort()).toEqual(['id', 'members', 'mtls', 'perSecond', 'plaintextOnStrict', 'source', 'target', 'total', 'verdict']);
    const details = await readEdgeDetails(admin(), { clusterId, range: '1h', source: edge.source, target: edge.target });
    expect(details.counts).toMatchObject({ total: 300, mutual: 270, plaintext: 30, dropped: 30 });
    expect(details.plaintextBySource).toEqual([expect.objectContaining({ sourceLabel: 'storefront/checkout', port: 8443, share: 0.1 })]);
    expect(g.edges.find((e) => e.id === 'w:storefront/web->w:payments/payment-service')).toMatchObject({ verdict: 'denied', mtls: 'unknown' });
    expect(g.edges.find((e) => e.target === 'ext:world')).toBeDefined();
    // postgres sits in the STRICT namespace too: its plaintext counts.
    expect(g.posture).toMatchObject({ edges: 5, plaintextOnStrictEdges: 2, deniedAttempts: 21, deniedEdges: 1 });
    // The 5-minute range leaves the 12:20 minute out; the day range takes the 10:00 minute in.
    expect((await readGraph(admin(), { range: '5m' })).edges.find((e) => e.id === edge.id)!.total).toBe(200);
    expect((await readGraph(admin(), { range: '1d' })).edges.find((e) => e.id === edge.id)!.total).toBe(10300);
  });

  it('filters by verdict and mTLS and groups to namespaces on demand', async () => {
    const denied = await readGraph(admin(), { range: '1h', verdicts: ['denied'] });
    expect(denied.edges.map((e) => e.id)).toEqual(['w:storefront/web->w:payments/payment-service']);
    const plaintext = await readGraph(admin(), { range: '1h', mtls: ['plaintext'] });
    expect(plaintext.edges.map((e) => e.id).sort()).toEqual(['w:payments/payment-service->w:payments/postgres', 'w:storefront/web->w:storefront/checkout']);
    const grouped = await readGraph(admin(), { range: '1h', level: 'namespace' });
    expect(grouped.edges.map((e) => e.id).sort()).toEqual(['ns:payments->ext:world', 'ns:storefront->ns:payments']);
  });

  it('shows a tenant admin their tenant and an opaque node for the other end, never its name', async () => {
    const g = await readGraph(tenantAdmin(), { range: '1h' });
    const text = JSON.stringify(g);
    expect(text).not.toContain('storefront');
    expect(text).not.toContain('checkout');
    expect(g.nodes.map((n) => n.id)).toEqual(expect.arrayContaining(['w:payments/payment-service', 'other-tenant']));
    expect(g.edges.find((e) => e.id === 'other-tenant->w:payments/payment-service')).toMatchObject({ mtls: 'mixed' });
    expect(g.workloads).toEqual(['payments/payment-service', 'payments/postgres']);
    await expect(readNodeDetails(tenantAdmin(), { clusterId, range: '1h', id: 'w:storefront/checkout' })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(readEdgeDetails(tenantAdmin(), { clusterId, range: '1h', source: 'ns:storefront', target: 'ns:payments' })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    const edge = await readEdgeDetails(tenantAdmin(), { clusterId, range: '1h', source: 'other-tenant', target: 'w:payments/payment-service' });
    expect(JSON.stringify(edge)).not.toContain('storefront');
    expect(edge.explanations[0]!.lines.join('\n')).toContain("egress from another tenant");
  });

  it('lets row-level security pass exactly the flow rows with an end in a visible tenant', async () => {
    const ends = async (ctx: ReturnType<typeof admin>) =>
      (await inScope(ctx, (tx) => tx.execute(sql`SELECT DISTINCT src_namespace || '>' || dst_namespace AS e FROM flow_minutes ORDER BY 1`)) as unknown as { e: string }[] | { rows: { e: string }[] });
    const list = (r: { e: string }[] | { rows: { e: string }[] }) => (Array.isArray(r) ? r : r.rows).map((x) => x.e);
    // storefront>storefront has no end in payments; an end outside the cluster ('') never counts for a tenant.
    expect(list(await ends(tenantAdmin()))).toEqual(['payments>', 'payments>payments', 'storefront>payments']);
    expect(list(await ends(admin()))).toEqual(['payments>', 'payments>payments', 'storefront>payments', 'storefront>storefront']);
  });

  it('explains an edge with the policy and rule that decided it, with counts over time', async () => {
    const edge = await readEdgeDetails(admin(), { clusterId, range: '1h', source: 'w:storefront/checkout', target: 'w:payments/payment-service' });
    expect(edge.explanations[0]!.allowed).toBe(true);
    expect(edge.explanations[0]!.lines.join('\n')).toContain('payments/payment-service-ingress ingress[0]');
    expect(edge.timeline.points.reduce((s, p) => s + p.total, 0)).toBe(300);
    const denied = await readEdgeDetails(admin(), { clusterId, range: '1h', source: 'w:storefront/web', target: 'w:payments/payment-service' });
    expect(denied.explanations[0]!.allowed).toBe(false);
    expect(denied.explanations[0]!.lines.join('\n')).toContain('isolated by payments/payment-service-ingress');
  });

  it('gives a node its policies, effective mTLS per port and STRICT readiness', async () => {
    const node = await readNodeDetails(admin(), { clusterId, range: '1h', id: 'w:payments/payment-service' });
    if (node.kind !== 'workload') throw new Error('expected a workload');
    expect(node.policies.map((p) => p.name)).toEqual(['payment-service-ingress']);
    expect(node.mtlsByPort.ports).toEqual([{ port: 8443, protocol: 'TCP', name: 'https', mode: 'STRICT' }]);
    expect(node.serviceAccount).toBe('payment-service');
    const ns = await readNodeDetails(admin(), { clusterId, range: '1h', id: 'ns:storefront' });
    if (ns.kind !== 'namespace') throw new Error('expected a namespace');
    expect(ns.readiness.ready).toBe(false);
    expect(ns.readiness.breaking.map((b) => `${b.sourceLabel}->${b.targetLabel}:${b.port}`)).toEqual(['storefront/web->storefront/checkout:8080']);
  });

  it('stores layouts where row-level security allows and returns them with the graph', async () => {
    await saveLayout(tenantAdmin(), { clusterId, key: 'ns:payments', layout: { positions: { 'w:payments/postgres': { x: 10, y: 20 } }, width: 300, height: 200 } });
    await expect(saveLayout(tenantAdmin(), { clusterId, key: 'ns:storefront', layout: { positions: {} } })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(saveLayout(tenantAdmin(), { clusterId, key: 'groups:all', layout: { positions: {} } })).rejects.toMatchObject({ code: 'BAD_REQUEST' });
    await saveLayout(admin(), { clusterId, key: 'groups:all', layout: { positions: { 't:payments': { x: 1, y: 2 } } } });
    const g = await readGraph(tenantAdmin(), { range: '1h' });
    expect(g.layouts['ns:payments']?.positions['w:payments/postgres']).toEqual({ x: 10, y: 20 });
    expect(g.layouts['groups:all']).toBeUndefined();
    expect((await readGraph(admin(), { range: '1h' })).layouts['groups:all']).toBeDefined();
  });

  it('answers an empty graph when no cluster is visible', async () => {
    const other = await seedTenant(t.db, 'lonely');
    const g = await readGraph(contextFor(t.db, user('viewer', other.id), () => NOW), undefined);
    expect(g).toMatchObject({ cluster: null, nodes: [], edges: [] });
  });
});
