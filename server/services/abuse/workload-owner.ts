// Which tenant owns a workload's namespace, and what the inventory says the workload is:
// the checks every abuse and sleep verb makes before touching anything.
import { and, eq } from 'drizzle-orm';
import type { Tx } from '@/db/client';
import { inventoryObjects, tenantNamespaces } from '@/db/schema';
import { notFound } from '../errors';

export interface OwnedWorkload {
  tenantId: string;
  clusterId: string;
  namespace: string;
  workload: string;
  ownerKind: string;
  labels: Record<string, string>;
  replicas: number;
}

/** The tenant owning the namespace, as the caller may see it (row-level security): else 404. */
export async function tenantOfNamespace(tx: Tx, clusterId: string, namespace: string): Promise<string> {
  const [row] = await tx
    .select({ tenantId: tenantNamespaces.tenantId })
    .from(tenantNamespaces)
    .where(and(eq(tenantNamespaces.clusterId, clusterId), eq(tenantNamespaces.namespace, namespace)));
  if (!row) throw notFound('Workload');
  return row.tenantId;
}

export async function ownedWorkload(tx: Tx, clusterId: string, namespace: string, workload: string): Promise<OwnedWorkload> {
  const tenantId = await tenantOfNamespace(tx, clusterId, namespace);
  const [row] = await tx
    .select({ object: inventoryObjects.object })
    .from(inventoryObjects)
    .where(and(eq(inventoryObjects.clusterId, clusterId), eq(inventoryObjects.kind, 'Workload'), eq(inventoryObjects.namespace, namespace), eq(inventoryObjects.name, workload)));
  if (!row) throw notFound('Workload');
  return { tenantId, clusterId, namespace, workload, ...workloadFacts(row.object) };
}

/**
 * What sleeping needs from a Workload inventory object. Without a reported owner it is a bare
 * Pod (which sleep refuses by name) rather than a guessed Deployment that may not exist.
 */
export function workloadFacts(object: unknown): { ownerKind: string; labels: Record<string, string>; replicas: number } {
  const o = object as { ownerKind?: string; labels?: Record<string, string>; replicas?: number };
  return { ownerKind: o.ownerKind ?? 'Pod', labels: o.labels ?? {}, replicas: o.replicas ?? 0 };
}
