// Creates a tenant and, optionally, gives it namespaces on one cluster.
import { eq } from 'drizzle-orm';
import { tenants } from '@/db/schema';
import { appendAuditEvent } from '../audit/append-event';
import { authorize } from '../authorize';
import type { ServiceContext } from '../context';
import { conflict } from '../errors';
import { inScope } from '../scope';
import { assignNamespaces } from './tenant-namespaces';

export async function createTenant(ctx: ServiceContext, input: { name: string; slug: string; cluster?: string; namespaces: string[] }) {
  authorize(ctx, 'tenant:manage');
  return inScope(ctx, async (tx) => {
    const [existing] = await tx.select({ id: tenants.id }).from(tenants).where(eq(tenants.slug, input.slug));
    if (existing) throw conflict(`A tenant with the slug ${input.slug} already exists`, 'slug');
    const [tenant] = await tx.insert(tenants).values({ name: input.name.trim(), slug: input.slug }).returning();
    if (input.cluster) await assignNamespaces(tx, tenant!.id, input.cluster, input.namespaces);
    await appendAuditEvent(tx, ctx, {
      action: 'tenant.created',
      outcome: 'success',
      tenantId: tenant!.id,
      resourceType: 'tenant',
      resourceId: tenant!.id,
      details: { name: tenant!.name, slug: tenant!.slug, cluster: input.cluster ?? null, namespaces: input.namespaces },
    });
    return tenant!;
  });
}

export async function setTenantNamespaces(ctx: ServiceContext, input: { tenantId: string; cluster: string; namespaces: string[] }) {
  authorize(ctx, 'tenant:manage');
  return inScope(ctx, async (tx) => {
    const [tenant] = await tx.select().from(tenants).where(eq(tenants.id, input.tenantId));
    if (!tenant) throw conflict('Tenant does not exist', 'tenantId');
    await assignNamespaces(tx, tenant.id, input.cluster, input.namespaces);
    await appendAuditEvent(tx, ctx, {
      action: 'tenant.namespaces_set',
      outcome: 'success',
      tenantId: tenant.id,
      resourceType: 'tenant',
      resourceId: tenant.id,
      details: { cluster: input.cluster, namespaces: input.namespaces },
    });
  });
}
