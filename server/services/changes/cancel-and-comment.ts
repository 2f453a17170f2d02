// The requester may withdraw an open change or rebase a stale one; anyone who can see a change may comment on it.
import { eq } from 'drizzle-orm';
import { changeComments, changeRequests } from '@/db/schema/hand-written/changes';
import { reduceChange } from '@/server/domain/changes/reduce-change';
import { appendAuditEvent } from '../audit/append-event';
import { authorize } from '../authorize';
import type { ServiceContext } from '../context';
import { conflict, forbidden } from '../errors';
import { inScope } from '../scope';
import { loadChange, ruleFor, stateOf } from './change-context';

export async function cancelChange(ctx: ServiceContext, input: { changeId: string }) {
  if (ctx.principal.kind !== 'user') throw forbidden('Only people cancel changes');
  const userId = ctx.principal.userId;
  authorize(ctx, 'change:read');
  return inScope(ctx, async (tx) => {
    const { row, decisions } = await loadChange(tx, input.changeId, true);
    const next = reduceChange(stateOf(row, decisions), { type: 'cancel', by: userId }, await ruleFor(tx, row.tenantId), ctx.now());
    if (!next.ok) throw conflict(next.reason);
    await tx.update(changeRequests).set({ status: next.state.status, updatedAt: ctx.now() }).where(eq(changeRequests.id, row.id));
    await appendAuditEvent(tx, ctx, { action: 'change.cancelled', outcome: 'success', tenantId: row.tenantId, clusterId: row.clusterId, resourceType: 'change_request', resourceId: row.id, details: { changeId: row.id } });
  });
}

export async function commentOnChange(ctx: ServiceContext, input: { changeId: string; body: string }) {
  if (ctx.principal.kind !== 'user') throw forbidden('Only people comment');
  const userId = ctx.principal.userId;
  authorize(ctx, 'change:read');
  return inScope(ctx, async (tx) => {
    const { row } = await loadChange(tx, input.changeId);
    await tx.insert(changeComments).values({ changeId: row.id, userId, body: input.body, createdAt: ctx.now() });
    await appendAuditEvent(tx, ctx, { action: 'change.commented', outcome: 'success', tenantId: row.tenantId, clusterId: row.clusterId, resourceType: 'change_request', resourceId: row.id, details: { changeId: row.id } });
  });
}

/**
 * A stale or failed change goes back to draft at a new revision: submitting it again takes
 * a fresh preview against the cluster as it is now, and needs new approvals.
 */
export async function rebaseChange(ctx: ServiceContext, input: { changeId: string }) {
  if (ctx.principal.kind !== 'user') throw forbidden('Only people rebase changes');
  const userId = ctx.principal.userId;
  authorize(ctx, 'change:read');
  return inScope(ctx, async (tx) => {
    const { row, decisions } = await loadChange(tx, input.changeId, true);
    const next = reduceChange(stateOf(row, decisions), { type: 'rebase', by: userId }, await ruleFor(tx, row.tenantId), ctx.now());
    if (!next.ok) throw conflict(next.reason);
    await tx
      .update(changeRequests)
      .set({ status: next.state.status, revision: next.state.revision, digest: null, preview: null, baseVersions: null, commandId: null, result: null, updatedAt: ctx.now() })
      .where(eq(changeRequests.id, row.id));
    await appendAuditEvent(tx, ctx, { action: 'change.rebased', outcome: 'success', tenantId: row.tenantId, clusterId: row.clusterId, resourceType: 'change_request', resourceId: row.id, details: { changeId: row.id, fromStatus: row.status, revision: next.state.revision } });
  });
}
