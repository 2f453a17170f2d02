// Approving or rejecting a change. The approver must hold change:approve for the change's
// tenant, give a reason, prove a fresh second factor (a current TOTP code), and decide on
// the digest they were shown. When the rule is met, the signed bundle is issued to the
// agent in the same transaction, carrying the approvals and the digest they signed.
import { and, eq, inArray } from 'drizzle-orm';
import { users } from '@/db/schema';
import { changeDecisions, changeRequests } from '@/db/schema/hand-written/changes';
import type { BundleOperation } from '@/agent/protocol/messages';
import { GOVERNED_KINDS, objectKeyString } from '@/server/domain/changes/change-objects';
import { reduceChange } from '@/server/domain/changes/reduce-change';
import { consoleSecret } from '@/server/security/console-secret';
import { open } from '@/server/security/secret-box';
import { acceptTotp } from '@/server/security/totp';
import { appendAuditEvent } from '../audit/append-event';
import { issueCommandInTx } from '../agents/commands';
import { authorize } from '../authorize';
import type { ServiceContext } from '../context';
import { conflict, forbidden, unauthenticated } from '../errors';
import { inScope } from '../scope';
import { loadChange, operationsOf, ruleFor, stateOf, type ChangeRow } from './change-context';
import { passedGrantOf, recordRemovalOutcome } from './time-bound-grants';

export interface DecideArgs {
  changeId: string;
  decision: 'approve' | 'reject';
  reason: string;
  /** The digest of the preview the approver read. */
  digest: string;
  totpCode: string;
}

export async function decideChange(ctx: ServiceContext, input: DecideArgs) {
  const principal = ctx.principal;
  if (principal.kind !== 'user') throw forbidden('Only people approve changes');
  const userId = principal.userId;
  authorize(ctx, 'change:approve');
  const now = ctx.now();
  return inScope(ctx, async (tx) => {
    const { row, decisions } = await loadChange(tx, input.changeId, true);
    authorize(ctx, 'change:approve', row.tenantId ? { id: row.tenantId } : undefined);
    if (row.tenantId === null && !principal.grants.some((g) => g.tenantId === null && g.role === 'approver')) throw forbidden('Global changes need a global approver');

    // A time-bound grant whose expiry already passed would be removed as soon as applied.
    const passed = input.decision === 'approve' ? await passedGrantOf(tx, row.id, now) : null;
    if (passed) throw conflict(`${passed.objectKey} was to expire at ${passed.expiresAt.toISOString()}, which has passed: the requester must choose a new expiry`);
    const rule = await ruleFor(tx, row.tenantId);
    const next = reduceChange(stateOf(row, decisions), { type: input.decision, by: userId, at: now, digest: input.digest }, rule, now);
    if (!next.ok) throw conflict(next.reason);
    // Fresh MFA, checked once the decision itself is acceptable (a refused decision does
    // not burn the code): a current code, never one used before (the TOTP step only moves forward).
    const [me] = await tx.select().from(users).where(eq(users.id, userId)).for('update');
    if (!me?.totpSecretEnc) throw forbidden('Approving needs two-factor authentication: set it up under Account');
    const step = acceptTotp(open(consoleSecret(), 'totp', me.totpSecretEnc), input.totpCode, now, me.totpLastStep);
    if (step === null) throw unauthenticated('That authentication code is not valid (or was already used). Enter the current code from your app.');
    await tx.update(users).set({ totpLastStep: step }).where(eq(users.id, userId));

    await tx.insert(changeDecisions).values({ changeId: row.id, userId, decision: input.decision, reason: input.reason, digest: input.digest, createdAt: now });
    await appendAuditEvent(tx, ctx, {
      action: input.decision === 'approve' ? 'change.approved' : 'change.rejected',
      outcome: 'success',
      tenantId: row.tenantId,
      clusterId: row.clusterId,
      resourceType: 'change_request',
      resourceId: row.id,
      details: { changeId: row.id, digest: input.digest, reason: input.reason, freshMfa: true },
    });

    let status = next.state.status;
    let commandId: string | null = null;
    if (status === 'approved') {
      const issued = reduceChange(next.state, { type: 'issue', digest: row.digest! }, rule, now);
      if (!issued.ok) throw conflict(issued.reason);
      commandId = await issueApplyCommand(tx, ctx, row, next.state.decisions.filter((d) => d.decision === 'approve' && d.digest === row.digest));
      status = issued.state.status;
    }
    await tx.update(changeRequests).set({ status, commandId, updatedAt: now }).where(eq(changeRequests.id, row.id));
    return { status };
  });
}

async function issueApplyCommand(tx: Parameters<Parameters<typeof inScope>[1]>[0], ctx: ServiceContext, row: ChangeRow, approvals: { userId: string; at: Date }[]) {
  const people = await tx.select({ id: users.id, email: users.email }).from(users).where(inArray(users.id, approvals.map((a) => a.userId)));
  const emailOf = new Map(people.map((p) => [p.id, p.email]));
  const base = row.baseVersions ?? {};
  const operations: BundleOperation[] = operationsOf(row).map((op) => {
    const expectedResourceVersion = base[objectKeyString(op.key)] ?? null;
    if (op.action === 'apply') return { action: 'apply', object: op.object, expectedResourceVersion };
    return { action: 'delete', ref: { apiVersion: GOVERNED_KINDS[op.key.kind].apiVersion, kind: op.key.kind, namespace: op.key.namespace, name: op.key.name }, expectedResourceVersion };
  });
  const system: ServiceContext = { ...ctx, principal: { kind: 'system', label: 'change workflow' } };
  const { commandId } = await issueCommandInTx(tx, system, {
    clusterId: row.clusterId,
    type: 'apply',
    changeId: row.id,
    operations,
    approvalsDigest: row.digest,
    approvals: approvals.map((a) => ({ userId: a.userId, email: emailOf.get(a.userId) ?? '', at: a.at.toISOString() })),
  });
  await appendAuditEvent(tx, system, { action: 'change.applying', outcome: 'success', tenantId: row.tenantId, clusterId: row.clusterId, resourceType: 'change_request', resourceId: row.id, details: { changeId: row.id, commandId, digest: row.digest } });
  return commandId;
}

/** Called when the agent reports the command's result: the change follows it. */
export async function recordChangeOutcome(tx: Parameters<Parameters<typeof inScope>[1]>[0], ctx: ServiceContext, changeId: string, outcome: string, result: Record<string, unknown>) {
  // Commands may carry a change id that is no change request of ours (issued by hand or by
  // another workflow): nothing to update then.
  if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(changeId)) return;
  const mapped = outcome === 'applied' || outcome === 'partial' || outcome === 'failed' || outcome === 'stale' ? outcome : outcome === 'refused' ? 'failed' : null;
  if (!mapped) return;
  const [row] = await tx.select().from(changeRequests).where(and(eq(changeRequests.id, changeId))).for('update');
  if (!row || row.status !== 'applying') return;
  await tx.update(changeRequests).set({ status: mapped, result, updatedAt: ctx.now() }).where(eq(changeRequests.id, changeId));
  await appendAuditEvent(tx, ctx, { action: `change.${mapped}`, outcome: mapped === 'applied' ? 'success' : 'failure', tenantId: row.tenantId, clusterId: row.clusterId, resourceType: 'change_request', resourceId: row.id, details: { changeId: row.id, commandId: row.commandId, status: outcome } });
  // The removal of an expired grant: the grant's record and story follow it.
  await recordRemovalOutcome(tx, ctx, row, mapped, outcome);
}
