// Shared reads of the change workflow: the caller's reach for a tenant, the approval rule
// that applies, and a change with its decisions (404 when the caller may not see it).
import { and, asc, eq, inArray, isNull } from 'drizzle-orm';
import type { Tx } from '@/db/client';
import { approvalRules, changeDecisions, changeRequests } from '@/db/schema/hand-written/changes';
import { tenantNamespaces } from '@/db/schema';
import type { ApprovalRule } from '@/server/domain/changes/approval-rule';
import type { ChangeOperation, GovernedKind, Reach } from '@/server/domain/changes/change-objects';
import type { ChangeState } from '@/server/domain/changes/reduce-change';
import type { ChangeStatus } from '@/server/domain/changes/lifecycle';
import type { Permission } from '@/server/domain/authz/permissions';
import { authorize } from '../authorize';
import type { ServiceContext } from '../context';
import { notFound } from '../errors';

export type ChangeRow = typeof changeRequests.$inferSelect;

/** Which permission proposing an object of this kind needs. */
export function proposePermission(kind: GovernedKind): Permission {
  if (kind === 'NetworkPolicy' || kind === 'PeerAuthentication') return 'netpol:propose';
  if (kind === 'ResourceQuota') return 'tenant:manage';
  return 'rbac:propose';
}

export function authorizeOperations(ctx: ServiceContext, tenantId: string | null, kinds: Iterable<GovernedKind>) {
  const needed = new Set<Permission>([...kinds].map(proposePermission));
  if (needed.size === 0) needed.add('netpol:propose');
  for (const p of needed) authorize(ctx, p, tenantId ? { id: tenantId } : undefined);
}

export async function reachFor(tx: Tx, tenantId: string | null, clusterId: string): Promise<Reach> {
  if (tenantId === null) return { namespaces: null, clusterScoped: true };
  const rows = await tx
    .select({ namespace: tenantNamespaces.namespace })
    .from(tenantNamespaces)
    .where(and(eq(tenantNamespaces.tenantId, tenantId), eq(tenantNamespaces.clusterId, clusterId)));
  return { namespaces: new Set(rows.map((r) => r.namespace)), clusterScoped: false };
}

export async function ruleFor(tx: Tx, tenantId: string | null): Promise<ApprovalRule> {
  const rows = await tx
    .select()
    .from(approvalRules)
    .where(tenantId ? inArray(approvalRules.tenantId, [tenantId]) : isNull(approvalRules.tenantId));
  const own = rows[0] ?? (await tx.select().from(approvalRules).where(isNull(approvalRules.tenantId)))[0];
  return own ? { requiredApprovals: own.requiredApprovals, approvalTtlMinutes: own.approvalTtlMinutes } : { requiredApprovals: 1, approvalTtlMinutes: 1440 };
}

/** The change, locked for update when `lock` is set, so approvals and edits serialize. */
export async function loadChange(tx: Tx, changeId: string, lock = false) {
  const q = tx.select().from(changeRequests).where(eq(changeRequests.id, changeId));
  const [row] = lock ? await q.for('update') : await q;
  if (!row) throw notFound('Change request');
  const decisions = await tx.select().from(changeDecisions).where(eq(changeDecisions.changeId, changeId)).orderBy(asc(changeDecisions.createdAt));
  return { row, decisions };
}

export function stateOf(row: ChangeRow, decisions: { userId: string; decision: 'approve' | 'reject'; digest: string; createdAt: Date }[]): ChangeState {
  return {
    status: row.status as ChangeStatus,
    requesterId: row.requestedBy,
    revision: row.revision,
    digest: row.digest,
    decisions: decisions.map((d) => ({ userId: d.userId, decision: d.decision, digest: d.digest, at: d.createdAt })),
  };
}

export function operationsOf(row: ChangeRow): ChangeOperation[] {
  return row.operations as ChangeOperation[];
}
