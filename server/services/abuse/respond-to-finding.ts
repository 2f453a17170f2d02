// The graduated response to a finding, each step a recorded action with a reason, visible to
// the tenant's admins and audited: notify the tenant admins; propose a quarantine (a
// NetworkPolicy denying the workload's egress) or a quota squeeze, each as an ordinary change
// request that then needs approval; resolve the finding. Sleep is in sleep-workload.ts.
import { and, eq } from 'drizzle-orm';
import { stringify } from 'yaml';
import { z } from 'zod';
import type { Tx } from '@/db/client';
import { inventoryObjects } from '@/db/schema';
import { abuseActions, abuseFindings, tenantNotifications } from '@/db/schema/hand-written/abuse';
import { type AbuseRule, RULE_TITLES } from '@/server/domain/abuse/model';
import { quarantinePolicy, squeezeQuota } from '@/server/domain/abuse/responses';
import { appendAuditEvent } from '../audit/append-event';
import { authorize } from '../authorize';
import { saveDraft } from '../changes/save-draft';
import { submitChange } from '../changes/submit-change';
import type { ServiceContext } from '../context';
import { badInput, conflict, notFound } from '../errors';
import { inScope } from '../scope';
import { ownedWorkload } from './workload-owner';

const Reason = z.string().trim().min(3, 'Give a reason of at least 3 characters').max(1000);
const FindingAction = z.object({ findingId: z.uuid(), reason: Reason });

type FindingRow = typeof abuseFindings.$inferSelect;

async function loadFinding(tx: Tx, ctx: ServiceContext, findingId: string, lock = false): Promise<FindingRow> {
  const q = tx.select().from(abuseFindings).where(eq(abuseFindings.id, findingId));
  const [f] = lock ? await q.for('update') : await q;
  if (!f) throw notFound('Finding');
  authorize(ctx, 'abuse:respond', { id: f.tenantId, label: 'Finding' });
  return f;
}

function subject(f: FindingRow): string {
  return f.workload ? `${f.namespace}/${f.workload}` : `namespace ${f.namespace}`;
}

async function record(tx: Tx, ctx: ServiceContext, f: FindingRow, action: (typeof abuseActions.$inferInsert)['action'], reason: string, extra: { changeId?: string } = {}) {
  const actorId = ctx.principal.kind === 'user' ? ctx.principal.userId : null;
  const [row] = await tx
    .insert(abuseActions)
    .values({ findingId: f.id, tenantId: f.tenantId, clusterId: f.clusterId, namespace: f.namespace, workload: f.workload, action, reason, actorId, changeId: extra.changeId ?? null, createdAt: ctx.now() })
    .returning({ id: abuseActions.id });
  await appendAuditEvent(tx, ctx, {
    action: `abuse.${action.replace('-', '_')}`,
    outcome: 'success',
    tenantId: f.tenantId,
    clusterId: f.clusterId,
    resourceType: 'abuse_finding',
    resourceId: f.id,
    details: { findingId: f.id, rule: f.rule, subject: subject(f), reason, ...(extra.changeId ? { changeId: extra.changeId } : {}) },
  });
  return row!.id;
}

export const NotifyTenantInput = FindingAction;
export async function notifyTenant(ctx: ServiceContext, raw: z.input<typeof NotifyTenantInput>) {
  authorize(ctx, 'abuse:respond');
  const input = NotifyTenantInput.parse(raw);
  return inScope(ctx, async (tx) => {
    const f = await loadFinding(tx, ctx, input.findingId);
    const [n] = await tx
      .insert(tenantNotifications)
      .values({
        tenantId: f.tenantId,
        findingId: f.id,
        title: `${RULE_TITLES[f.rule as AbuseRule] ?? f.rule}: ${subject(f)}`,
        body: `${input.reason}\n\nWhat was seen: ${f.summary}`,
        createdBy: ctx.principal.kind === 'user' ? ctx.principal.userId : null,
        createdAt: ctx.now(),
      })
      .returning({ id: tenantNotifications.id });
    await record(tx, ctx, f, 'notify', input.reason);
    return { notificationId: n!.id };
  });
}

export const ProposeQuarantineInput = FindingAction;
export async function proposeQuarantine(ctx: ServiceContext, raw: z.input<typeof ProposeQuarantineInput>) {
  authorize(ctx, 'abuse:respond');
  const input = ProposeQuarantineInput.parse(raw);
  const { f, policy } = await inScope(ctx, async (tx) => {
    const f = await loadFinding(tx, ctx, input.findingId);
    if (!f.workload) throw badInput('findingId', 'This finding is about a namespace, not one workload; propose a quota squeeze instead');
    const w = await ownedWorkload(tx, f.clusterId, f.namespace, f.workload);
    let policy;
    try {
      policy = quarantinePolicy(w, input.reason);
    } catch (err) {
      throw badInput('findingId', (err as Error).message);
    }
    return { f, policy };
  });
  // The ordinary change workflow: drafted and submitted as the caller, reviewed and approved by others.
  const { id: changeId, problems } = await saveDraft(ctx, {
    tenantId: f.tenantId,
    clusterId: f.clusterId,
    title: `Quarantine ${f.namespace}/${f.workload}: deny its egress`,
    description: `Response to finding ${f.id} (${RULE_TITLES[f.rule as AbuseRule] ?? f.rule}), /findings/${f.id}.\n\nReason: ${input.reason}\n\nFinding: ${f.summary}`,
    sourceText: stringify(policy),
    deletes: [],
  });
  if (problems.length > 0) throw badInput('findingId', `The quarantine policy has problems: ${JSON.stringify(problems)}`);
  await submitChange(ctx, { changeId });
  await inScope(ctx, async (tx) => record(tx, ctx, await loadFinding(tx, ctx, f.id), 'quarantine', input.reason, { changeId }));
  return { changeId };
}

export const ProposeQuotaSqueezeInput = FindingAction.extend({ percent: z.number().int().min(1).max(99).default(50) });
export async function proposeQuotaSqueeze(ctx: ServiceContext, raw: z.input<typeof ProposeQuotaSqueezeInput>) {
  authorize(ctx, 'abuse:respond');
  const input = ProposeQuotaSqueezeInput.parse(raw);
  const { f, squeezed } = await inScope(ctx, async (tx) => {
    const f = await loadFinding(tx, ctx, input.findingId);
    const quotas = await tx
      .select({ object: inventoryObjects.object })
      .from(inventoryObjects)
      .where(and(eq(inventoryObjects.clusterId, f.clusterId), eq(inventoryObjects.kind, 'ResourceQuota'), eq(inventoryObjects.namespace, f.namespace)));
    const squeezed = quotas.map((q) => squeezeQuota(q.object as Parameters<typeof squeezeQuota>[0], input.percent)).filter((s) => s !== null);
    if (squeezed.length === 0) throw badInput('findingId', `Namespace ${f.namespace} has no ResourceQuota with a CPU or memory ceiling to lower`);
    return { f, squeezed };
  });
  const { id: changeId, problems } = await saveDraft(ctx, {
    tenantId: f.tenantId,
    clusterId: f.clusterId,
    title: `Squeeze the quota of ${f.namespace} to ${input.percent} %`,
    description: `Response to finding ${f.id} (${RULE_TITLES[f.rule as AbuseRule] ?? f.rule}), /findings/${f.id}.\n\nReason: ${input.reason}\n\n${squeezed.flatMap((s) => s.changes).join('\n')}`,
    sourceText: squeezed.map((s) => stringify(s.object)).join('---\n'),
    deletes: [],
  });
  if (problems.length > 0) throw badInput('findingId', `The squeezed quota has problems: ${JSON.stringify(problems)}`);
  await submitChange(ctx, { changeId });
  await inScope(ctx, async (tx) => record(tx, ctx, await loadFinding(tx, ctx, f.id), 'quota-squeeze', input.reason, { changeId }));
  return { changeId };
}

export const ResolveFindingInput = FindingAction;
export async function resolveFinding(ctx: ServiceContext, raw: z.input<typeof ResolveFindingInput>) {
  authorize(ctx, 'abuse:respond');
  const input = ResolveFindingInput.parse(raw);
  return inScope(ctx, async (tx) => {
    const f = await loadFinding(tx, ctx, input.findingId, true);
    if (f.status !== 'open') throw conflict('The finding is already resolved');
    await tx
      .update(abuseFindings)
      .set({ status: 'resolved', resolvedAt: ctx.now(), resolvedBy: ctx.principal.kind === 'user' ? ctx.principal.userId : null, resolution: input.reason })
      .where(eq(abuseFindings.id, f.id));
    await record(tx, ctx, f, 'resolve', input.reason);
    return { findingId: f.id };
  });
}
