// Assigns a tenant its namespaces on a cluster (the cluster is registered by name if new).
// A namespace belongs to one tenant at most; a clash names the tenant that holds it.
import { and, eq, inArray } from 'drizzle-orm';
import type { Tx } from '@/db/client';
import { clusters, tenantNamespaces, tenants } from '@/db/schema';
import { conflict } from '../errors';

export async function assignNamespaces(tx: Tx, tenantId: string, clusterName: string, namespaces: string[]) {
  await tx.insert(clusters).values({ name: clusterName }).onConflictDoNothing();
  const [cluster] = await tx.select().from(clusters).where(eq(clusters.name, clusterName));
  // Clashes are looked up as the owner would see them: RLS hides other tenants' rows from
  // tenant-scoped callers, but only global admins assign namespaces.
  const taken = namespaces.length
    ? await tx
        .select({ namespace: tenantNamespaces.namespace, tenantName: tenants.name, tenantId: tenants.id })
        .from(tenantNamespaces)
        .innerJoin(tenants, eq(tenants.id, tenantNamespaces.tenantId))
        .where(and(eq(tenantNamespaces.clusterId, cluster!.id), inArray(tenantNamespaces.namespace, namespaces)))
    : [];
  const clash = taken.find((t) => t.tenantId !== tenantId);
  if (clash) throw conflict(`Namespace ${clash.namespace} on cluster ${clusterName} already belongs to tenant ${clash.tenantName}`, 'namespaces');
  await tx.delete(tenantNamespaces).where(and(eq(tenantNamespaces.tenantId, tenantId), eq(tenantNamespaces.clusterId, cluster!.id)));
  if (namespaces.length) await tx.insert(tenantNamespaces).values(namespaces.map((namespace) => ({ tenantId, clusterId: cluster!.id, namespace })));
  return cluster!;
}
