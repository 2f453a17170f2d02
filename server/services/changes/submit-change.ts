// Submits a draft for approval. Submission itself is quick: the change becomes pending with
// no digest yet, and a preview job is queued in the database; a console process (this one
// first, any other when this one dies) computes the preview stage by stage and asks the
// agent for a dry run (see preview-pipeline.ts). Approvals open once the digest is set.
import { FLOW_WINDOW_HOURS, FLOW_WINDOWS } from '@/server/domain/changes/flow-windows';
import { eq, sql } from 'drizzle-orm';
import { changePreviews } from '@/db/schema/hand-written/change-previews';
import { changeRequests } from '@/db/schema/hand-written/changes';
import { reduceChange } from '@/server/domain/changes/reduce-change';
import { appendAuditEvent } from '../audit/append-event';
import type { ServiceContext } from '../context';
import { badInput, conflict, forbidden } from '../errors';
import { inScope } from '../scope';
import { authorizeOperations, loadChange, operationsOf, ruleFor, stateOf } from './change-context';
import { kickPreviewWork, PREVIEW_CHANNEL, PREVIEW_STAGES } from './preview-pipeline';

/** How much flow history a preview looks at unless the requester chooses otherwise. */
export const PREVIEW_WINDOW_HOURS = FLOW_WINDOWS['1d'].hours;

export async function submitChange(ctx: ServiceContext, input: { changeId: string; windowHours?: number }) {
  if (ctx.principal.kind !== 'user') throw forbidden('Only people submit changes');
  const userId = ctx.principal.userId;
  const now = ctx.now();
  const windowHours = input.windowHours ?? PREVIEW_WINDOW_HOURS;
  if (!(FLOW_WINDOW_HOURS as number[]).includes(windowHours)) throw badInput('windowHours', `The flow window is one of ${FLOW_WINDOW_HOURS.join(', ')} hours`);
  const result = await inScope(ctx, async (tx) => {
    const { row, decisions } = await loadChange(tx, input.changeId, true);
    authorizeOperations(ctx, row.tenantId, operationsOf(row).map((o) => o.key.kind));
    const operations = operationsOf(row);
    if ((row.problems as unknown[]).length > 0) throw badInput('sourceText', 'Fix the problems in the objects before submitting');
    if (operations.length === 0) throw badInput('sourceText', 'A change needs at least one object to apply or delete');
    const next = reduceChange(stateOf(row, decisions), { type: 'submit', by: userId }, await ruleFor(tx, row.tenantId), now);
    if (!next.ok) throw conflict(next.reason);
    await tx
      .update(changeRequests)
      .set({ status: next.state.status, digest: null, preview: null, baseVersions: null, submittedAt: now, updatedAt: now })
      .where(eq(changeRequests.id, row.id));
    const stages = Object.fromEntries(PREVIEW_STAGES.map((s) => [s, { state: 'waiting' }]));
    const job = { state: 'queued' as const, stages, leaseOwner: null, leaseUntil: null, attempts: 0, windowHours, dryRunCommandId: null, dryRunDeadline: null, dryRun: null, error: null, updatedAt: now };
    await tx
      .insert(changePreviews)
      .values({ changeId: row.id, revision: row.revision, createdAt: now, ...job })
      .onConflictDoUpdate({ target: [changePreviews.changeId, changePreviews.revision], set: job });
    await appendAuditEvent(tx, ctx, {
      action: 'change.submitted',
      outcome: 'success',
      tenantId: row.tenantId,
      clusterId: row.clusterId,
      resourceType: 'change_request',
      resourceId: row.id,
      details: { changeId: row.id, revision: row.revision, objects: operations.length, windowHours },
    });
    // Any console process listening may start on it; this one starts right after commit.
    await tx.execute(sql`select pg_notify(${PREVIEW_CHANNEL}, ${row.id})`);
    return { status: next.state.status, revision: row.revision, digest: null as string | null };
  });
  kickPreviewWork(ctx.db);
  return result;
}
