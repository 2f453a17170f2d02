// Reads what a PeerAuthentication change's STRICT-readiness preview needs: the cluster's live
// PeerAuthentications and the window's flow aggregates with their mTLS state.
import { and, eq } from 'drizzle-orm';
import type { Tx } from '@/db/client';
import { inventoryObjects } from '@/db/schema';
import type { ChangeOperation } from '@/server/domain/changes/change-objects';
import { meshPreview } from '@/server/domain/changes/mesh-preview';
import type { Workload } from '@/server/domain/netpol/model';
import { readFlowAggregates } from '../graph/cluster-model';

export async function loadMeshPreview(tx: Tx, clusterId: string, operations: ChangeOperation[], workloads: readonly Workload[], visible: ReadonlySet<string> | null, now: Date, windowHours: number) {
  const from = new Date(now.getTime() - windowHours * 3_600_000);
  const peerAuthentications = await tx
    .select({ object: inventoryObjects.object })
    .from(inventoryObjects)
    .where(and(eq(inventoryObjects.clusterId, clusterId), eq(inventoryObjects.kind, 'PeerAuthentication')));
  const flows = await readFlowAggregates(tx, { clusterId, from, to: now });
  return meshPreview({ operations, peerAuthentications: peerAuthentications.map((r) => r.object), workloads, flows, visibleNamespaces: visible, window: { from, to: now } });
}
