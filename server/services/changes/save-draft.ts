// Creates or edits a draft change request. Drafts keep what was typed even when it does not
// parse yet (they survive reloads); the problems are stored with them and block submission.
// Editing a submitted change sends it back to draft, and its approvals stop counting.
import { randomUUID } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { clusters, tenants } from '@/db/schema';
import { changeRequests } from '@/db/schema/hand-written/changes';
import { parseChangeObjects } from '@/server/domain/changes/change-objects';
import { reduceChange } from '@/server/domain/changes/reduce-change';
import { appendAuditEvent } from '../audit/append-event';
import type { ServiceContext } from '../context';
import { badInput, conflict, forbidden, notFound } from '../errors';
import { inScope } from '../scope';
import { authorizeOperations, loadChange, reachFor, ruleFor, stateOf } from './change-context';
import { authorizeGlobalScope } from '../authorize';
import { checkDraftGrants, storeDraftGrants } from './time-bound-grants';

export interface DraftArgs {
  changeId?: string;
  tenantId: string | null;
  clusterId: string;
  title: string;
  description: string;
  sourceText: string;
  deletes: { kind: string; namespace: string | null; name: string }[];
  /** Where the draft's content came from (a graph action), for the audit trail. */
  origin?: { action: string };
  /**
   * The revision the caller's text was based on. An edit saved from an older revision would
   * silently drop whatever was saved in between (another tab, a graph action), so it is refused.
   */
  expectedRevision?: number;
}

export async function saveDraft(ctx: ServiceContext, input: DraftArgs) {
  if (ctx.principal.kind !== 'user') throw forbidden('Only people draft changes');
  const userId = ctx.principal.userId;
  // The tenant decides the permissions; check the broadest needed before reading anything.
  authorizeOperations(ctx, input.tenantId, []);
  if (input.tenantId === null) authorizeGlobalScope(ctx);
  const now = ctx.now();
  return inScope(ctx, async (tx) => {
    if (input.tenantId) {
      const [tenant] = await tx.select({ id: tenants.id }).from(tenants).where(eq(tenants.id, input.tenantId));
      if (!tenant) throw notFound('Tenant');
    }
    const [cluster] = await tx.select({ id: clusters.id }).from(clusters).where(eq(clusters.id, input.clusterId));
    if (!cluster) throw notFound('Cluster');
    const reach = await reachFor(tx, input.tenantId, input.clusterId);
    if (reach.namespaces && reach.namespaces.size === 0) throw badInput('clusterId', 'This tenant owns no namespaces on that cluster');
    const parsed = parseChangeObjects(input.sourceText, input.deletes, reach);
    // Time-bound grants: the expiry ahead, the binding new (see grant-expiry.ts).
    const timeBound = await checkDraftGrants(tx, input.clusterId, parsed.operations, now);
    parsed.problems.push(...timeBound.problems);
    authorizeOperations(ctx, input.tenantId, parsed.operations.map((o) => o.key.kind));

    if (!input.changeId) {
      const id = randomUUID();
      await tx.insert(changeRequests).values({
        id,
        tenantId: input.tenantId,
        clusterId: input.clusterId,
        title: input.title,
        description: input.description,
        status: 'draft',
        requestedBy: userId,
        revision: 1,
        sourceText: input.sourceText,
        deletes: input.deletes,
        operations: parsed.operations,
        problems: parsed.problems,
        createdAt: now,
        updatedAt: now,
      });
      await storeDraftGrants(tx, id, timeBound.grants);
      await appendAuditEvent(tx, ctx, { action: 'change.drafted', outcome: 'success', tenantId: input.tenantId, clusterId: input.clusterId, resourceType: 'change_request', resourceId: id, details: { changeId: id, title: input.title, objects: parsed.operations.length, problems: parsed.problems.length, ...(input.origin ? { origin: input.origin } : {}) } });
      return { id, revision: 1, problems: parsed.problems };
    }

    const { row, decisions } = await loadChange(tx, input.changeId, true);
    if (input.expectedRevision !== undefined && row.revision !== input.expectedRevision) {
      throw conflict(`This change was saved elsewhere since you opened it (revision ${row.revision}, yours ${input.expectedRevision}); reload it to see that version before editing`);
    }
    if (row.tenantId !== input.tenantId || row.clusterId !== input.clusterId) throw badInput('tenantId', 'A change keeps its tenant and cluster; start a new change instead');
    const next = reduceChange(stateOf(row, decisions), { type: 'edit', by: userId }, await ruleFor(tx, row.tenantId), now);
    if (!next.ok) throw conflict(next.reason);
    await tx
      .update(changeRequests)
      .set({ title: input.title, description: input.description, sourceText: input.sourceText, deletes: input.deletes, operations: parsed.operations, problems: parsed.problems, status: next.state.status, revision: next.state.revision, digest: null, preview: null, baseVersions: null, updatedAt: now })
      .where(eq(changeRequests.id, row.id));
    await storeDraftGrants(tx, row.id, timeBound.grants);
    await appendAuditEvent(tx, ctx, { action: 'change.edited', outcome: 'success', tenantId: row.tenantId, clusterId: row.clusterId, resourceType: 'change_request', resourceId: row.id, details: { changeId: row.id, revision: next.state.revision, wasStatus: row.status, approvalsInvalidated: decisions.length, ...(input.origin ? { origin: input.origin } : {}) } });
    return { id: row.id, revision: next.state.revision, problems: parsed.problems };
  });
}
