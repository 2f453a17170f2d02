// Change requests: drafts, submission with preview, decisions with fresh MFA, cancel, comments.
import { z } from 'zod';
import { FLOW_WINDOW_HOURS } from '@/server/domain/changes/flow-windows';
import { cancelChange, commentOnChange, rebaseChange } from '@/server/services/changes/cancel-and-comment';
import { decideChange } from '@/server/services/changes/decide-change';
import { DraftFromGraphInput, draftFromGraph } from '@/server/services/changes/draft-from-graph';
import { readApprovalRule, setApprovalRule } from '@/server/services/changes/approval-rules';
import { getChange, listChanges } from '@/server/services/changes/read-changes';
import { readRbacCatalog } from '@/server/services/changes/rbac-catalog';
import { rollbackChange } from '@/server/services/changes/rollback-change';
import { saveDraft } from '@/server/services/changes/save-draft';
import { submitChange } from '@/server/services/changes/submit-change';
import { procedure, router } from '../init';

const ChangeId = z.object({ changeId: z.uuid() });
export const SaveDraftInput = z.object({
  changeId: z.uuid().optional(),
  tenantId: z.uuid().nullable(),
  clusterId: z.uuid(),
  title: z.string().trim().min(3).max(200),
  description: z.string().max(5_000).default(''),
  sourceText: z.string().max(200_000),
  deletes: z.array(z.object({ kind: z.string().min(1).max(50), namespace: z.string().max(63).nullable(), name: z.string().min(1).max(253) })).max(200).default([]),
  /** The revision the editor loaded or last saved; a save from an older one is refused. */
  expectedRevision: z.number().int().min(1).optional(),
});
export const DecideInput = z.object({
  changeId: z.uuid(),
  decision: z.enum(['approve', 'reject']),
  reason: z.string().trim().min(3, 'a reason is required').max(2_000),
  digest: z.string().regex(/^[0-9a-f]{64}$/),
  totpCode: z.string().trim().regex(/^\d{6}$/, 'the 6-digit code from your authenticator app'),
});

export const SetApprovalRuleInput = z.object({
  tenantId: z.uuid().nullable(),
  requiredApprovals: z.number().int().min(1).max(10),
  approvalTtlMinutes: z.number().int().min(5).max(30 * 24 * 60),
});

export const changesRouter = router({
  approvalRule: procedure
    .meta({ permission: 'change:read' })
    .input(z.object({ tenantId: z.uuid().nullable() }).default({ tenantId: null }))
    .query(({ ctx, input }) => readApprovalRule(ctx.svc, input)),
  setApprovalRule: procedure.meta({ permission: 'tenant:manage' }).input(SetApprovalRuleInput).mutation(({ ctx, input }) => setApprovalRule(ctx.svc, input)),
  list: procedure
    .meta({ permission: 'change:read' })
    .input(z.object({ view: z.enum(['all', 'mine', 'inbox']).default('all') }).default({ view: 'all' }))
    .query(({ ctx, input }) => listChanges(ctx.svc, input)),
  rbacCatalog: procedure
    .meta({ permission: 'rbac:propose' })
    .input(z.object({ clusterId: z.uuid(), tenantId: z.uuid().nullable() }))
    .query(({ ctx, input }) => readRbacCatalog(ctx.svc, input)),
  get: procedure.meta({ permission: 'change:read' }).input(ChangeId).query(({ ctx, input }) => getChange(ctx.svc, input)),
  saveDraft: procedure.meta({ permission: 'netpol:propose' }).input(SaveDraftInput).mutation(({ ctx, input }) => saveDraft(ctx.svc, input)),
  draftFromGraph: procedure.meta({ permission: 'netpol:propose' }).input(DraftFromGraphInput).mutation(({ ctx, input }) => draftFromGraph(ctx.svc, input)),
  submit: procedure
    .meta({ permission: 'netpol:propose' })
    .input(ChangeId.extend({ windowHours: z.number().refine((h) => (FLOW_WINDOW_HOURS as number[]).includes(h), `one of ${FLOW_WINDOW_HOURS.join(', ')} hours`).optional() }))
    .mutation(({ ctx, input }) => submitChange(ctx.svc, input)),
  decide: procedure.meta({ permission: 'change:approve' }).input(DecideInput).mutation(({ ctx, input }) => decideChange(ctx.svc, input)),
  rollback: procedure.meta({ permission: 'netpol:propose' }).input(ChangeId).mutation(({ ctx, input }) => rollbackChange(ctx.svc, input)),
  rebase: procedure.meta({ permission: 'netpol:propose' }).input(ChangeId).mutation(({ ctx, input }) => rebaseChange(ctx.svc, input)),
  cancel: procedure.meta({ permission: 'netpol:propose' }).input(ChangeId).mutation(({ ctx, input }) => cancelChange(ctx.svc, input)),
  comment: procedure
    .meta({ permission: 'change:read' })
    .input(ChangeId.extend({ body: z.string().trim().min(1).max(5_000) }))
    .mutation(({ ctx, input }) => commentOnChange(ctx.svc, input)),
});
