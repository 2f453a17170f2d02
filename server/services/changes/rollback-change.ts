// Rolling back an applied change drafts its inverse: objects it created are deleted, objects
// it changed or deleted are put back as they were when the change was previewed. The
// inverse is a change request like any other: previewed, approved, then applied.
import { eq } from 'drizzle-orm';
import { stringify } from 'yaml';
import { changeRequests } from '@/db/schema/hand-written/changes';
import { appendAuditEvent } from '../audit/append-event';
import type { ServiceContext } from '../context';
import { badInput, forbidden } from '../errors';
import { inScope } from '../scope';
import { authorizeOperations, loadChange, operationsOf } from './change-context';
import { saveDraft } from './save-draft';

const SERVER_FIELDS = ['uid', 'resourceVersion', 'generation', 'creationTimestamp', 'managedFields', 'selfLink'];

export async function rollbackChange(ctx: ServiceContext, input: { changeId: string }) {
  if (ctx.principal.kind !== 'user') throw forbidden('Only people roll back changes');
  const original = await inScope(ctx, async (tx) => (await loadChange(tx, input.changeId)).row);
  const operations = operationsOf(original);
  authorizeOperations(ctx, original.tenantId, operations.map((o) => o.key.kind));
  if (original.status !== 'applied' && original.status !== 'partial') throw badInput('changeId', `Only an applied change can be rolled back; this one is ${original.status}`);
  const base = ((original.preview as { base?: Record<string, Record<string, unknown> | null> } | null)?.base ?? null);
  if (!base) throw badInput('changeId', 'This change has no record of the objects it replaced');

  const restore: Record<string, unknown>[] = [];
  const deletes: { kind: string; namespace: string | null; name: string }[] = [];
  for (const op of operations) {
    const key = `${op.key.kind}/${op.key.namespace ?? ''}/${op.key.name}`;
    const before = base[key] ?? null;
    if (before === null) {
      if (op.action === 'apply') deletes.push({ kind: op.key.kind, namespace: op.key.namespace, name: op.key.name });
      continue;
    }
    const copy = structuredClone(before) as { metadata?: Record<string, unknown>; status?: unknown };
    for (const f of SERVER_FIELDS) delete copy.metadata?.[f];
    delete copy.status;
    restore.push(copy);
  }
  const draft = await saveDraft(ctx, {
    tenantId: original.tenantId,
    clusterId: original.clusterId,
    title: `Roll back: ${original.title}`.slice(0, 200),
    description: `Restores what change ${original.id} replaced.`,
    sourceText: restore.map((o) => stringify(o)).join('---\n'),
    deletes,
  });
  await inScope(ctx, async (tx) => {
    await tx.update(changeRequests).set({ rollsBack: original.id }).where(eq(changeRequests.id, draft.id));
    await appendAuditEvent(tx, ctx, { action: 'change.rollback_drafted', outcome: 'success', tenantId: original.tenantId, clusterId: original.clusterId, resourceType: 'change_request', resourceId: original.id, details: { changeId: original.id, rollbackId: draft.id } });
  });
  return { id: draft.id, problems: draft.problems };
}
