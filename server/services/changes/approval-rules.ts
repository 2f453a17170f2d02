// Each tenant's approval rule (how many approvals from its approvers, how long one counts);
// the global rule applies to global changes and to tenants without a rule of their own.
import { eq, isNull } from 'drizzle-orm';
import { tenants } from '@/db/schema';
import { approvalRules } from '@/db/schema/hand-written/changes';
import { appendAuditEvent } from '../audit/append-event';
import { authorize } from '../authorize';
import type { ServiceContext } from '../context';
import { notFound } from '../errors';
import { inScope } from '../scope';
import { ruleFor } from './change-context';

export async function readApprovalRule(ctx: ServiceContext, input: { tenantId: string | null }) {
  authorize(ctx, 'change:read', input.tenantId ? { id: input.tenantId } : undefined);
  return inScope(ctx, async (tx) => {
    const own = input.tenantId ? (await tx.select().from(approvalRules).where(eq(approvalRules.tenantId, input.tenantId)))[0] : undefined;
    return { ...(await ruleFor(tx, input.tenantId)), inherited: Boolean(input.tenantId) && !own };
  });
}

export async function setApprovalRule(ctx: ServiceContext, input: { tenantId: string | null; requiredApprovals: number; approvalTtlMinutes: number }) {
  authorize(ctx, 'tenant:manage');
  return inScope(ctx, async (tx) => {
    if (input.tenantId) {
      const [tenant] = await tx.select({ id: tenants.id }).from(tenants).where(eq(tenants.id, input.tenantId));
      if (!tenant) throw notFound('Tenant');
    }
    const where = input.tenantId ? eq(approvalRules.tenantId, input.tenantId) : isNull(approvalRules.tenantId);
    const [existing] = await tx.select().from(approvalRules).where(where).for('update');
    const values = { requiredApprovals: input.requiredApprovals, approvalTtlMinutes: input.approvalTtlMinutes, updatedAt: ctx.now() };
    if (existing) await tx.update(approvalRules).set(values).where(where);
    else await tx.insert(approvalRules).values({ tenantId: input.tenantId, ...values });
    await appendAuditEvent(tx, ctx, {
      action: 'approval_rule.set',
      outcome: 'success',
      tenantId: input.tenantId,
      resourceType: 'approval_rule',
      resourceId: input.tenantId ?? 'global',
      details: { before: existing ? { requiredApprovals: existing.requiredApprovals, approvalTtlMinutes: existing.approvalTtlMinutes } : null, after: { requiredApprovals: input.requiredApprovals, approvalTtlMinutes: input.approvalTtlMinutes } },
    });
  });
}
