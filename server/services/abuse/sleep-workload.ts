// Putting a workload to sleep and waking it: a signed sleep / wake command for the cluster's
// agent, a workload_sleeps record of why and by whom, an entry in the response log and an
// audit event, all in one transaction. The agent's answer moves the record on
// (recordSleepOutcome). No approval is asked: sleep changes only replicas or a CronJob's
// suspend flag, wake restores exactly what the object's annotation kept, and only holders of
// workload:sleep (or a tenant's own activity-based sleep policy) can ask for it.
import { and, eq, inArray } from 'drizzle-orm';
import { z } from 'zod';
import { type CommandResult, SleepTarget } from '@/agent/protocol/messages';
import { SLEEP_ANNOTATION, SLEEP_KINDS, SleepState } from '@/agent/workload-sleep';
import type { Tx } from '@/db/client';
import { abuseActions, abuseFindings, workloadSleeps } from '@/db/schema/hand-written/abuse';
import { isSystemNamespace } from '@/server/domain/abuse/decide-sleep';
import { issueCommandInTx } from '../agents/commands';
import { appendAuditEvent } from '../audit/append-event';
import { authorize } from '../authorize';
import type { ServiceContext } from '../context';
import { badInput, conflict, notFound } from '../errors';
import { inScope } from '../scope';
import { ownedWorkload } from './workload-owner';

const Reason = z.string().trim().min(3, 'Give a reason of at least 3 characters').max(1000);

export const SleepWorkloadInput = z.object({
  clusterId: z.uuid(),
  namespace: z.string().min(1).max(63),
  workload: z.string().min(1).max(253),
  reason: Reason,
  /** When acting on a finding: it is linked to the sleep and its log. */
  findingId: z.uuid().optional(),
});
export type SleepWorkloadInput = z.input<typeof SleepWorkloadInput>;

export const WakeWorkloadInput = z.object({ sleepId: z.uuid(), reason: Reason });
export type WakeWorkloadInput = z.input<typeof WakeWorkloadInput>;

const ACTIVE = ['sleeping', 'asleep', 'waking'] as const;

export async function sleepWorkload(ctx: ServiceContext, raw: SleepWorkloadInput) {
  authorize(ctx, 'workload:sleep');
  const input = SleepWorkloadInput.parse(raw);
  return inScope(ctx, async (tx) => {
    const w = await ownedWorkload(tx, input.clusterId, input.namespace, input.workload);
    authorize(ctx, 'workload:sleep', { id: w.tenantId, label: 'Workload' });
    if (input.findingId) {
      const [f] = await tx.select({ id: abuseFindings.id, clusterId: abuseFindings.clusterId, namespace: abuseFindings.namespace, workload: abuseFindings.workload }).from(abuseFindings).where(eq(abuseFindings.id, input.findingId));
      if (!f) throw notFound('Finding');
      if (f.clusterId !== w.clusterId || f.namespace !== w.namespace || f.workload !== w.workload) throw badInput('findingId', 'The finding is about another workload');
    }
    return requestSleepInTx(tx, ctx, { ...w, trigger: input.findingId ? 'finding' : 'manual', reason: input.reason, findingId: input.findingId ?? null });
  });
}

export interface SleepRequest {
  tenantId: string;
  clusterId: string;
  namespace: string;
  workload: string;
  ownerKind: string;
  trigger: 'finding' | 'activity' | 'manual';
  reason: string;
  findingId: string | null;
}

/** Within the caller's transaction (a person's verb, or the detection job's activity-based sleep). */
export async function requestSleepInTx(tx: Tx, ctx: ServiceContext, req: SleepRequest) {
  const kind = SleepTarget.shape.kind.safeParse(req.ownerKind);
  if (!kind.success) throw badInput('workload', `A ${req.ownerKind} cannot be put to sleep; only ${SLEEP_KINDS.join(', ')}`);
  if (isSystemNamespace(req.namespace)) throw badInput('namespace', `${req.namespace} is a system namespace; its workloads are never put to sleep`);
  const [active] = await tx
    .select({ id: workloadSleeps.id, status: workloadSleeps.status })
    .from(workloadSleeps)
    .where(and(eq(workloadSleeps.clusterId, req.clusterId), eq(workloadSleeps.namespace, req.namespace), eq(workloadSleeps.workload, req.workload), inArray(workloadSleeps.status, [...ACTIVE])));
  if (active) throw conflict(`${req.namespace}/${req.workload} is already ${active.status}`);
  const now = ctx.now();
  const actorId = ctx.principal.kind === 'user' ? ctx.principal.userId : null;
  const { commandId } = await issueCommandInTx(tx, ctx, { clusterId: req.clusterId, type: 'sleep', operations: [], targets: [{ kind: kind.data, namespace: req.namespace, name: req.workload }] });
  const [sleep] = await tx
    .insert(workloadSleeps)
    .values({ tenantId: req.tenantId, clusterId: req.clusterId, namespace: req.namespace, workload: req.workload, kind: kind.data, trigger: req.trigger, findingId: req.findingId, status: 'sleeping', reason: req.reason, sleptAt: now, sleptBy: actorId, sleepCommandId: commandId })
    .returning({ id: workloadSleeps.id });
  await tx.insert(abuseActions).values({ findingId: req.findingId, tenantId: req.tenantId, clusterId: req.clusterId, namespace: req.namespace, workload: req.workload, action: 'sleep', reason: req.reason, actorId, sleepId: sleep!.id, createdAt: now });
  await appendAuditEvent(tx, ctx, {
    action: 'workload.sleep_requested',
    outcome: 'success',
    tenantId: req.tenantId,
    clusterId: req.clusterId,
    resourceType: 'workload',
    resourceId: `${req.namespace}/${req.workload}`,
    details: { sleepId: sleep!.id, kind: kind.data, trigger: req.trigger, reason: req.reason, findingId: req.findingId, commandId },
  });
  return { sleepId: sleep!.id, commandId };
}

export async function wakeWorkload(ctx: ServiceContext, raw: WakeWorkloadInput) {
  authorize(ctx, 'workload:sleep');
  const input = WakeWorkloadInput.parse(raw);
  return inScope(ctx, async (tx) => {
    const [s] = await tx.select().from(workloadSleeps).where(eq(workloadSleeps.id, input.sleepId)).for('update');
    if (!s) throw notFound('Sleeping workload');
    authorize(ctx, 'workload:sleep', { id: s.tenantId, label: 'Sleeping workload' });
    if (s.status !== 'asleep') throw conflict(s.status === 'sleeping' ? 'The agent has not confirmed the sleep yet; wake it once it is asleep' : `It is ${s.status}, not asleep`);
    const now = ctx.now();
    const actorId = ctx.principal.kind === 'user' ? ctx.principal.userId : null;
    const { commandId } = await issueCommandInTx(tx, ctx, { clusterId: s.clusterId, type: 'wake', operations: [], targets: [{ kind: s.kind, namespace: s.namespace, name: s.workload }] });
    await tx.update(workloadSleeps).set({ status: 'waking', wakeReason: input.reason, wakeRequestedAt: now, wokeBy: actorId, wakeCommandId: commandId, message: null }).where(eq(workloadSleeps.id, s.id));
    await tx.insert(abuseActions).values({ findingId: s.findingId, tenantId: s.tenantId, clusterId: s.clusterId, namespace: s.namespace, workload: s.workload, action: 'wake', reason: input.reason, actorId, sleepId: s.id, createdAt: now });
    await appendAuditEvent(tx, ctx, {
      action: 'workload.wake_requested',
      outcome: 'success',
      tenantId: s.tenantId,
      clusterId: s.clusterId,
      resourceType: 'workload',
      resourceId: `${s.namespace}/${s.workload}`,
      details: { sleepId: s.id, reason: input.reason, commandId },
    });
    return { sleepId: s.id, commandId };
  });
}

/** The agent's answer to a sleep or wake command (called from recordCommandResult, in its transaction). */
export async function recordSleepOutcome(tx: Tx, ctx: ServiceContext, commandId: string, type: 'sleep' | 'wake', result: CommandResult) {
  const column = type === 'sleep' ? workloadSleeps.sleepCommandId : workloadSleeps.wakeCommandId;
  const [s] = await tx.select().from(workloadSleeps).where(eq(column, commandId)).for('update');
  if (!s) return;
  const now = ctx.now();
  const r = result.results[0];
  const ok = result.status === 'applied' && r !== undefined && (r.outcome === 'applied' || r.outcome === 'unchanged');
  const message = ok ? null : (result.message ?? r?.message ?? `the agent answered ${result.status}`);
  if (type === 'sleep') {
    const annotations = ((r?.object?.metadata as { annotations?: Record<string, string> } | undefined)?.annotations ?? {}) as Record<string, string>;
    const kept = annotations[SLEEP_ANNOTATION] ? SleepState.safeParse(safeJson(annotations[SLEEP_ANNOTATION])) : null;
    await tx
      .update(workloadSleeps)
      .set(ok ? { status: 'asleep', original: kept?.success ? (kept.data as unknown as Record<string, unknown>) : null, message: null } : { status: 'failed', message })
      .where(eq(workloadSleeps.id, s.id));
  } else {
    // A failed wake leaves it asleep, so it can be woken again.
    await tx.update(workloadSleeps).set(ok ? { status: 'awake', wokeAt: now, message: null } : { status: 'asleep', message: `wake failed: ${message}` }).where(eq(workloadSleeps.id, s.id));
  }
  await appendAuditEvent(tx, ctx, {
    action: type === 'sleep' ? 'workload.slept' : 'workload.woken',
    outcome: ok ? 'success' : 'failure',
    source: 'agent',
    tenantId: s.tenantId,
    clusterId: s.clusterId,
    resourceType: 'workload',
    resourceId: `${s.namespace}/${s.workload}`,
    details: { sleepId: s.id, commandId, status: result.status, message },
  });
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}
