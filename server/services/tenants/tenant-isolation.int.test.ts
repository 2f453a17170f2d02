// Tenant isolation twice over: the services filter by the caller's tenants, and row-level
// security hides other tenants' rows even from a query that forgot to.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditEvents, clusters, tenantNamespaces, tenants } from '@/db/schema';
import { contextFor, seedTenant, seedUser } from '@/db/seed/factories';
import type { Principal } from '@/server/services/context';
import { inScope } from '@/server/services/scope';
import { getTenantBySlug, listTenants } from '@/server/services/tenants/read-tenants';
import { callerWithToken, sessionToken } from '@/test/helpers/sessions';
import { openTestDatabase, type TestDatabase, testDrivers } from '@/test/helpers/test-database';

describe.each(testDrivers())('tenant isolation (%s)', (driver) => {
  let t: TestDatabase;
  let acme: { id: string };
  let globex: { id: string };
  let acmeAdmin: Principal;

  beforeAll(async () => {
    t = await openTestDatabase(driver);
    acme = await seedTenant(t.db, 'acme', { cluster: 'prod', namespaces: ['acme-web', 'acme-db'] });
    globex = await seedTenant(t.db, 'globex', { cluster: 'prod', namespaces: ['globex-api'] });
    const user = await seedUser(t.db, { email: 'ta@acme.test', grants: [{ role: 'tenant_admin', tenantId: acme.id }] });
    acmeAdmin = { kind: 'user', userId: user.id, email: 'ta@acme.test', grants: [{ role: 'tenant_admin', tenantId: acme.id }], mfaVerified: false, sessionId: null };
  });
  afterAll(() => t?.dispose());

  it('a query without any tenant filter still returns only the caller’s tenant rows', async () => {
    const ctx = contextFor(t.db, acmeAdmin);
    const seen = await inScope(ctx, async (tx) => ({
      tenants: await tx.select().from(tenants),
      namespaces: await tx.select().from(tenantNamespaces),
      audit: await tx.select().from(auditEvents),
    }));
    expect(seen.tenants.map((r) => r.slug)).toEqual(['acme']);
    expect(seen.namespaces.map((r) => r.namespace).sort()).toEqual(['acme-db', 'acme-web']);
    expect(seen.audit.length).toBeGreaterThan(0);
    expect(seen.audit.every((e) => e.tenantId === acme.id)).toBe(true);
  });

  it('row-level security also stops writes into another tenant', async () => {
    const ctx = contextFor(t.db, acmeAdmin);
    // An UPDATE with no WHERE touches only the caller's own tenant.
    const touched = await inScope(ctx, (tx) => tx.update(tenants).set({ name: 'Acme' }).returning({ slug: tenants.slug }));
    expect(touched).toEqual([{ slug: 'acme' }]);
    const [cluster] = await inScope(contextFor(t.db, { kind: 'system', label: 't' }), (tx) => tx.select().from(clusters));
    const foreign = await inScope(ctx, (tx) => tx.insert(tenantNamespaces).values({ tenantId: globex.id, clusterId: cluster!.id, namespace: 'sneaky' })).catch((e: Error) => e);
    expect(foreign).toBeInstanceOf(Error);
    expect(String((foreign as Error & { cause?: Error }).cause?.message ?? (foreign as Error).message)).toMatch(/row-level security/);
  });

  it('the services list only the caller’s tenants and answer 404 for another’s', async () => {
    const ctx = contextFor(t.db, acmeAdmin);
    expect((await listTenants(ctx)).map((x) => x.slug)).toEqual(['acme']);
    await expect(getTenantBySlug(ctx, { slug: 'globex' })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(getTenantBySlug(ctx, { slug: 'acme' })).resolves.toMatchObject({ slug: 'acme' });
  });

  it('through tRPC, the other tenant does not exist for a tenant admin', async () => {
    const { caller } = await callerWithToken(t.db, await sessionToken(t.db, acmeAdmin.kind === 'user' ? acmeAdmin.userId : ''));
    await expect(caller.tenants.get({ slug: 'globex' })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(caller.tenants.get({ slug: 'no-such-tenant' })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    const events = await caller.audit.search({ limit: 200 });
    expect(events.events.every((e) => e.tenantId === acme.id)).toBe(true);
  });

  it('a namespace cannot belong to two tenants', async () => {
    await expect(seedTenant(t.db, 'initech', { cluster: 'prod', namespaces: ['acme-web'] })).rejects.toMatchObject({
      code: 'CONFLICT',
      message: 'Namespace acme-web on cluster prod already belongs to tenant Acme',
    });
    const all = await inScope(contextFor(t.db, { kind: 'system', label: 't' }), (tx) => tx.select().from(tenants));
    expect(all.map((x) => x.slug).sort()).toEqual(['acme', 'globex']);
  });
});
