// The quota overview against a real database on both drivers: exact sums across a tenant's
// namespaces and clusters, pressure order, and a tenant-scoped caller who never sees another
// tenant's quotas (through the service, through tRPC, and with row-level security alone).
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clusters, inventoryObjects } from '@/db/schema';
import { contextFor, seedTenant, seedUser, systemContext } from '@/db/seed/factories';
import type { Role } from '@/server/domain/authz/permissions';
import type { Principal } from '@/server/services/context';
import { inScope } from '@/server/services/scope';
import { setTenantNamespaces } from '@/server/services/tenants/create-tenant';
import { callerWithToken, sessionToken } from '@/test/helpers/sessions';
import { openTestDatabase, type TestDatabase, testDrivers } from '@/test/helpers/test-database';
import { readQuotaOverview } from './read-quotas';

const NOW = new Date('2031-03-04T12:00:00Z');

function user(grants: { role: Role; tenantId: string | null }[]): Principal {
  return { kind: 'user', userId: '00000000-0000-0000-0000-000000000001', email: 'someone@example.test', grants, mfaVerified: false, sessionId: null };
}

function resourceQuota(namespace: string, name: string, hard: Record<string, string>, used?: Record<string, string>) {
  return {
    kind: 'ResourceQuota',
    namespace,
    name,
    object: { apiVersion: 'v1', kind: 'ResourceQuota', metadata: { name, namespace }, spec: { hard }, ...(used ? { status: { hard, used } } : {}) },
  };
}

describe.each(testDrivers())('quota overview (%s)', (driver) => {
  let t: TestDatabase;
  let payments = '';
  let storefront = '';

  beforeAll(async () => {
    t = await openTestDatabase(driver);
    payments = (await seedTenant(t.db, 'payments', { cluster: 'prod', namespaces: ['payments', 'payments-batch'] })).id;
    await setTenantNamespaces(systemContext(t.db), { tenantId: payments, cluster: 'edge', namespaces: ['payments-edge'] });
    storefront = (await seedTenant(t.db, 'storefront', { cluster: 'prod', namespaces: ['storefront'] })).id;
    await seedTenant(t.db, 'quiet', { cluster: 'prod', namespaces: ['quiet'] });
    const prod = (await t.db.select().from(clusters).where(eq(clusters.name, 'prod')))[0]!.id;
    const edge = (await t.db.select().from(clusters).where(eq(clusters.name, 'edge')))[0]!.id;
    const rows = [
      { clusterId: prod, ...resourceQuota('payments', 'compute', { 'limits.cpu': '4', 'limits.memory': '8Gi', pods: '20' }, { 'limits.cpu': '3500m', 'limits.memory': '6Gi', pods: '4' }) },
      { clusterId: prod, ...resourceQuota('payments-batch', 'compute', { 'limits.cpu': '2', pods: '10' }, { 'limits.cpu': '0.1', pods: '1' }) },
      // Before the quota controller has filled in status: spec.hard, nothing used yet.
      { clusterId: edge, ...resourceQuota('payments-edge', 'compute', { 'limits.cpu': '1000m' }) },
      { clusterId: prod, ...resourceQuota('storefront', 'compute', { 'limits.cpu': '10', pods: '50' }, { 'limits.cpu': '9999m', pods: '10' }) },
      // A namespace no tenant owns is in no tenant's overview.
      { clusterId: prod, ...resourceQuota('kube-system', 'compute', { pods: '1' }, { pods: '1' }) },
      // Not a ResourceQuota.
      { clusterId: prod, kind: 'Namespace', namespace: '', name: 'payments', object: { metadata: { name: 'payments' } } },
    ];
    await t.db.insert(inventoryObjects).values(rows.map((r) => ({ ...r, resourceVersion: '1', updatedAt: NOW })));
  });
  afterAll(() => t?.dispose());

  it('a security admin sees every tenant, summed exactly across namespaces and clusters, highest pressure first', async () => {
    const { tenants } = await readQuotaOverview(contextFor(t.db, user([{ role: 'security_admin', tenantId: null }]), () => NOW));
    expect(tenants.map((x) => x.tenant.slug)).toEqual(['storefront', 'payments', 'quiet']);
    const [store, pay, quiet] = tenants;
    expect(store!.resources[0]).toMatchObject({ resource: 'limits.cpu', used: '9999m', hard: '10', percent: '99.9 %', level: 'critical' });
    const cpu = pay!.resources.find((r) => r.resource === 'limits.cpu')!;
    expect(cpu).toMatchObject({ used: '3600m', hard: '7', percent: '51.4 %', level: 'ok' });
    expect(cpu.namespaces.map((n) => [n.cluster, n.namespace, n.used, n.hard, n.usedReported])).toEqual([
      ['prod', 'payments', '3500m', '4', true],
      ['prod', 'payments-batch', '100m', '2', true],
      ['edge', 'payments-edge', '0', '1', false],
    ]);
    expect(pay!.resources.map((r) => r.resource)).toEqual(['limits.memory', 'limits.cpu', 'pods']);
    expect(pay!.resources[0]).toMatchObject({ used: '6Gi', hard: '8Gi', percent: '75.0 %' });
    expect(pay!.resources.find((r) => r.resource === 'pods')).toMatchObject({ used: '5', hard: '30' });
    expect(quiet!.resources).toEqual([]);
    expect(JSON.stringify(tenants)).not.toContain('kube-system');
  });

  it('a tenant admin sees their tenant only, never another tenant’s quotas', async () => {
    const { tenants } = await readQuotaOverview(contextFor(t.db, user([{ role: 'tenant_admin', tenantId: payments }]), () => NOW));
    expect(tenants.map((x) => x.tenant.slug)).toEqual(['payments']);
    expect(JSON.stringify(tenants)).not.toContain('storefront');
    expect(JSON.stringify(tenants)).not.toContain('9999m');
  });

  it('row-level security alone hides the other tenant’s ResourceQuota rows from that caller', async () => {
    const rows = await inScope(contextFor(t.db, user([{ role: 'tenant_admin', tenantId: payments }])), (tx) =>
      tx.select({ namespace: inventoryObjects.namespace }).from(inventoryObjects).where(eq(inventoryObjects.kind, 'ResourceQuota')),
    );
    expect(rows.map((r) => r.namespace).sort()).toEqual(['payments', 'payments-batch', 'payments-edge']);
    // And the owner, who bypasses it, sees them all: the rows are there.
    expect(await t.db.select().from(inventoryObjects).where(eq(inventoryObjects.kind, 'ResourceQuota'))).toHaveLength(5);
  });

  it('a global grant without quota:read shows no tenant beyond those where the caller holds it', async () => {
    const { tenants } = await readQuotaOverview(
      contextFor(t.db, user([{ role: 'auditor', tenantId: null }, { role: 'viewer', tenantId: storefront }]), () => NOW),
    );
    expect(tenants.map((x) => x.tenant.slug)).toEqual(['storefront']);
  });

  it('through tRPC: a tenant viewer gets their tenant, an auditor is refused', async () => {
    const viewer = await seedUser(t.db, { email: 'viewer@storefront.test', grants: [{ role: 'viewer', tenantId: storefront }] });
    const { caller } = await callerWithToken(t.db, await sessionToken(t.db, viewer.id));
    const result = await caller.quotas.overview();
    expect(result.tenants.map((x) => x.tenant.slug)).toEqual(['storefront']);

    const auditor = await seedUser(t.db, { email: 'auditor@example.test', grants: [{ role: 'auditor', tenantId: null }] });
    const { caller: auditorCaller } = await callerWithToken(t.db, await sessionToken(t.db, auditor.id));
    await expect(auditorCaller.quotas.overview()).rejects.toMatchObject({ code: 'FORBIDDEN' });
  });
});
