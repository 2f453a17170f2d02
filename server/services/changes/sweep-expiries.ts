// The console's expiry sweeper, run periodically by every console process (and safe to run
// at any time): under one PostgreSQL advisory lock, so only one process sweeps at a time,
//  1. time-bound grants whose expiry passed become a removal change, issued to the agent at
//     once with the grant's approvals and its signed bundle as proof (the expiry was
//     approved with the grant; the agent checks that, see agent/grant-removal.ts);
//  2. approved changes whose approvals lapsed before the agent took their bundle expire,
//     and the undelivered bundle is withdrawn.
// Each step claims its rows with a conditional update, so a second sweep (or a second
// process that slipped past the lock) finds nothing left to do.
import { randomUUID } from 'node:crypto';
import { and, eq, inArray, isNull, lte, sql } from 'drizzle-orm';
import type { BundleOperation, CommandBundle, CommandResult } from '@/agent/protocol/messages';
import type { Tx } from '@/db/client';
import { agentCommands, inventoryObjects } from '@/db/schema';
import { changeDecisions, changeRequests } from '@/db/schema/hand-written/changes';
import { timeBoundGrants } from '@/db/schema/hand-written/time-bound-grants';
import { changeDigest } from '@/server/domain/changes/change-digest';
import { type ChangeOperation, GOVERNED_KINDS, type ObjectKey, objectKeyString } from '@/server/domain/changes/change-objects';
import { reduceChange } from '@/server/domain/changes/reduce-change';
import { issueCommandInTx } from '../agents/commands';
import { appendAuditEvent } from '../audit/append-event';
import { rowsOf } from '../audit/audit-query';
import type { ServiceContext } from '../context';
import { forbidden } from '../errors';
import { inScope } from '../scope';
import { tryJobLock } from '../periodic-job';
import { ruleFor, stateOf } from './change-context';

/** The sweeper's advisory lock: one sweep at a time across console processes. */
export const EXPIRY_SWEEP_LOCK = 'verity.expiry-sweep';

export interface SweepReport {
  /** false: another console process held the lock; this sweep did nothing. */
  ran: boolean;
  removals: { grantChangeId: string; removalChangeId: string | null; bindings: string[]; outcome: 'issued' | 'absent' | 'refused' }[];
  expired: { changeId: string; commandId: string | null }[];
}

export async function sweepExpiries(ctx: ServiceContext): Promise<SweepReport> {
  if (ctx.principal.kind !== 'system') throw forbidden('Only the console sweeps expiries');
  const now = ctx.now();
  return inScope(ctx, async (tx) => {
    if (!(await tryJobLock(tx, EXPIRY_SWEEP_LOCK))) return { ran: false, removals: [], expired: [] };
    const removals = await removeExpiredGrants(tx, ctx, now);
    const expired = await expireLapsedApprovals(tx, ctx, now);
    return { ran: true, removals, expired };
  });
}

async function removeExpiredGrants(tx: Tx, ctx: ServiceContext, now: Date): Promise<SweepReport['removals']> {
  const due = await tx
    .select({ g: timeBoundGrants, c: changeRequests })
    .from(timeBoundGrants)
    .innerJoin(changeRequests, eq(changeRequests.id, timeBoundGrants.changeId))
    .where(and(isNull(timeBoundGrants.removalState), lte(timeBoundGrants.expiresAt, now), inArray(changeRequests.status, ['applied', 'partial'])));
  const byChange = new Map<string, { c: typeof changeRequests.$inferSelect; grants: (typeof timeBoundGrants.$inferSelect)[] }>();
  for (const { g, c } of due) {
    const entry = byChange.get(c.id) ?? { c, grants: [] };
    entry.grants.push(g);
    byChange.set(c.id, entry);
  }
  const report: SweepReport['removals'] = [];
  for (const { c, grants } of byChange.values()) report.push(...(await removeGrantsOf(tx, ctx, c, grants, now)));
  return report;
}

/** The key grants are stored under, for any object the inventory or an agent names. */
const keyOf = (kind: string, namespace: string | null, name: string) => objectKeyString({ kind, namespace, name } as ObjectKey);

async function removeGrantsOf(tx: Tx, ctx: ServiceContext, grant: typeof changeRequests.$inferSelect, due: (typeof timeBoundGrants.$inferSelect)[], now: Date): Promise<SweepReport['removals']> {
  const system: ServiceContext = { ...ctx, principal: { kind: 'system', label: 'expiry sweeper' } };
  let grants = due;
  const keys = grants.map((g) => g.objectKey);
  const audit = (action: string, outcome: 'success' | 'failure', details: Record<string, unknown>) =>
    appendAuditEvent(tx, system, { action, outcome, tenantId: grant.tenantId, clusterId: grant.clusterId, resourceType: 'change_request', resourceId: grant.id, details: { changeId: grant.id, ...details } });
  // Claims the grants: whatever another sweep claimed first is not ours to remove.
  const claim = async (set: Partial<typeof timeBoundGrants.$inferInsert>, which: string[]) =>
    (await tx.update(timeBoundGrants).set(set).where(and(eq(timeBoundGrants.changeId, grant.id), inArray(timeBoundGrants.objectKey, which), isNull(timeBoundGrants.removalState))).returning({ key: timeBoundGrants.objectKey })).map((r) => r.key);

  const [command] = grant.commandId ? await tx.select().from(agentCommands).where(eq(agentCommands.id, grant.commandId)) : [];
  const signed = command ? (JSON.parse(command.bundle) as CommandBundle) : null;
  if (!command || !signed || signed.approvals.length === 0 || !signed.approvalsDigest) {
    const claimed = await claim({ removalState: 'refused', removalDetail: 'the grant has no approved bundle to prove the removal with' }, keys);
    if (claimed.length) await audit('change.grant_expiry_failed', 'failure', { bindings: claimed, reason: 'no approved bundle' });
    return claimed.length ? [{ grantChangeId: grant.id, removalChangeId: null, bindings: claimed, outcome: 'refused' }] : [];
  }
  // What the grant created, and the binding's version now (inventory, as the agent reported it).
  const live = await tx
    .select({ kind: inventoryObjects.kind, namespace: inventoryObjects.namespace, name: inventoryObjects.name, resourceVersion: inventoryObjects.resourceVersion })
    .from(inventoryObjects)
    .where(and(eq(inventoryObjects.clusterId, grant.clusterId), inArray(inventoryObjects.kind, ['RoleBinding', 'ClusterRoleBinding'])));
  const versionOf = new Map(live.map((r) => [keyOf(r.kind, r.namespace, r.name), r.resourceVersion]));
  const report: SweepReport['removals'] = [];
  // Only what the grant's apply created is Verity's to delete: a binding its partial apply
  // never reached, made later by someone else under the same name, is left alone.
  const created = new Set(((command.result as CommandResult | null)?.results ?? []).filter((r) => r.outcome === 'applied').map((r) => keyOf(r.ref.kind, r.ref.namespace, r.ref.name)));
  const notCreated = grants.filter((g) => !created.has(g.objectKey)).map((g) => g.objectKey);
  if (notCreated.length) {
    const claimed = await claim({ removalState: 'refused', removalDetail: 'the grant’s apply did not create this binding, so Verity does not delete it' }, notCreated);
    if (claimed.length) {
      await audit('change.grant_expiry_failed', 'failure', { bindings: claimed, reason: 'not created by the grant' });
      report.push({ grantChangeId: grant.id, removalChangeId: null, bindings: claimed, outcome: 'refused' });
    }
  }
  grants = grants.filter((g) => created.has(g.objectKey));
  const absent = grants.filter((g) => !versionOf.has(g.objectKey)).map((g) => g.objectKey);
  if (absent.length) {
    const claimed = await claim({ removalState: 'absent', removedAt: now, removalDetail: 'the binding was already gone when the grant expired' }, absent);
    if (claimed.length) {
      await audit('change.grant_expired', 'success', { bindings: claimed, removal: 'already gone' });
      report.push({ grantChangeId: grant.id, removalChangeId: null, bindings: claimed, outcome: 'absent' });
    }
  }
  const present = grants.filter((g) => versionOf.has(g.objectKey));
  if (present.length === 0) return report;

  const removalId = randomUUID();
  const operations: ChangeOperation[] = present.map((g) => ({ action: 'delete', key: { kind: g.kind, namespace: g.namespace, name: g.name } }));
  const baseVersions = Object.fromEntries(present.map((g) => [g.objectKey, versionOf.get(g.objectKey) ?? null]));
  const latest = present.reduce((a, g) => (g.expiresAt > a ? g.expiresAt : a), present[0]!.expiresAt);
  await tx.insert(changeRequests).values({
    id: removalId,
    tenantId: grant.tenantId,
    clusterId: grant.clusterId,
    title: `Remove expired grant: ${grant.title}`.slice(0, 200),
    description: `Verity removes what change ${grant.id} granted until ${latest.toISOString()}. The removal was approved with the grant; it needs no new approval.`,
    status: 'applying',
    requestedBy: grant.requestedBy,
    revision: 1,
    sourceText: '',
    deletes: present.map((g) => ({ kind: g.kind, namespace: g.namespace, name: g.name })),
    operations,
    problems: [],
    baseVersions,
    digest: changeDigest({ changeId: removalId, clusterId: grant.clusterId, revision: 1, operations, baseVersions, dryRun: null }),
    createdAt: now,
    updatedAt: now,
    submittedAt: now,
  });
  const claimed = await claim({ removalChangeId: removalId, removalState: 'issued' }, present.map((g) => g.objectKey));
  if (claimed.length !== present.length) throw new Error('a grant was claimed by another sweep meanwhile');
  const bundleOps: BundleOperation[] = present.map((g) => ({
    action: 'delete',
    ref: { apiVersion: GOVERNED_KINDS[g.kind].apiVersion, kind: g.kind, namespace: g.namespace, name: g.name },
    expectedResourceVersion: versionOf.get(g.objectKey) ?? null,
  }));
  const { commandId } = await issueCommandInTx(tx, system, {
    clusterId: grant.clusterId,
    type: 'apply',
    changeId: removalId,
    operations: bundleOps,
    approvalsDigest: signed.approvalsDigest,
    approvals: signed.approvals,
    grantExpiry: { bundle: command.bundle, signature: command.signature },
  });
  await tx.update(changeRequests).set({ commandId }).where(eq(changeRequests.id, removalId));
  await audit('change.grant_expired', 'success', { removalChangeId: removalId, commandId, bindings: claimed, expiresAt: latest.toISOString(), approvalsDigest: signed.approvalsDigest });
  await appendAuditEvent(tx, system, {
    action: 'change.applying',
    outcome: 'success',
    tenantId: grant.tenantId,
    clusterId: grant.clusterId,
    resourceType: 'change_request',
    resourceId: removalId,
    details: { changeId: removalId, grantChangeId: grant.id, commandId, digest: signed.approvalsDigest, expiredGrant: true },
  });
  report.push({ grantChangeId: grant.id, removalChangeId: removalId, bindings: claimed, outcome: 'issued' });
  return report;
}

async function expireLapsedApprovals(tx: Tx, ctx: ServiceContext, now: Date): Promise<SweepReport['expired']> {
  const system: ServiceContext = { ...ctx, principal: { kind: 'system', label: 'expiry sweeper' } };
  const candidates = await tx.select().from(changeRequests).where(inArray(changeRequests.status, ['approved', 'applying'])).for('update', { skipLocked: true });
  if (candidates.length === 0) return [];
  // Removals of expired grants carry the grant's approvals: their time was approved with it.
  const removals = new Set(
    (await tx.select({ id: timeBoundGrants.removalChangeId }).from(timeBoundGrants).where(inArray(timeBoundGrants.removalChangeId, candidates.map((c) => c.id)))).map((r) => r.id),
  );
  const decisions = await tx.select().from(changeDecisions).where(inArray(changeDecisions.changeId, candidates.map((c) => c.id)));
  const out: SweepReport['expired'] = [];
  for (const row of candidates) {
    if (removals.has(row.id)) continue;
    const rule = await ruleFor(tx, row.tenantId);
    const next = reduceChange(stateOf(row, decisions.filter((d) => d.changeId === row.id)), { type: 'approvals-expired' }, rule, now);
    if (!next.ok) continue;
    let withdrawn: string | null = null;
    if (row.status === 'applying') {
      // Only a bundle the agent has not taken can be withdrawn; locked by a delivery in
      // progress, or already delivered, it is the agent's now and the change follows its result.
      if (!row.commandId) continue;
      const [command] = await tx.select().from(agentCommands).where(eq(agentCommands.id, row.commandId)).for('update', { skipLocked: true });
      if (!command || command.status !== 'pending') continue;
      const updated = await tx
        .update(agentCommands)
        .set({ status: 'withdrawn', completedAt: now })
        .where(and(eq(agentCommands.id, command.id), eq(agentCommands.status, 'pending')))
        .returning({ id: agentCommands.id });
      if (updated.length === 0) continue;
      withdrawn = command.id;
    }
    await tx.update(changeRequests).set({ status: next.state.status, updatedAt: now }).where(and(eq(changeRequests.id, row.id), eq(changeRequests.status, row.status)));
    await appendAuditEvent(tx, system, {
      action: 'change.approvals_expired',
      outcome: 'success',
      tenantId: row.tenantId,
      clusterId: row.clusterId,
      resourceType: 'change_request',
      resourceId: row.id,
      details: { changeId: row.id, wasStatus: row.status, withdrawnCommandId: withdrawn, approvalTtlMinutes: rule.approvalTtlMinutes, digest: row.digest },
    });
    out.push({ changeId: row.id, commandId: withdrawn });
  }
  return out;
}
