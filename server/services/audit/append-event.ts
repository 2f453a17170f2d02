// The one audit writer. Called inside the transaction of the change it records, it takes
// the chain-head lock, links the event to the previous one and advances the head, so the
// change and its record commit together or not at all, in one total order.
import { randomUUID } from 'node:crypto';
import { eq, sql } from 'drizzle-orm';
import type { Tx } from '@/db/client';
import { auditChainHead, auditEvents } from '@/db/schema';
import { hashEvent } from '@/server/domain/audit/hash-event';
import type { ServiceContext } from '../context';

export interface AuditInput {
  action: string;
  /** Defaults to 'console'. */
  source?: 'console' | 'agent' | 'kubernetes';
  clusterId?: string | null;
  outcome: 'success' | 'failure' | 'denied';
  tenantId?: string | null;
  resourceType?: string | null;
  resourceId?: string | null;
  details?: Record<string, unknown>;
  /** When it happened, if not now (events forwarded from a cluster keep their own time). */
  occurredAt?: Date;
  clientAddress?: string | null;
  userAgent?: string | null;
  /** Overrides the actor taken from the context (e.g. a failed sign-in names the account tried). */
  actor?: { type: 'user' | 'agent' | 'system' | 'anonymous' | 'kube-user'; id: string | null; label: string | null };
}

export async function appendAuditEvent(tx: Tx, ctx: ServiceContext, input: AuditInput): Promise<{ seq: number; id: string }> {
  const [head] = await tx.select().from(auditChainHead).where(eq(auditChainHead.id, 'head')).for('update');
  if (!head) throw new Error('audit chain head is missing: the database was not migrated');
  const content = chainedContent(ctx, input, head.seq + 1, head.hash);
  const hash = hashEvent(content);
  await tx.insert(auditEvents).values({ ...content, hash });
  await tx.update(auditChainHead).set({ seq: content.seq, hash }).where(eq(auditChainHead.id, 'head'));
  return { seq: content.seq, id: content.id };
}

/** What an event's hash covers, for the event at `seq` following `prevHash`. */
function chainedContent(ctx: ServiceContext, input: AuditInput, seq: number, prevHash: string) {
  const actor = input.actor ?? actorOf(ctx);
  return {
    seq,
    id: randomUUID(),
    occurredAt: new Date(Math.floor((input.occurredAt ?? ctx.now()).getTime())),
    source: input.source ?? 'console',
    clusterId: input.clusterId ?? null,
    actorType: actor.type,
    actorId: actor.id,
    actorLabel: actor.label,
    tenantId: input.tenantId ?? null,
    action: input.action,
    resourceType: input.resourceType ?? null,
    resourceId: input.resourceId ?? null,
    outcome: input.outcome,
    clientAddress: input.clientAddress !== undefined ? input.clientAddress : ctx.client.address,
    userAgent: input.userAgent !== undefined ? input.userAgent : ctx.client.userAgent,
    // Round-trip through JSON so what is hashed is exactly what jsonb will give back.
    details: JSON.parse(JSON.stringify(input.details ?? {})) as Record<string, unknown>,
    prevHash,
  };
}

const CHUNK = 2_000;

/**
 * Appends many events under one chain-head lock (ingest of Kubernetes audit batches, the
 * benchmark): the same content and hashes as one appendAuditEvent call per event, but one
 * lock and one insert per chunk of rows, passed as a single JSON parameter.
 */
export async function appendAuditEvents(tx: Tx, ctx: ServiceContext, inputs: readonly AuditInput[]): Promise<{ firstSeq: number; lastSeq: number }> {
  const [head] = await tx.select().from(auditChainHead).where(eq(auditChainHead.id, 'head')).for('update');
  if (!head) throw new Error('audit chain head is missing: the database was not migrated');
  let seq = head.seq;
  let prevHash = head.hash;
  for (let i = 0; i < inputs.length; i += CHUNK) {
    const rows = inputs.slice(i, i + CHUNK).map((input) => {
      seq += 1;
      const content = chainedContent(ctx, input, seq, prevHash);
      const hash = hashEvent(content);
      prevHash = hash;
      return {
        seq: content.seq, id: content.id, occurred_at: content.occurredAt.toISOString(), source: content.source, cluster_id: content.clusterId,
        actor_type: content.actorType, actor_id: content.actorId, actor_label: content.actorLabel, tenant_id: content.tenantId, action: content.action,
        resource_type: content.resourceType, resource_id: content.resourceId, outcome: content.outcome, client_address: content.clientAddress,
        user_agent: content.userAgent, details: content.details, prev_hash: content.prevHash, hash,
      };
    });
    await tx.execute(sql`
      insert into audit_events (seq, id, occurred_at, source, cluster_id, actor_type, actor_id, actor_label, tenant_id, action, resource_type, resource_id, outcome, client_address, user_agent, details, prev_hash, hash)
      select seq, id, occurred_at, source, cluster_id, actor_type, actor_id, actor_label, tenant_id, action, resource_type, resource_id, outcome, client_address, user_agent, details, prev_hash, hash
      from jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) as x(seq bigint, id uuid, occurred_at timestamptz, source text, cluster_id uuid, actor_type text, actor_id text, actor_label text,
        tenant_id uuid, action text, resource_type text, resource_id text, outcome text, client_address text, user_agent text, details jsonb, prev_hash text, hash text)`);
  }
  if (seq !== head.seq) await tx.update(auditChainHead).set({ seq, hash: prevHash }).where(eq(auditChainHead.id, 'head'));
  return { firstSeq: head.seq + 1, lastSeq: seq };
}

function actorOf(ctx: ServiceContext): NonNullable<AuditInput['actor']> {
  const p = ctx.principal;
  if (p.kind === 'user') return { type: 'user', id: p.userId, label: p.email };
  if (p.kind === 'system') return { type: 'system', id: null, label: p.label };
  if (p.kind === 'agent') return { type: 'agent', id: p.agentId, label: p.label };
  return { type: 'anonymous', id: null, label: null };
}
