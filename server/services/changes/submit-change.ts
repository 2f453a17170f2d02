// Submits a draft for approval: the preview is computed from the cluster's current
// inventory and observed flows, and its digest is what approvers will sign.
import { and, eq, gte, inArray, sql } from 'drizzle-orm';
import type { Tx } from '@/db/client';
import { flowMinutes, inventoryObjects } from '@/db/schema';
import { changeRequests } from '@/db/schema/hand-written/changes';
import { buildPreview } from '@/server/domain/changes/build-preview';
import { changeDigest } from '@/server/domain/changes/change-digest';
import { type ChangeOperation, objectKeyString } from '@/server/domain/changes/change-objects';
import { reduceChange } from '@/server/domain/changes/reduce-change';
import type { ObservedFlow } from '@/server/domain/netpol/impact';
import type { Workload } from '@/server/domain/netpol/model';
import { appendAuditEvent } from '../audit/append-event';
import type { ServiceContext } from '../context';
import { badInput, conflict, forbidden } from '../errors';
import { inAuthScope, inScope } from '../scope';
import { authorizeOperations, loadChange, operationsOf, reachFor, ruleFor, stateOf } from './change-context';

/** How much flow history a preview looks at. */
export const PREVIEW_WINDOW_HOURS = 24;
const INVENTORY_KIND: Record<string, string> = { NetworkPolicy: 'NetworkPolicy', PeerAuthentication: 'PeerAuthentication', Role: 'Role', ClusterRole: 'ClusterRole', RoleBinding: 'RoleBinding', ClusterRoleBinding: 'ClusterRoleBinding', ResourceQuota: 'ResourceQuota' };

export async function submitChange(ctx: ServiceContext, input: { changeId: string }) {
  if (ctx.principal.kind !== 'user') throw forbidden('Only people submit changes');
  const userId = ctx.principal.userId;
  const now = ctx.now();
  const { row, reach } = await inScope(ctx, async (tx) => {
    const { row } = await loadChange(tx, input.changeId);
    authorizeOperations(ctx, row.tenantId, operationsOf(row).map((o) => o.key.kind));
    return { row, reach: await reachFor(tx, row.tenantId, row.clusterId) };
  });
  const operations = operationsOf(row);
  if ((row.problems as unknown[]).length > 0) throw badInput('sourceText', 'Fix the problems in the objects before submitting');
  if (operations.length === 0) throw badInput('sourceText', 'A change needs at least one object to apply or delete');
  // The engines need the whole cluster (every policy and workload): the preview is read with
  // global scope, and what lies outside the caller's tenants is masked in it.
  const preview = await inAuthScope(ctx, (tx) => computePreview(tx, row.clusterId, operations, reach.namespaces, now));
  const digest = changeDigest({ changeId: row.id, clusterId: row.clusterId, revision: row.revision, operations, baseVersions: preview.baseVersions, dryRun: null });

  return inScope(ctx, async (tx) => {
    const locked = await loadChange(tx, input.changeId, true);
    if (locked.row.revision !== row.revision) throw conflict('The change was edited while its preview was computed; submit again');
    const next = reduceChange(stateOf(locked.row, locked.decisions), { type: 'submit', by: userId, digest }, await ruleFor(tx, row.tenantId), now);
    if (!next.ok) throw conflict(next.reason);
    await tx
      .update(changeRequests)
      .set({ status: next.state.status, digest, preview: preview.preview as unknown as Record<string, unknown>, baseVersions: preview.baseVersions, submittedAt: now, updatedAt: now })
      .where(eq(changeRequests.id, row.id));
    await appendAuditEvent(tx, ctx, {
      action: 'change.submitted',
      outcome: 'success',
      tenantId: row.tenantId,
      clusterId: row.clusterId,
      resourceType: 'change_request',
      resourceId: row.id,
      details: { changeId: row.id, revision: row.revision, digest, objects: operations.length, newlyDenied: preview.preview.netpol?.newlyDenied ?? 0 },
    });
    return { digest };
  });
}

/** Reads what the preview needs from the cluster's inventory and recent flows. */
export async function computePreview(tx: Tx, clusterId: string, operations: ChangeOperation[], visible: ReadonlySet<string> | null, now: Date) {
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
  const since = new Date(now.getTime() - PREVIEW_WINDOW_HOURS * 3_600_000);
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
    })
    .from(flowMinutes)
    .where(and(eq(flowMinutes.clusterId, clusterId), gte(flowMinutes.minute, since), inArray(flowMinutes.protocol, ['TCP', 'UDP', 'SCTP'])))
    .groupBy(flowMinutes.srcNamespace, flowMinutes.srcWorkload, flowMinutes.srcIp, flowMinutes.dstNamespace, flowMinutes.dstWorkload, flowMinutes.dstIp, flowMinutes.port, flowMinutes.protocol);
  const [coverage] = await tx
    .select({ minutes: sql<number>`count(distinct ${flowMinutes.minute})`.mapWith(Number), first: sql<Date | null>`min(${flowMinutes.minute})` })
    .from(flowMinutes)
    .where(and(eq(flowMinutes.clusterId, clusterId), gte(flowMinutes.minute, since)));
  const endpoint = (ns: string, wl: string, ip: string) => (wl ? { workload: `${ns}/${wl}` } : { ip });
  const flows: ObservedFlow[] = flowRows
    .filter((f) => f.port > 0)
    .map((f) => ({ source: endpoint(f.srcNs, f.srcWl, f.srcIp), destination: endpoint(f.dstNs, f.dstWl, f.dstIp), port: f.port, protocol: f.protocol as ObservedFlow['protocol'], count: f.count }));
  const workloads: Workload[] = inventory
    .filter((r) => r.kind === 'Workload')
    .map((r) => {
      const o = r.object as { labels?: Record<string, string>; ips?: string[]; ports?: Workload['ports']; ownerKind?: string };
      return { id: `${r.namespace}/${r.name}`, kind: o.ownerKind ?? 'Deployment', namespace: r.namespace, name: r.name, labels: o.labels ?? {}, ips: o.ips ?? [], ports: o.ports ?? [] };
    });
  const namespaces = inventory.filter((r) => r.kind === 'Namespace').map((r) => ({ name: r.name, labels: ((r.object.metadata as { labels?: Record<string, string> })?.labels ?? {}) }));
  const preview = buildPreview({
    operations,
    live,
    namespaces,
    workloads,
    networkPolicies: inventory.filter((r) => r.kind === 'NetworkPolicy').map((r) => r.object),
    rbacObjects: inventory.filter((r) => ['Role', 'ClusterRole', 'RoleBinding', 'ClusterRoleBinding'].includes(r.kind)).map((r) => r.object),
    flows,
    window: { from: coverage?.first ? new Date(coverage.first) : since, to: now, minutesWithData: coverage?.minutes ?? 0 },
    visibleNamespaces: visible,
  });
  return { preview, baseVersions };
}
