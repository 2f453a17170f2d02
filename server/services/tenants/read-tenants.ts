// Tenants as the caller may see them. The explicit filter by the caller's tenants is the
// first wall; row-level security in the same transaction is the second.
import { and, asc, eq, inArray, type SQL } from 'drizzle-orm';
import { clusters, roleGrants, tenantNamespaces, tenants, users } from '@/db/schema';
import { tenantScope } from '@/server/domain/authz/decide';
import { authorize } from '../authorize';
import type { ServiceContext } from '../context';
import { notFound } from '../errors';
import { inScope } from '../scope';

function visibleTenants(ctx: ServiceContext): SQL | undefined {
  const p = ctx.principal;
  if (p.kind !== 'user') return undefined;
  const scope = tenantScope(p.grants);
  return scope.allTenants ? undefined : inArray(tenants.id, scope.tenantIds.length ? scope.tenantIds : ['00000000-0000-0000-0000-000000000000']);
}

export async function listTenants(ctx: ServiceContext) {
  authorize(ctx, 'tenant:read');
  return inScope(ctx, async (tx) => {
    const rows = await tx.select().from(tenants).where(visibleTenants(ctx)).orderBy(asc(tenants.name));
    const ids = rows.map((r) => r.id);
    const namespaces = ids.length
      ? await tx
          .select({ tenantId: tenantNamespaces.tenantId, namespace: tenantNamespaces.namespace, cluster: clusters.name })
          .from(tenantNamespaces)
          .innerJoin(clusters, eq(clusters.id, tenantNamespaces.clusterId))
          .where(inArray(tenantNamespaces.tenantId, ids))
      : [];
    return rows.map((t) => ({
      ...t,
      namespaces: namespaces.filter((n) => n.tenantId === t.id).map(({ cluster, namespace }) => ({ cluster, namespace })),
    }));
  });
}

export async function getTenantBySlug(ctx: ServiceContext, input: { slug: string }) {
  // Permission first; whether this tenant is one of the caller's is answered with 404 below.
  authorize(ctx, 'tenant:read');
  return inScope(ctx, async (tx) => {
    const [tenant] = await tx.select().from(tenants).where(and(eq(tenants.slug, input.slug), visibleTenants(ctx)));
    if (!tenant) throw notFound('Tenant');
    authorize(ctx, 'tenant:read', { id: tenant.id });
    const namespaces = await tx
      .select({ namespace: tenantNamespaces.namespace, cluster: clusters.name })
      .from(tenantNamespaces)
      .innerJoin(clusters, eq(clusters.id, tenantNamespaces.clusterId))
      .where(eq(tenantNamespaces.tenantId, tenant.id))
      .orderBy(asc(clusters.name), asc(tenantNamespaces.namespace));
    const members = await tx
      .select({ grantId: roleGrants.id, role: roleGrants.role, userId: users.id, email: users.email, displayName: users.displayName })
      .from(roleGrants)
      .innerJoin(users, eq(users.id, roleGrants.userId))
      .where(eq(roleGrants.tenantId, tenant.id))
      .orderBy(asc(users.email));
    return { ...tenant, namespaces, members };
  });
}
