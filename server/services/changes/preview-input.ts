// Reads what a change's preview needs from the database: the live objects it touches (and
// their resourceVersions, the base the approval will pin), the cluster's policies, workloads
// and RBAC objects, and the flows observed over the window, with how often each was seen.
import { and, eq, gte, inArray, sql } from 'drizzle-orm';
import type { Tx } from '@/db/client';
import { flowMinutes, inventoryObjects } from '@/db/schema';
import type { PreviewInput } from '@/server/domain/changes/build-preview';
import { type ChangeOperation, objectKeyString } from '@/server/domain/changes/change-objects';
import type { ObservedFlow } from '@/server/domain/netpol/impact';
import type { Workload } from '@/server/domain/netpol/model';

const INVENTORY_KIND: Record<string, string> = { NetworkPolicy: 'NetworkPolicy', PeerAuthentication: 'PeerAuthentication', Role: 'Role', ClusterRole: 'ClusterRole', RoleBinding: 'RoleBinding', ClusterRoleBinding: 'ClusterRoleBinding', ResourceQuota: 'ResourceQuota' };

/** Reads what the preview needs from the cluster's inventory and the window's flows. */
export async function loadPreviewInput(tx: Tx, clusterId: string, operations: ChangeOperation[], visible: ReadonlySet<string> | null, now: Date, windowHours: number): Promise<{ input: PreviewInput; baseVersions: Record<string, string | null> }> {
  const inventory = await tx
    .select({ kind: inventoryObjects.kind, namespace: inventoryObjects.namespace, name: inventoryObjects.name, resourceVersion: inventoryObjects.resourceVersion, object: inventoryObjects.object })
    .from(inventoryObjects)
    .where(and(eq(inventoryObjects.clusterId, clusterId), inArray(inventoryObjects.kind, ['Namespace', 'Workload', 'NetworkPolicy', 'Role', 'ClusterRole', 'RoleBinding', 'ClusterRoleBinding', 'PeerAuthentication', 'ResourceQuota'])));
  const byKey = new Map(inventory.map((r) => [`${r.kind}/${r.namespace}/${r.name}`, r]));
  const live = new Map<string, Record<string, unknown> | null>();
  const baseVersions: Record<string, string | null> = {};
  for (const op of operations) {
    const key = objectKeyString(op.key);
    const row = byKey.get(`${INVENTORY_KIND[op.key.kind]}/${op.key.namespace ?? ''}/${op.key.name}`);
    live.set(key, row?.object ?? null);
    baseVersions[key] = row?.resourceVersion ?? null;
  }
  const since = new Date(now.getTime() - windowHours * 3_600_000);
  const flowRows = await tx
    .select({
      srcNs: flowMinutes.srcNamespace,
      srcWl: flowMinutes.srcWorkload,
      srcIp: flowMinutes.srcIp,
      dstNs: flowMinutes.dstNamespace,
      dstWl: flowMinutes.dstWorkload,
      dstIp: flowMinutes.dstIp,
      port: flowMinutes.port,
      protocol: flowMinutes.protocol,
      count: sql<number>`sum(${flowMinutes.count})::bigint`.mapWith(Number),
      minutes: sql<number>`count(distinct ${flowMinutes.minute})`.mapWith(Number),
    })
    .from(flowMinutes)
    .where(and(eq(flowMinutes.clusterId, clusterId), gte(flowMinutes.minute, since), inArray(flowMinutes.protocol, ['TCP', 'UDP', 'SCTP'])))
    .groupBy(flowMinutes.srcNamespace, flowMinutes.srcWorkload, flowMinutes.srcIp, flowMinutes.dstNamespace, flowMinutes.dstWorkload, flowMinutes.dstIp, flowMinutes.port, flowMinutes.protocol);
  const [coverage] = await tx
    .select({ minutes: sql<number>`count(distinct ${flowMinutes.minute})`.mapWith(Number) })
    .from(flowMinutes)
    .where(and(eq(flowMinutes.clusterId, clusterId), gte(flowMinutes.minute, since)));
  const endpoint = (ns: string, wl: string, ip: string) => (wl ? { workload: `${ns}/${wl}` } : { ip });
  const flows: (ObservedFlow & { minutes: number })[] = flowRows
    .filter((f) => f.port > 0)
    .map((f) => ({ source: endpoint(f.srcNs, f.srcWl, f.srcIp), destination: endpoint(f.dstNs, f.dstWl, f.dstIp), port: f.port, protocol: f.protocol as ObservedFlow['protocol'], count: f.count, minutes: f.minutes }));
  const workloads: Workload[] = inventory
    .filter((r) => r.kind === 'Workload')
    .map((r) => {
      const o = r.object as { labels?: Record<string, string>; ips?: string[]; ports?: Workload['ports']; ownerKind?: string };
      return { id: `${r.namespace}/${r.name}`, kind: o.ownerKind ?? 'Deployment', namespace: r.namespace, name: r.name, labels: o.labels ?? {}, ips: o.ips ?? [], ports: o.ports ?? [] };
    });
  const namespaces = inventory.filter((r) => r.kind === 'Namespace').map((r) => ({ name: r.name, labels: ((r.object.metadata as { labels?: Record<string, string> })?.labels ?? {}) }));
  return {
    baseVersions,
    input: {
      operations,
      live,
      namespaces,
      workloads,
      networkPolicies: inventory.filter((r) => r.kind === 'NetworkPolicy').map((r) => r.object),
      rbacObjects: inventory.filter((r) => ['Role', 'ClusterRole', 'RoleBinding', 'ClusterRoleBinding'].includes(r.kind)).map((r) => r.object),
      flows,
      // The window the preview looked at is the one asked for; how much of it had data is said separately.
      window: { from: since, to: now, minutesWithData: coverage?.minutes ?? 0 },
      visibleNamespaces: visible,
    },
  };
}
