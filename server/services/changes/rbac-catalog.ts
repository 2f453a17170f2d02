// What the RBAC editor may offer a caller for one cluster: resources, subjects, service
// accounts and roles from the cluster's inventory. Row-level security limits inventory to
// the caller's namespaces; a tenant admin additionally gets the names (not the rules) of the
// cluster's ClusterRoles, since a RoleBinding in their namespace may refer to one.
import { and, eq, inArray } from 'drizzle-orm';
import { clusters, inventoryObjects } from '@/db/schema';
import { buildRbacCatalog } from '@/server/domain/changes/rbac-catalog';
import { authorize, authorizeGlobalScope } from '../authorize';
import type { ServiceContext } from '../context';
import { notFound } from '../errors';
import { inAuthScope, inScope } from '../scope';
import { reachFor } from './change-context';

const KINDS = ['Namespace', 'Workload', 'ServiceAccount', 'NetworkPolicy', 'Role', 'ClusterRole', 'RoleBinding', 'ClusterRoleBinding', 'ResourceQuota', 'PeerAuthentication'];

export async function readRbacCatalog(ctx: ServiceContext, input: { clusterId: string; tenantId: string | null }) {
  authorize(ctx, 'rbac:propose', input.tenantId ? { id: input.tenantId } : undefined);
  // Without a tenant the catalog is for a global change: cluster-scoped kinds and every namespace.
  if (input.tenantId === null) authorizeGlobalScope(ctx);
  const { items, namespaces } = await inScope(ctx, async (tx) => {
    const [cluster] = await tx.select({ id: clusters.id }).from(clusters).where(eq(clusters.id, input.clusterId));
    if (!cluster) throw notFound('Cluster');
    const reach = await reachFor(tx, input.tenantId, input.clusterId);
    const rows = await tx
      .select({ kind: inventoryObjects.kind, namespace: inventoryObjects.namespace, name: inventoryObjects.name, object: inventoryObjects.object })
      .from(inventoryObjects)
      .where(and(eq(inventoryObjects.clusterId, input.clusterId), inArray(inventoryObjects.kind, KINDS)));
    // A tenant's change reaches only its namespaces, even if the caller sees more elsewhere.
    const inReach = reach.namespaces ? rows.filter((r) => r.namespace === '' || reach.namespaces!.has(r.namespace)) : rows;
    const namespaces = reach.namespaces ? [...reach.namespaces].sort() : rows.filter((r) => r.kind === 'Namespace').map((r) => r.name).sort();
    return { items: inReach, namespaces };
  });
  const catalog = buildRbacCatalog(items);
  if (input.tenantId) {
    const names = await inAuthScope(ctx, (tx) =>
      tx.select({ name: inventoryObjects.name }).from(inventoryObjects).where(and(eq(inventoryObjects.clusterId, input.clusterId), eq(inventoryObjects.kind, 'ClusterRole'))),
    );
    const have = new Set(catalog.roles.filter((r) => r.kind === 'ClusterRole').map((r) => r.name));
    for (const { name } of names) if (!have.has(name)) catalog.roles.push({ kind: 'ClusterRole', namespace: null, name });
    catalog.roles.sort((a, b) => a.kind.localeCompare(b.kind) || (a.namespace ?? '').localeCompare(b.namespace ?? '') || a.name.localeCompare(b.name));
  }
  return { ...catalog, namespaces, clusterScoped: input.tenantId === null };
}
