// Drafts started from the traffic graph, on a real database with a real agent reporting
// inventory and flows: each action lands as a draft whose objects pass the same checks as
// typed YAML, in the caller's tenant, audited with its origin; a caller outside the tenant,
// or without netpol:propose, gets an error and nothing is written; a PeerAuthentication
// change previews as its STRICT-readiness list.
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAgent, type RunningAgent } from '@/agent/run-agent';
import { auditEvents } from '@/db/schema';
import { changeRequests } from '@/db/schema/hand-written/changes';
import { contextFor, seedTenant, seedUser, systemContext } from '@/db/seed/factories';
import type { MeshPreview } from '@/server/domain/changes/mesh-preview';
import { handleAgentRequest } from '@/server/http/agent-api';
import { registerCluster } from '@/server/services/clusters/register-cluster';
import type { Principal } from '@/server/services/context';
import { inScope } from '@/server/services/scope';
import { submitAndPreview } from '@/test/helpers/await-preview';
import { FakeDriver } from '@/test/helpers/fake-driver';
import { openTestDatabase, type TestDatabase, testDrivers } from '@/test/helpers/test-database';
import { until } from '@/test/helpers/until';
import { readRbacCatalog } from './rbac-catalog';
import { draftFromGraph } from './draft-from-graph';
import { getChange } from './read-changes';

const workload = (namespace: string, name: string, labels: Record<string, string>, port: number | null) => ({
  kind: 'Workload' as const,
  namespace,
  name,
  resourceVersion: '1',
  object: { namespace, name, ownerKind: 'Deployment', labels, ips: [], ports: port ? [{ port, protocol: 'TCP' }] : [], serviceAccount: 'default', replicas: 1 },
});

describe.each(testDrivers())('drafts from the graph (%s)', (driver) => {
  let t: TestDatabase;
  let clusterId: string;
  let shopId: string;
  let admin: Principal;
  let shopAdmin: Principal;
  let opsAdmin: Principal;
  let viewer: Principal;
  let agent: RunningAgent;
  const fake = new FakeDriver([
    ...['shop', 'ops', 'kube-system'].map((name) => ({ kind: 'Namespace' as const, namespace: null, name, resourceVersion: '1', object: { metadata: { name } } })),
    workload('shop', 'web', { app: 'web' }, 8080),
    workload('shop', 'api', { app: 'api' }, 8080),
    workload('ops', 'scraper', { app: 'scraper' }, null),
    workload('kube-system', 'coredns', { 'k8s-app': 'kube-dns' }, 53),
    {
      kind: 'NetworkPolicy' as const,
      namespace: 'shop',
      name: 'api',
      resourceVersion: '5',
      object: { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'api', namespace: 'shop', resourceVersion: '5' }, spec: { podSelector: { matchLabels: { app: 'api' } }, policyTypes: ['Ingress'], ingress: [{ from: [{ podSelector: { matchLabels: { app: 'web' } } }, { namespaceSelector: {} }], ports: [{ port: 8080 }] }] } },
    },
  ]);
  const user = async (email: string, role: 'tenant_admin' | 'security_admin' | 'viewer', tenant: string | null): Promise<Principal> => {
    const u = await seedUser(t.db, { email, grants: [{ role, tenantId: tenant }] });
    return { kind: 'user', userId: u.id, email, grants: [{ role, tenantId: tenant }], mfaVerified: true, sessionId: null };
  };
  const countChanges = async () => (await inScope(systemContext(t.db), (tx) => tx.select({ id: changeRequests.id }).from(changeRequests))).length;

  beforeAll(async () => {
    t = await openTestDatabase(driver);
    const reg = await registerCluster(systemContext(t.db), { name: 'prod' });
    clusterId = reg.cluster.id;
    shopId = (await seedTenant(t.db, 'shop', { cluster: 'prod', namespaces: ['shop'] })).id;
    const ops = await seedTenant(t.db, 'ops', { cluster: 'prod', namespaces: ['ops'] });
    admin = await user('sec@example.test', 'security_admin', null);
    shopAdmin = await user('shop@example.test', 'tenant_admin', shopId);
    opsAdmin = await user('ops@example.test', 'tenant_admin', ops.id);
    viewer = await user('viewer@example.test', 'viewer', shopId);
    const fetchVia = (async (url: string | URL | Request, init?: RequestInit) => handleAgentRequest(t, new Request(url, init))) as typeof fetch;
    agent = await startAgent({ stateDir: mkdtempSync(path.join(os.tmpdir(), 'verity-gdraft-')), consoleUrl: 'http://c.test', enrollToken: reg.token, driver: fake, fetch: fetchVia, log: () => {}, pollWaitS: 1, flushMs: 60_000 });
    const at = new Date();
    const flow = (src: [string, string], dst: [string, string], port: number, mtls: 'mutual' | 'plaintext', protocol: 'TCP' | 'UDP' = 'TCP') => ({ time: at, source: { namespace: src[0], workload: src[1] }, destination: { namespace: dst[0], workload: dst[1] }, port, protocol, mtls, verdict: 'allowed' as const, count: 20 });
    agent.observeFlows([
      flow(['shop', 'web'], ['shop', 'api'], 8080, 'mutual'),
      flow(['ops', 'scraper'], ['shop', 'api'], 8080, 'plaintext'),
      flow(['shop', 'api'], ['kube-system', 'coredns'], 53, 'plaintext', 'UDP'),
    ]);
    agent.flush();
    await until(async () => (await inScope(systemContext(t.db), (tx) => tx.select().from(auditEvents).where(eq(auditEvents.action, 'agent.inventory_snapshot')))).length > 0);
    await until(async () => ((await countFlows()) > 0 ? true : null));
  });
  const countFlows = async () => {
    const r = await inScope(systemContext(t.db), (tx) => tx.execute('select count(*)::int as n from flow_minutes'));
    const rows = (Array.isArray(r) ? r : (r as { rows: unknown[] }).rows) as { n: number }[];
    return Number(rows[0]?.n ?? 0);
  };
  afterAll(async () => {
    await agent?.stop();
    await t?.dispose();
  });

  it('default-deny lands as a draft in the namespace tenant, audited with its origin', async () => {
    const ctx = contextFor(t.db, shopAdmin);
    const r = await draftFromGraph(ctx, { clusterId, action: { kind: 'default-deny', namespace: 'shop', direction: 'both' } });
    expect(r.problems).toEqual([]);
    const change = await getChange(ctx, { changeId: r.id });
    expect(change.tenantId).toBe(shopId);
    expect(change.status).toBe('draft');
    expect(change.sourceText).toContain('name: default-deny-all');
    expect(change.sourceText).toContain('k8s-app: kube-dns');
    const audit = await inScope(systemContext(t.db), (tx) => tx.select().from(auditEvents).where(eq(auditEvents.resourceId, r.id)));
    expect(audit.map((a) => [a.action, (a.details as { origin?: unknown }).origin])).toEqual([['change.drafted', { action: 'default-deny' }]]);

    // Allowing an edge into the same draft takes the draft's own isolation into account.
    const added = await draftFromGraph(ctx, { clusterId, intoChangeId: r.id, action: { kind: 'allow-edge', source: 'w:shop/web', target: 'w:shop/api' } });
    expect(added.problems).toEqual([]);
    const after = await getChange(ctx, { changeId: r.id });
    expect(after.sourceText).toContain('name: default-deny-all');
    expect(after.sourceText).toContain('name: api-from-web');
    expect(after.sourceText).toContain('name: web-to-api');
    // web is isolated for egress by the draft's default-deny: an egress policy comes with it.
    expect(after.sourceText.match(/kind: NetworkPolicy/g)).toHaveLength(4);
    expect(after.revision).toBe(2);
  });

  it('removing an allowed path names the rule and narrows it; the least-privilege policy counts what the caller may not see', async () => {
    const ctx = contextFor(t.db, shopAdmin);
    await expect(draftFromGraph(ctx, { clusterId, action: { kind: 'remove-path', source: 'w:ops/scraper', target: 'w:shop/api' } })).rejects.toMatchObject({ code: 'BAD_REQUEST' });
    const byAdmin = await draftFromGraph(contextFor(t.db, admin), { clusterId, action: { kind: 'remove-path', source: 'w:ops/scraper', target: 'w:shop/api' } });
    const change = await getChange(contextFor(t.db, admin), { changeId: byAdmin.id });
    expect(change.description).toContain('shop/api ingress[0] from[1] ports[0]');
    expect(change.tenantId).toBe(shopId);
    expect(change.sourceText).not.toContain('namespaceSelector: {}');
    expect(change.sourceText).not.toContain('resourceVersion');

    const lp = await draftFromGraph(ctx, { clusterId, action: { kind: 'allow-observed', workload: 'w:shop/api', range: '1d' } });
    expect(lp.problems).toEqual([]);
    const lpChange = await getChange(ctx, { changeId: lp.id });
    expect(lpChange.sourceText).toContain('name: api-least-privilege');
    expect(lpChange.sourceText).not.toContain('scraper');
    expect(lpChange.description, lpChange.description).toContain('1 observed connection with a workload of another tenant is not included');
  });

  it('refuses callers outside the tenant or without netpol:propose, writing nothing', async () => {
    const before = await countChanges();
    await expect(draftFromGraph(contextFor(t.db, opsAdmin), { clusterId, action: { kind: 'default-deny', namespace: 'shop', direction: 'ingress' } })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(draftFromGraph(contextFor(t.db, viewer), { clusterId, action: { kind: 'default-deny', namespace: 'shop', direction: 'ingress' } })).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await expect(draftFromGraph(contextFor(t.db, opsAdmin), { clusterId, action: { kind: 'allow-observed', workload: 'w:shop/api' } })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    const shopDraft = (await draftFromGraph(contextFor(t.db, shopAdmin), { clusterId, action: { kind: 'default-deny', namespace: 'shop', direction: 'ingress' } })).id;
    const mid = await countChanges();
    await expect(draftFromGraph(contextFor(t.db, opsAdmin), { clusterId, intoChangeId: shopDraft, action: { kind: 'default-deny', namespace: 'ops', direction: 'ingress' } })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(draftFromGraph(contextFor(t.db, shopAdmin), { clusterId, action: { kind: 'allow-edge', source: 'w:shop/api', target: 'w:shop/web' } })).rejects.toMatchObject({ code: 'BAD_REQUEST', message: expect.stringContaining('No connection') });
    expect(await countChanges()).toBe(mid);
    expect(mid).toBe(before + 1);
  });

  it('offers the RBAC editor’s catalog of a whole cluster only to a global role', async () => {
    const global = await readRbacCatalog(contextFor(t.db, admin), { clusterId, tenantId: null });
    expect(global.clusterScoped).toBe(true);
    await expect(readRbacCatalog(contextFor(t.db, shopAdmin), { clusterId, tenantId: null })).rejects.toMatchObject({ code: 'FORBIDDEN' });
    const shop = await readRbacCatalog(contextFor(t.db, shopAdmin), { clusterId, tenantId: shopId });
    expect(shop).toMatchObject({ clusterScoped: false, namespaces: ['shop'] });
  });

  it('requiring STRICT previews the plaintext connections it would break', async () => {
    const ctx = contextFor(t.db, shopAdmin);
    const r = await draftFromGraph(ctx, { clusterId, action: { kind: 'require-strict', namespace: 'shop' } });
    expect(r.problems).toEqual([]);
    await submitAndPreview(ctx, r.id);
    const change = await getChange(ctx, { changeId: r.id });
    const mesh = (change.preview as { mesh?: MeshPreview }).mesh!;
    expect(mesh.breaking.map((b) => [b.sourceLabel, b.targetLabel, b.port])).toEqual([['another tenant', 'shop/api', 8080]]);
    expect(mesh.modeChanges).toContainEqual({ workload: 'shop/api', port: null, before: 'PERMISSIVE', after: 'STRICT' });
  });
});
