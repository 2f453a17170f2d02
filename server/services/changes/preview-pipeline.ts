// The preview of a submitted change, computed in the background in stages (diff, flow
// impact, RBAC, dry run) with its progress in the database, so the page shows how far it got
// and any console process can carry on: a job is claimed with a lease (a process that dies
// loses it after LEASE_MS and another takes over), the dry run is a signed command the
// cluster's agent answers whenever it polls, and a dry run nobody answers within
// DRY_RUN_TIMEOUT_MS is recorded as unavailable by whichever process sweeps first. The
// digest approvers sign is set only when the preview, dry run included, is final.
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { and, asc, eq, gt, inArray, isNull, lt, or, sql } from 'drizzle-orm';
import type { BundleOperation, CommandResult } from '@/agent/protocol/messages';
import type { Db, Tx } from '@/db/client';
import { agents } from '@/db/schema';
import { changePreviews } from '@/db/schema/hand-written/change-previews';
import { changeRequests } from '@/db/schema/hand-written/changes';
import { baseObjects, diffObjects, netpolImpact, type Preview, rbacImpact } from '@/server/domain/changes/build-preview';
import { changeDigest } from '@/server/domain/changes/change-digest';
import { type ChangeOperation, GOVERNED_KINDS, objectKeyString } from '@/server/domain/changes/change-objects';
import { type DryRunRecord, dryRunAllowsApproval, dryRunForDigest, type FinalDryRun, summarizeDryRun } from '@/server/domain/changes/dry-run';
import { reduceChange } from '@/server/domain/changes/reduce-change';
import { issueCommandInTx } from '../agents/commands';
import { appendAuditEvent } from '../audit/append-event';
import { AGENT_STALE_MS } from '../clusters/list-clusters';
import type { ServiceContext } from '../context';
import { inScope } from '../scope';
import { loadChange, operationsOf, reachFor, ruleFor, stateOf } from './change-context';
import { loadMeshPreview } from './load-mesh-preview';
import { loadPreviewInput } from './preview-input';

export const PREVIEW_CHANNEL = 'verity_change_previews';
export const PREVIEW_STAGES = ['diff', 'flow-impact', 'rbac', 'dry-run'] as const;
export type PreviewStage = (typeof PREVIEW_STAGES)[number];
export interface StageProgress {
  state: 'waiting' | 'running' | 'done' | 'skipped' | 'failed';
  startedAt?: string;
  finishedAt?: string;
  detail?: string;
}
/** A claimed job not finished (nor its lease renewed) within this time is taken over. */
export const LEASE_MS = 60_000;
/** How long the agent has to answer a dry run before the preview says there was none. */
export const DRY_RUN_TIMEOUT_MS = 30_000;
const MAX_ATTEMPTS = 3;
const WORKER_ID = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;

const systemCtx = (db: Db, now: () => Date = () => new Date()): ServiceContext => ({ db, now, principal: { kind: 'system', label: 'change preview' }, client: { address: null, userAgent: null } });

/** The operations of a bundle for the agent, pinned to the versions the preview was computed against. */
export function bundleOperations(operations: readonly ChangeOperation[], baseVersions: Readonly<Record<string, string | null>>): BundleOperation[] {
  return operations.map((op) => {
    const expectedResourceVersion = baseVersions[objectKeyString(op.key)] ?? null;
    if (op.action === 'apply') return { action: 'apply', object: op.object, expectedResourceVersion };
    return { action: 'delete', ref: { apiVersion: GOVERNED_KINDS[op.key.kind].apiVersion, kind: op.key.kind, namespace: op.key.namespace, name: op.key.name }, expectedResourceVersion };
  });
}

/** Claims the oldest job nobody holds (or whose holder's lease ran out). */
export async function claimPreviewJob(ctx: ServiceContext): Promise<{ changeId: string; revision: number; attempts: number; windowHours: number } | null> {
  const now = ctx.now();
  return inScope(ctx, async (tx) => {
    const [job] = await tx
      .select()
      .from(changePreviews)
      .where(or(eq(changePreviews.state, 'queued'), and(eq(changePreviews.state, 'computing'), lt(changePreviews.leaseUntil, now))))
      .orderBy(asc(changePreviews.createdAt))
      .limit(1)
      .for('update', { skipLocked: true });
    if (!job) return null;
    await tx
      .update(changePreviews)
      .set({ state: 'computing', leaseOwner: WORKER_ID, leaseUntil: new Date(now.getTime() + LEASE_MS), attempts: job.attempts + 1, updatedAt: now })
      .where(and(eq(changePreviews.changeId, job.changeId), eq(changePreviews.revision, job.revision)));
    return { changeId: job.changeId, revision: job.revision, attempts: job.attempts + 1, windowHours: job.windowHours };
  });
}

type JobKey = { changeId: string; revision: number };
const jobWhere = (job: JobKey) => and(eq(changePreviews.changeId, job.changeId), eq(changePreviews.revision, job.revision));

/** Records a stage's progress and renews the lease; false when the job is no longer ours. */
async function progress(ctx: ServiceContext, job: JobKey, stage: PreviewStage, patch: StageProgress): Promise<boolean> {
  const now = ctx.now();
  const stamp = patch.state === 'running' ? { startedAt: now.toISOString() } : { finishedAt: now.toISOString() };
  const value = JSON.stringify({ ...patch, ...stamp });
  const rows = await inScope(ctx, (tx) =>
    tx
      .update(changePreviews)
      .set({
        stages: sql`jsonb_set(${changePreviews.stages}, ${`{${stage}}`}::text[], coalesce(${changePreviews.stages} -> ${stage}, '{}'::jsonb) || ${value}::jsonb)`,
        leaseUntil: new Date(now.getTime() + LEASE_MS),
        updatedAt: now,
      })
      .where(and(jobWhere(job), eq(changePreviews.state, 'computing'), eq(changePreviews.leaseOwner, WORKER_ID)))
      .returning({ changeId: changePreviews.changeId }),
  );
  return rows.length > 0;
}

/** Lets the event loop serve requests between CPU-heavy stages. */
const breathe = () => new Promise<void>((r) => setImmediate(r));

/** Computes one claimed job's stages, then asks the agent for a dry run (or records why not). */
export async function runPreviewJob(ctx: ServiceContext, job: { changeId: string; revision: number; attempts: number; windowHours: number }): Promise<void> {
  const loaded = await inScope(ctx, async (tx) => {
    const { row } = await loadChange(tx, job.changeId);
    if (row.revision !== job.revision || row.status !== 'pending' || row.digest !== null) return null;
    return { row, reach: await reachFor(tx, row.tenantId, row.clusterId) };
  });
  if (!loaded) return supersede(ctx, job);
  if (job.attempts > MAX_ATTEMPTS) return failJob(ctx, job, `the preview did not complete in ${MAX_ATTEMPTS} attempts`);
  const { row, reach } = loaded;
  const operations = operationsOf(row);
  try {
    if (!(await progress(ctx, job, 'diff', { state: 'running' }))) return;
    const { input, baseVersions } = await inScope(ctx, (tx) => loadPreviewInput(tx, row.clusterId, operations, reach.namespaces, ctx.now(), job.windowHours));
    const objects = diffObjects(input);
    const base = baseObjects(input);
    if (!(await progress(ctx, job, 'diff', { state: 'done', detail: `${objects.length} object${objects.length === 1 ? '' : 's'}, ${objects.filter((o) => o.action !== 'unchanged').length} changed` }))) return;
    await breathe();

    const hasNetpol = operations.some((o) => o.key.kind === 'NetworkPolicy');
    let netpol: Preview['netpol'] = null;
    if (hasNetpol) {
      if (!(await progress(ctx, job, 'flow-impact', { state: 'running', detail: `${input.flows.length} distinct flows over ${job.windowHours} h` }))) return;
      netpol = netpolImpact(input);
      if (!(await progress(ctx, job, 'flow-impact', { state: 'done', detail: `${netpol!.flowsConsidered} flows: ${netpol!.newlyDenied} blocked, ${netpol!.newlyAllowed} newly allowed` }))) return;
    } else if (!operations.some((o) => o.key.kind === 'PeerAuthentication') && !(await progress(ctx, job, 'flow-impact', { state: 'skipped', detail: 'no NetworkPolicy in this change' }))) return;
    let mesh: Preview['mesh'] = null;
    if (operations.some((o) => o.key.kind === 'PeerAuthentication')) {
      if (!(await progress(ctx, job, 'flow-impact', { state: 'running', detail: 'STRICT readiness of the PeerAuthentication change' }))) return;
      mesh = await inScope(ctx, (tx) => loadMeshPreview(tx, row.clusterId, operations, input.workloads, reach.namespaces, ctx.now(), job.windowHours));
      if (!(await progress(ctx, job, 'flow-impact', { state: 'done', detail: `${netpol ? `${netpol.newlyDenied} flows blocked; ` : ''}STRICT would reject ${mesh!.breaking.length} plaintext connection${mesh!.breaking.length === 1 ? '' : 's'}` }))) return;
    }
    await breathe();

    const hasRbac = operations.some((o) => ['Role', 'ClusterRole', 'RoleBinding', 'ClusterRoleBinding'].includes(o.key.kind));
    let rbac: Preview['rbac'] = null;
    if (hasRbac) {
      if (!(await progress(ctx, job, 'rbac', { state: 'running', detail: `${input.rbacObjects.length} RBAC objects` }))) return;
      rbac = rbacImpact(input);
      if (!(await progress(ctx, job, 'rbac', { state: 'done', detail: `${rbac!.subjects.length} subject${rbac!.subjects.length === 1 ? '' : 's'} affected` }))) return;
    } else if (!(await progress(ctx, job, 'rbac', { state: 'skipped', detail: 'no RBAC object in this change' }))) return;
    await breathe();

    await startDryRun(ctx, job, { objects, base, netpol, rbac, ...(mesh ? { mesh } : {}) }, baseVersions);
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    console.error(`change preview ${job.changeId} r${job.revision} failed:`, message);
    if (job.attempts >= MAX_ATTEMPTS) await failJob(ctx, job, message);
    // Otherwise the lease runs out and a process tries again.
  }
}

/** Stores the computed preview on the change and asks the agent for a dry run, or records that there is none. */
async function startDryRun(ctx: ServiceContext, job: JobKey, preview: Preview, baseVersions: Record<string, string | null>) {
  const now = ctx.now();
  const outcome = await inScope(ctx, async (tx) => {
    const { row } = await loadChange(tx, job.changeId, true);
    const [mine] = await tx.select().from(changePreviews).where(and(jobWhere(job), eq(changePreviews.leaseOwner, WORKER_ID), eq(changePreviews.state, 'computing'))).for('update');
    if (!mine) return 'lost' as const;
    if (row.revision !== job.revision || row.status !== 'pending' || row.digest !== null) return 'superseded' as const;
    const agent = await tx
      .select({ id: agents.id })
      .from(agents)
      .where(and(eq(agents.clusterId, row.clusterId), isNull(agents.revokedAt), gt(agents.lastSeenAt, new Date(now.getTime() - AGENT_STALE_MS))))
      .limit(1);
    if (agent.length === 0) {
      await tx.update(changeRequests).set({ preview: preview as unknown as Record<string, unknown>, baseVersions, updatedAt: now }).where(eq(changeRequests.id, row.id));
      return 'no-agent' as const;
    }
    const system: ServiceContext = { ...ctx, principal: { kind: 'system', label: 'change preview' } };
    const { commandId } = await issueCommandInTx(tx, system, { clusterId: row.clusterId, type: 'dry-run', changeId: row.id, operations: bundleOperations(operationsOf(row), baseVersions) });
    const deadline = new Date(now.getTime() + DRY_RUN_TIMEOUT_MS);
    const pending: DryRunRecord = { state: 'pending', commandId, deadline: deadline.toISOString() };
    await tx.update(changeRequests).set({ preview: { ...preview, dryRun: pending } as unknown as Record<string, unknown>, baseVersions, updatedAt: now }).where(eq(changeRequests.id, row.id));
    const running = JSON.stringify({ state: 'running', startedAt: now.toISOString(), detail: 'waiting for the agent' });
    await tx
      .update(changePreviews)
      .set({ state: 'dry-run', dryRunCommandId: commandId, dryRunDeadline: deadline, dryRun: pending, leaseOwner: null, leaseUntil: null, stages: sql`jsonb_set(${changePreviews.stages}, '{dry-run}', ${running}::jsonb)`, updatedAt: now })
      .where(jobWhere(job));
    return 'asked' as const;
  });
  if (outcome === 'superseded') return supersede(ctx, job);
  if (outcome === 'no-agent') {
    await finalizeFromJob(ctx, job, { state: 'unavailable', at: now.toISOString(), reason: 'no agent of this cluster was connected when the preview was computed' }, ['computing']);
  }
}

async function supersede(ctx: ServiceContext, job: JobKey) {
  await inScope(ctx, (tx) => tx.update(changePreviews).set({ state: 'superseded', leaseOwner: null, leaseUntil: null, updatedAt: ctx.now() }).where(and(jobWhere(job), inArray(changePreviews.state, ['queued', 'computing', 'dry-run']))));
}

async function failJob(ctx: ServiceContext, job: JobKey, error: string) {
  await inScope(ctx, (tx) => tx.update(changePreviews).set({ state: 'failed', error, leaseOwner: null, leaseUntil: null, updatedAt: ctx.now() }).where(and(jobWhere(job), inArray(changePreviews.state, ['queued', 'computing']))));
}

async function finalizeFromJob(ctx: ServiceContext, job: JobKey, dryRun: FinalDryRun, from: ('computing' | 'dry-run')[]) {
  await inScope(ctx, (tx) => finalizePreview(tx, ctx, job, dryRun, from));
}

/**
 * The dry run is final (answered, refused, stale or unavailable): the preview gets it, and
 * unless it blocks approval the change gets the digest of everything previewed, dry run
 * included. Only one finalization counts: the job's state is checked under the change's lock.
 */
export async function finalizePreview(tx: Tx, ctx: ServiceContext, job: JobKey, dryRun: FinalDryRun, from: ('computing' | 'dry-run')[]): Promise<boolean> {
  const now = ctx.now();
  const { row, decisions } = await loadChange(tx, job.changeId, true);
  const [current] = await tx.select().from(changePreviews).where(jobWhere(job)).for('update');
  if (!current || !(from as string[]).includes(current.state)) return false;
  const allows = dryRunAllowsApproval(dryRun);
  const digest = allows ? changeDigest({ changeId: row.id, clusterId: row.clusterId, revision: row.revision, operations: operationsOf(row), baseVersions: row.baseVersions ?? {}, dryRun: dryRunForDigest(dryRun) }) : null;
  const next = reduceChange(stateOf(row, decisions), { type: 'previewed', revision: job.revision, digest }, await ruleFor(tx, row.tenantId), now);
  const stageDone = JSON.stringify({ state: dryRun.state === 'answered' ? 'done' : dryRun.state === 'unavailable' ? 'skipped' : 'failed', finishedAt: now.toISOString(), detail: dryRun.state === 'answered' ? 'the API server accepted every object' : dryRun.reason });
  if (!next.ok || !row.preview) {
    await tx.update(changePreviews).set({ state: 'superseded', leaseOwner: null, leaseUntil: null, updatedAt: now }).where(jobWhere(job));
    return false;
  }
  await tx.update(changeRequests).set({ digest, preview: { ...row.preview, dryRun }, updatedAt: now }).where(eq(changeRequests.id, row.id));
  await tx
    .update(changePreviews)
    .set({ state: allows ? 'ready' : 'blocked', dryRun, leaseOwner: null, leaseUntil: null, stages: sql`jsonb_set(${changePreviews.stages}, '{dry-run}', coalesce(${changePreviews.stages} -> 'dry-run', '{}'::jsonb) || ${stageDone}::jsonb)`, updatedAt: now })
    .where(jobWhere(job));
  await appendAuditEvent(tx, { ...ctx, principal: { kind: 'system', label: 'change preview' } }, {
    action: 'change.previewed',
    outcome: allows ? 'success' : 'failure',
    tenantId: row.tenantId,
    clusterId: row.clusterId,
    resourceType: 'change_request',
    resourceId: row.id,
    details: { changeId: row.id, revision: row.revision, digest, dryRun: dryRun.state, ...(dryRun.state === 'answered' ? {} : { reason: dryRun.reason }) },
  });
  return true;
}

/** The agent answered a dry-run command: called inside the transaction that records its result. */
export async function recordDryRunAnswer(tx: Tx, ctx: ServiceContext, commandId: string, result: CommandResult): Promise<void> {
  const [job] = await tx.select().from(changePreviews).where(eq(changePreviews.dryRunCommandId, commandId));
  if (!job || job.state !== 'dry-run') return; // timed out, superseded, or not a preview's dry run
  const [row] = await tx.select({ operations: changeRequests.operations }).from(changeRequests).where(eq(changeRequests.id, job.changeId));
  if (!row) return;
  const record = summarizeDryRun(row.operations as ChangeOperation[], commandId, result, ctx.now());
  await finalizePreview(tx, ctx, job, record, ['dry-run']);
}

/** Dry runs past their deadline are recorded as unavailable, so an agent that never answers blocks nothing. */
export async function expireDryRuns(ctx: ServiceContext): Promise<number> {
  const now = ctx.now();
  const due = await inScope(ctx, (tx) => tx.select({ changeId: changePreviews.changeId, revision: changePreviews.revision }).from(changePreviews).where(and(eq(changePreviews.state, 'dry-run'), lt(changePreviews.dryRunDeadline, now))));
  let expired = 0;
  for (const job of due) {
    const done = await inScope(ctx, (tx) =>
      finalizePreview(tx, ctx, job, { state: 'unavailable', at: now.toISOString(), reason: `the agent did not answer the dry run within ${DRY_RUN_TIMEOUT_MS / 1000} s` }, ['dry-run']),
    );
    if (done) expired++;
  }
  return expired;
}

/** Runs queued jobs until none is left to claim. */
export async function drainPreviewQueue(ctx: ServiceContext): Promise<number> {
  let ran = 0;
  for (;;) {
    const job = await claimPreviewJob(ctx);
    if (!job) return ran;
    await runPreviewJob(ctx, job);
    ran++;
  }
}

// One drain at a time per process and database; the database decides between processes.
const busy = new WeakMap<Db, Promise<void>>();
function drainOnce(db: Db): Promise<void> {
  const running = busy.get(db);
  if (running) return running.then(() => drainOnce(db));
  const p = (async () => {
    const ctx = systemCtx(db);
    await drainPreviewQueue(ctx);
    await expireDryRuns(ctx);
  })()
    .catch((err: unknown) => console.error('change previews:', err instanceof Error ? err.message : err))
    .finally(() => busy.delete(db));
  busy.set(db, p);
  return p;
}

/** Starts work on newly queued previews in this process, without waiting for it. */
export function kickPreviewWork(db: Db): void {
  void drainOnce(db);
}

/** Every console process sweeps: jobs another process left (lease ran out), and dry-run deadlines. */
export function startPreviewWorker(db: Db, everyMs = 2_000): () => void {
  const timer = setInterval(() => void drainOnce(db), everyMs);
  timer.unref();
  return () => clearInterval(timer);
}
