// Change requests as the caller may see them (row-level security scopes them by tenant),
// the approver's inbox, and one change with its preview, decisions, comments and the
// other open changes that touch the same objects.
import { and, asc, desc, eq, inArray, ne } from 'drizzle-orm';
import { clusters, inventoryObjects, tenants, users } from '@/db/schema';
import { changePreviews } from '@/db/schema/hand-written/change-previews';
import { changeComments, changeDecisions, changeRequests } from '@/db/schema/hand-written/changes';
import { evaluateApprovals } from '@/server/domain/changes/approval-rule';
import { objectKeyString } from '@/server/domain/changes/change-objects';
import { verifyApplied } from '@/server/domain/changes/drift';
import { holdsPermissionInTenant } from '@/server/domain/authz/decide';
import { OPEN_STATUSES } from '@/server/domain/changes/lifecycle';
import { authorize } from '../authorize';
import type { ServiceContext } from '../context';
import { inScope } from '../scope';
import { loadChange, operationsOf, ruleFor } from './change-context';
import { grantsForChange } from './time-bound-grants';

export async function listChanges(ctx: ServiceContext, input: { view: 'all' | 'mine' | 'inbox' }) {
  authorize(ctx, 'change:read');
  const me = ctx.principal.kind === 'user' ? ctx.principal : null;
  return inScope(ctx, async (tx) => {
    const rows = await tx
      .select({ c: changeRequests, tenant: tenants.name, cluster: clusters.name, requester: users.email })
      .from(changeRequests)
      .leftJoin(tenants, eq(tenants.id, changeRequests.tenantId))
      .innerJoin(clusters, eq(clusters.id, changeRequests.clusterId))
      .innerJoin(users, eq(users.id, changeRequests.requestedBy))
      .where(input.view === 'mine' && me ? eq(changeRequests.requestedBy, me.userId) : input.view === 'inbox' ? eq(changeRequests.status, 'pending') : undefined)
      .orderBy(desc(changeRequests.updatedAt))
      .limit(200);
    const decided = me && rows.length ? await tx.select().from(changeDecisions).where(and(eq(changeDecisions.userId, me.userId), inArray(changeDecisions.changeId, rows.map((r) => r.c.id)))) : [];
    const list = rows.map((r) => ({
      id: r.c.id,
      title: r.c.title,
      status: r.c.status,
      tenant: r.tenant ?? 'global',
      cluster: r.cluster,
      requester: r.requester,
      updatedAt: r.c.updatedAt,
      objects: (r.c.operations as unknown[]).length,
      mine: me?.userId === r.c.requestedBy,
      canApprove: Boolean(me && me.userId !== r.c.requestedBy && holdsPermissionInTenant({ grants: me.grants, mfaVerified: true }, 'change:approve', r.c.tenantId ?? '').allowed),
      decidedByMe: decided.some((d) => d.changeId === r.c.id && d.digest === r.c.digest),
      // No digest while pending: the preview (or its dry run) is not complete, nothing to decide yet.
      previewReady: r.c.digest !== null,
    }));
    return input.view === 'inbox' ? list.filter((c) => c.canApprove && !c.decidedByMe && c.previewReady) : list;
  });
}

export async function getChange(ctx: ServiceContext, input: { changeId: string }) {
  authorize(ctx, 'change:read');
  return inScope(ctx, async (tx) => {
    const { row, decisions } = await loadChange(tx, input.changeId);
    const people = await tx.select({ id: users.id, email: users.email }).from(users);
    const emailOf = new Map(people.map((p) => [p.id, p.email]));
    const comments = await tx.select().from(changeComments).where(eq(changeComments.changeId, row.id)).orderBy(asc(changeComments.createdAt));
    const rule = await ruleFor(tx, row.tenantId);
    const approval = row.digest
      ? evaluateApprovals(rule, decisions.map((d) => ({ userId: d.userId, decision: d.decision, digest: d.digest, at: d.createdAt })), row.requestedBy, row.digest, ctx.now())
      : null;
    // Two open changes touching one object are flagged on both.
    const keys = new Set(operationsOf(row).map((o) => objectKeyString(o.key)));
    const others = await tx.select({ id: changeRequests.id, title: changeRequests.title, operations: changeRequests.operations }).from(changeRequests).where(and(ne(changeRequests.id, row.id), inArray(changeRequests.status, [...OPEN_STATUSES]), eq(changeRequests.clusterId, row.clusterId)));
    const overlapping = others
      .map((o) => ({ id: o.id, title: o.title, objects: (o.operations as { key: Parameters<typeof objectKeyString>[0] }[]).map((x) => objectKeyString(x.key)).filter((k) => keys.has(k)) }))
      .filter((o) => o.objects.length > 0);
    const [tenant] = row.tenantId ? await tx.select({ name: tenants.name, slug: tenants.slug }).from(tenants).where(eq(tenants.id, row.tenantId)) : [];
    const [cluster] = await tx.select({ name: clusters.name }).from(clusters).where(eq(clusters.id, row.clusterId));
    const me = ctx.principal.kind === 'user' ? ctx.principal : null;
    // How far the background preview of this revision got (stages, dry run), for the progress display.
    const [job] = await tx.select().from(changePreviews).where(and(eq(changePreviews.changeId, row.id), eq(changePreviews.revision, row.revision)));
    const previewJob = job ? { state: job.state, stages: job.stages, windowHours: job.windowHours, dryRunDeadline: job.dryRunDeadline, error: job.error, updatedAt: job.updatedAt } : null;
    // After apply: does the cluster (as the agent last reported it) hold what was approved?
    let verification: { key: string; result: ReturnType<typeof verifyApplied> }[] | null = null;
    if (row.status === 'applied' || row.status === 'partial') {
      const ops = operationsOf(row);
      const live = ops.length
        ? await tx
            .select({ kind: inventoryObjects.kind, namespace: inventoryObjects.namespace, name: inventoryObjects.name, object: inventoryObjects.object })
            .from(inventoryObjects)
            .where(and(eq(inventoryObjects.clusterId, row.clusterId), inArray(inventoryObjects.name, ops.map((o) => o.key.name))))
        : [];
      verification = ops.map((op) => {
        const found = live.find((l) => l.kind === op.key.kind && l.namespace === (op.key.namespace ?? '') && l.name === op.key.name);
        return { key: objectKeyString(op.key), result: verifyApplied(op, found?.object ?? null) };
      });
    }
    // Time-bound grants this change made, or (for a removal Verity made) the grants it ends.
    const timeBound = await grantsForChange(tx, row.id);
    // A binding whose grant expired and was removed is meant to be gone: not drift.
    const ended = new Set(timeBound.grants.filter((g) => g.removedAt).map((g) => g.objectKey));
    if (verification && ended.size > 0) verification = verification.filter((v) => !ended.has(v.key));
    return {
      ...row,
      timeBound,
      verification,
      previewJob,
      tenant: tenant ?? null,
      cluster: cluster?.name ?? '',
      requester: emailOf.get(row.requestedBy) ?? '',
      rule,
      approval,
      decisions: decisions.map((d) => ({ ...d, email: emailOf.get(d.userId) ?? '', current: d.digest === row.digest })),
      comments: comments.map((c) => ({ ...c, email: emailOf.get(c.userId) ?? '' })),
      overlapping,
      viewer: {
        isRequester: me?.userId === row.requestedBy,
        canPropose: Boolean(me && holdsPermissionInTenant({ grants: me.grants, mfaVerified: me.mfaVerified }, 'netpol:propose', row.tenantId ?? '').allowed),
        canApprove: Boolean(me && me.userId !== row.requestedBy && holdsPermissionInTenant({ grants: me.grants, mfaVerified: true }, 'change:approve', row.tenantId ?? '').allowed),
      },
    };
  });
}
