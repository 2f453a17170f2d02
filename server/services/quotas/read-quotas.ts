// The quota overview: per tenant the caller may see, each ResourceQuota resource summed over
// the tenant's namespaces in every cluster, highest pressure first. Row-level security keeps
// a tenant-scoped caller to their tenants' rows; the permission check per tenant also drops
// tenants a global grant shows without quota:read (an auditor who is also a tenant viewer).
import { eq, sql } from 'drizzle-orm';
import { clusters, inventoryObjects, tenantNamespaces, tenants } from '@/db/schema';
import { holdsPermissionInTenant } from '@/server/domain/authz/decide';
import { summarizeQuotas, type TenantQuotaSummary } from '@/server/domain/quotas/summarize-quotas';
import { authorize } from '../authorize';
import type { ServiceContext } from '../context';
import { inScope } from '../scope';

export async function readQuotaOverview(ctx: ServiceContext): Promise<{ tenants: TenantQuotaSummary[] }> {
  authorize(ctx, 'quota:read');
  const p = ctx.principal;
  return inScope(ctx, async (tx) => {
    const visible = (await tx.select({ id: tenants.id, slug: tenants.slug, name: tenants.name }).from(tenants)).filter(
      (t) => p.kind !== 'user' || holdsPermissionInTenant({ grants: p.grants, mfaVerified: p.mfaVerified }, 'quota:read', t.id).allowed,
    );
    const owners = await tx
      .select({ tenantId: tenantNamespaces.tenantId, clusterId: tenantNamespaces.clusterId, cluster: clusters.name, namespace: tenantNamespaces.namespace })
      .from(tenantNamespaces)
      .innerJoin(clusters, eq(clusters.id, tenantNamespaces.clusterId));
    const owner = new Map(owners.map((o) => [`${o.clusterId}\0${o.namespace}`, o]));
    // Only spec and status are read (summarizeQuotas): a stored object also carries metadata
    // such as managedFields, often most of its size, which need not cross the wire.
    const rows = await tx
      .select({
        clusterId: inventoryObjects.clusterId,
        namespace: inventoryObjects.namespace,
        name: inventoryObjects.name,
        object: sql<Record<string, unknown>>`jsonb_build_object('spec', ${inventoryObjects.object}->'spec', 'status', ${inventoryObjects.object}->'status')`,
      })
      .from(inventoryObjects)
      .where(eq(inventoryObjects.kind, 'ResourceQuota'));
    const quotas = rows.flatMap((r) => {
      const o = owner.get(`${r.clusterId}\0${r.namespace}`);
      return o ? [{ tenantId: o.tenantId, cluster: o.cluster, namespace: r.namespace, name: r.name, object: r.object }] : [];
    });
    return { tenants: summarizeQuotas(visible, quotas) };
  });
}
