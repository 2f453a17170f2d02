// Commands for agents: bundles the console signs (apply or dry-run), handed to the
// cluster's agent when it polls, and the agent's per-object results recorded against them.
import { randomUUID } from 'node:crypto';
import canonicalize from 'canonicalize';
import { and, asc, eq, inArray, isNull, lt, or, sql } from 'drizzle-orm';
import { type BundleOperation, type CommandBundle, type CommandResult, PROTOCOL_VERSION, type SignedCommand } from '@/agent/protocol/messages';
import { signBundle } from '@/agent/protocol/request-signing';
import type { Tx } from '@/db/client';
import { agentCommands, clusters } from '@/db/schema';
import { appendAuditEvent } from '../audit/append-event';
import type { ServiceContext } from '../context';
import { forbidden, notFound } from '../errors';
import { inScope } from '../scope';
import { requireAgent } from './agent-principal';
import { consoleSigningKey } from './console-signing-key';
import { recordChangeOutcome } from '../changes/decide-change';
import { recordSleepOutcome } from '../abuse/sleep-workload';
import { recordDryRunAnswer } from '../changes/preview-pipeline';

export const COMMANDS_CHANNEL = 'verity_agent_commands';
/** A command delivered but not answered within this time is delivered again. */
export const REDELIVER_AFTER_MS = 60_000;

export interface IssueCommandArgs {
  clusterId: string;
  type: 'apply' | 'dry-run' | 'sleep' | 'wake';
  operations: BundleOperation[];
  /** For sleep and wake: the workloads (see agent/workload-sleep.ts). */
  targets?: CommandBundle['targets'];
  changeId?: string | null;
  approvals?: CommandBundle['approvals'];
  approvalsDigest?: string | null;
  /** On the removal of an expired grant: the grant's signed bundle (see agent/grant-removal.ts). */
  grantExpiry?: CommandBundle['grantExpiry'];
}

/** Issued by the console itself (the change workflow), never directly by a person. */
export async function issueCommand(ctx: ServiceContext, args: IssueCommandArgs) {
  if (ctx.principal.kind !== 'system') throw forbidden('Commands are issued only by the console on an approved change');
  return inScope(ctx, (tx) => issueCommandInTx(tx, ctx, args));
}

/** Within the caller's transaction: an approval and the command it releases commit together. */
export async function issueCommandInTx(tx: Tx, ctx: ServiceContext, args: IssueCommandArgs) {
  const [cluster] = await tx.select().from(clusters).where(eq(clusters.id, args.clusterId));
  if (!cluster) throw notFound('Cluster');
  const now = ctx.now();
  const bundle: CommandBundle = {
    version: PROTOCOL_VERSION,
    commandId: randomUUID(),
    type: args.type,
    changeId: args.changeId ?? null,
    clusterId: cluster.id,
    issuedAt: now.toISOString(),
    operations: args.operations,
    approvalsDigest: args.approvalsDigest ?? null,
    approvals: args.approvals ?? [],
    ...(args.targets ? { targets: args.targets } : {}),
    ...(args.grantExpiry ? { grantExpiry: args.grantExpiry } : {}),
  };
  const text = canonicalize(bundle)!;
  const key = await consoleSigningKey(tx, now);
  const signature = signBundle(key.privateKey, text);
  await tx.insert(agentCommands).values({ id: bundle.commandId, clusterId: cluster.id, changeId: bundle.changeId, type: args.type, bundle: text, signature, status: 'pending', createdAt: now });
  await appendAuditEvent(tx, ctx, {
    action: 'agent.command_issued',
    outcome: 'success',
    source: 'console',
    clusterId: cluster.id,
    resourceType: 'command',
    resourceId: bundle.commandId,
    details: { type: args.type, changeId: bundle.changeId, operations: args.operations.length },
  });
  await tx.execute(sql`select pg_notify(${COMMANDS_CHANNEL}, ${cluster.id})`);
  return { commandId: bundle.commandId };
}

/** Commands waiting for the calling agent's cluster; marks them delivered. Never blocks. */
export async function takeCommands(ctx: ServiceContext): Promise<SignedCommand[]> {
  const agent = requireAgent(ctx);
  const now = ctx.now();
  return inScope(ctx, async (tx) => {
    const due = await tx
      .select()
      .from(agentCommands)
      .where(
        and(
          eq(agentCommands.clusterId, agent.clusterId),
          or(eq(agentCommands.status, 'pending'), and(eq(agentCommands.status, 'delivered'), lt(agentCommands.deliveredAt, new Date(now.getTime() - REDELIVER_AFTER_MS)))),
        ),
      )
      .orderBy(asc(agentCommands.createdAt))
      .limit(20)
      .for('update', { skipLocked: true });
    if (due.length === 0) return [];
    await tx.update(agentCommands).set({ status: 'delivered', deliveredAt: now }).where(inArray(agentCommands.id, due.map((c) => c.id)));
    return due.map((c) => ({ bundle: c.bundle, signature: c.signature }));
  });
}

export async function recordCommandResult(ctx: ServiceContext, result: CommandResult) {
  const agent = requireAgent(ctx);
  return inScope(ctx, async (tx) => {
    const [command] = await tx.select().from(agentCommands).where(and(eq(agentCommands.id, result.commandId), eq(agentCommands.clusterId, agent.clusterId))).for('update');
    if (!command) throw notFound('Command');
    if (command.completedAt) return { duplicate: true };
    await tx
      .update(agentCommands)
      .set({ status: result.status, completedAt: ctx.now(), result: result as unknown as Record<string, unknown> })
      .where(and(eq(agentCommands.id, command.id), isNull(agentCommands.completedAt)));
    await appendAuditEvent(tx, ctx, {
      action: 'agent.command_result',
      outcome: result.status === 'applied' || result.status === 'dry-run' ? 'success' : 'failure',
      source: 'agent',
      clusterId: agent.clusterId,
      resourceType: 'command',
      resourceId: command.id,
      details: {
        changeId: command.changeId,
        status: result.status,
        message: result.message ?? null,
        // Audit-Ids link the cluster's own audit events to this change exactly.
        results: result.results.map((r) => ({ ref: r.ref, outcome: r.outcome, message: r.message ?? null, auditId: r.auditId ?? null })),
      },
    });
    // A dry run answers a change's preview; an apply moves the change itself.
    if (command.type === 'dry-run') await recordDryRunAnswer(tx, ctx, command.id, result);
    else if (command.changeId) await recordChangeOutcome(tx, ctx, command.changeId, result.status, result as unknown as Record<string, unknown>);
    if (command.type === 'sleep' || command.type === 'wake') await recordSleepOutcome(tx, ctx, command.id, command.type, result);
    return { duplicate: false };
  });
}
