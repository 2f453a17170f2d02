// Time-bound grants in the change workflow: checked and recorded when a draft is saved,
// shown on the change page (expiry, countdown, the removal that ended them), and followed
// up when the agent reports the removal's outcome.
import { and, asc, eq, inArray, isNotNull, lte, or } from 'drizzle-orm';
import type { Tx } from '@/db/client';
import { inventoryObjects } from '@/db/schema';
import { changeRequests } from '@/db/schema/hand-written/changes';
import { timeBoundGrants } from '@/db/schema/hand-written/time-bound-grants';
import type { ChangeOperation, ChangeProblem } from '@/server/domain/changes/change-objects';
import { checkGrantsNow, type GrantExpiry, readGrantExpiries } from '@/server/domain/changes/grant-expiry';
import { objectKeyString } from '@/server/domain/changes/change-objects';
import { appendAuditEvent } from '../audit/append-event';
import type { ServiceContext } from '../context';

/** The draft's grants, and what is wrong with them against the cluster now. */
export async function checkDraftGrants(tx: Tx, clusterId: string, operations: readonly ChangeOperation[], now: Date): Promise<{ grants: GrantExpiry[]; problems: ChangeProblem[] }> {
  const { grants, problems } = readGrantExpiries(operations);
  if (grants.length === 0) return { grants, problems };
  const existing = await tx
    .select({ kind: inventoryObjects.kind, namespace: inventoryObjects.namespace, name: inventoryObjects.name })
    .from(inventoryObjects)
    .where(and(eq(inventoryObjects.clusterId, clusterId), or(...grants.map((g) => and(eq(inventoryObjects.kind, g.key.kind), eq(inventoryObjects.namespace, g.key.namespace ?? ''), eq(inventoryObjects.name, g.key.name))))));
  const present = new Set(existing.map((r) => `${r.kind}/${r.namespace}/${r.name}`));
  return { grants, problems: [...problems, ...checkGrantsNow(grants, (key) => present.has(key), now)] };
}

/** Replaces the draft's recorded grants with what its objects now say. */
export async function storeDraftGrants(tx: Tx, changeId: string, grants: readonly GrantExpiry[]) {
  await tx.delete(timeBoundGrants).where(eq(timeBoundGrants.changeId, changeId));
  if (grants.length === 0) return;
  await tx.insert(timeBoundGrants).values(
    grants.map((g) => ({ changeId, objectKey: objectKeyString(g.key), kind: g.key.kind, namespace: g.key.namespace, name: g.key.name, expiresAt: new Date(g.expiresAt) })),
  );
}

export interface GrantView {
  objectKey: string;
  kind: string;
  namespace: string | null;
  name: string;
  expiresAt: Date;
  removalChangeId: string | null;
  removalState: 'issued' | 'absent' | 'refused' | null;
  removalDetail: string | null;
  removedAt: Date | null;
}

/** A change's grants (when it made any) and, for a removal Verity made, the grants it ends. */
export async function grantsForChange(tx: Tx, changeId: string): Promise<{ grants: GrantView[]; removes: (GrantView & { grantChangeId: string; grantTitle: string })[] }> {
  const rows = await tx
    .select({ g: timeBoundGrants, title: changeRequests.title })
    .from(timeBoundGrants)
    .innerJoin(changeRequests, eq(changeRequests.id, timeBoundGrants.changeId))
    .where(or(eq(timeBoundGrants.changeId, changeId), and(isNotNull(timeBoundGrants.removalChangeId), eq(timeBoundGrants.removalChangeId, changeId))));
  const view = (g: typeof timeBoundGrants.$inferSelect): GrantView => ({
    objectKey: g.objectKey,
    kind: g.kind,
    namespace: g.namespace,
    name: g.name,
    expiresAt: g.expiresAt,
    removalChangeId: g.removalChangeId,
    removalState: g.removalState,
    removalDetail: g.removalDetail,
    removedAt: g.removedAt,
  });
  return {
    grants: rows.filter((r) => r.g.changeId === changeId).map((r) => view(r.g)),
    removes: rows.filter((r) => r.g.removalChangeId === changeId).map((r) => ({ ...view(r.g), grantChangeId: r.g.changeId, grantTitle: r.title })),
  };
}

/**
 * The agent reported on a change: when it was the removal of expired grants, the grants
 * record it and the grant's own story (correlated by the grant's change id) tells it.
 */
/** `outcome` is the change's (refused maps to failed); `agentStatus` what the agent said. */
export async function recordRemovalOutcome(tx: Tx, ctx: ServiceContext, row: { id: string; tenantId: string | null; clusterId: string; commandId: string | null }, outcome: string, agentStatus: string) {
  const grants = await tx.select().from(timeBoundGrants).where(eq(timeBoundGrants.removalChangeId, row.id));
  if (grants.length === 0) return;
  const applied = outcome === 'applied';
  if (applied) {
    await tx
      .update(timeBoundGrants)
      .set({ removedAt: ctx.now() })
      .where(and(eq(timeBoundGrants.removalChangeId, row.id), inArray(timeBoundGrants.objectKey, grants.map((g) => g.objectKey))));
  } else if (agentStatus === 'refused') {
    // The agent will refuse the same proof again (say, a console key it no longer pins):
    // retrying would only open a new change every sweep. The access stays; a person acts.
    await tx
      .update(timeBoundGrants)
      .set({ removalState: 'refused', removalDetail: `removal ${row.id} refused by the agent; not retried` })
      .where(and(eq(timeBoundGrants.removalChangeId, row.id), eq(timeBoundGrants.removalState, 'issued')));
  } else {
    // The access is still there: the grants go back to the sweeper, which issues a new
    // removal against the binding's version then (the failure stays on this removal).
    await tx
      .update(timeBoundGrants)
      .set({ removalState: null, removalDetail: `removal ${row.id} ${outcome}; retried by the next sweep` })
      .where(and(eq(timeBoundGrants.removalChangeId, row.id), eq(timeBoundGrants.removalState, 'issued')));
  }
  for (const changeId of new Set(grants.map((g) => g.changeId))) {
    await appendAuditEvent(tx, ctx, {
      action: applied ? 'change.grant_removed' : 'change.grant_removal_failed',
      outcome: applied ? 'success' : 'failure',
      tenantId: row.tenantId,
      clusterId: row.clusterId,
      resourceType: 'change_request',
      resourceId: changeId,
      details: { changeId, removalChangeId: row.id, commandId: row.commandId, status: agentStatus, bindings: grants.filter((g) => g.changeId === changeId).map((g) => g.objectKey) },
    });
  }
}

/** The first of the change's grants whose expiry has passed by `now`, if any: approving it would grant nothing. */
export async function passedGrantOf(tx: Tx, changeId: string, now: Date) {
  const [g] = await tx.select().from(timeBoundGrants).where(and(eq(timeBoundGrants.changeId, changeId), lte(timeBoundGrants.expiresAt, now))).orderBy(asc(timeBoundGrants.expiresAt)).limit(1);
  return g ?? null;
}
