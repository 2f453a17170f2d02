// The one audit writer. Called inside the transaction of the change it records, it takes
// the chain-head lock, links the events to the previous one and advances the head, so the
// change and its record commit together or not at all, in one total order. One event or a
// batch go the same way: content built the same, hashed in order in this process, and
// inserted as one statement per chunk (one JSON parameter), under one lock.
import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import type { Tx } from '@/db/client';
import { CHAINED_FIELDS, type ChainedContent, columnOf, hashEvent } from '@/server/domain/audit/hash-event';
import { rowsOf } from './audit-query';
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

/** The chain head as a reader saw it: an append that links to it can skip a round trip. */
export interface ChainHead {
  seq: number;
  hash: string;
}

/**
 * `head`, when given, is the chain head the caller read earlier in this transaction (a search
 * reads it with its page): the event is hashed against it before the lock and written in one
 * statement; if another writer moved the head meanwhile it is hashed again under the lock.
 */
export async function appendAuditEvent(tx: Tx, ctx: ServiceContext, input: AuditInput, head?: ChainHead): Promise<{ seq: number; id: string }> {
  const r = await writeChained(tx, ctx, [input], head);
  return { seq: r.firstSeq, id: r.ids[0]! };
}

/**
 * Appends many events under one chain-head lock (ingest of Kubernetes audit batches, the
 * benchmark): the same content and hashes as one appendAuditEvent call per event.
 */
export async function appendAuditEvents(tx: Tx, ctx: ServiceContext, inputs: readonly AuditInput[]): Promise<{ firstSeq: number; lastSeq: number }> {
  const { firstSeq, lastSeq } = await writeChained(tx, ctx, inputs);
  return { firstSeq, lastSeq };
}

type Unlinked = Omit<ChainedContent, 'seq' | 'prevHash'>;

/** What an event's hash covers, apart from its place in the chain. */
function content(ctx: ServiceContext, input: AuditInput): Unlinked {
  const actor = input.actor ?? actorOf(ctx);
  return {
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
  };
}

const CHUNK = 2_000;
const FIRST_CHUNK = 250;
const COLUMNS = [...CHAINED_FIELDS, 'hash' as const].map(columnOf).join(', ');
// Named once: building each row's keys with columnOf's regex cost more than hashing it.
const FIELD_COLUMNS = CHAINED_FIELDS.map((f) => [f, columnOf(f)] as const);

/** Links prepared events to the chain after `head`: the rows to insert, the new head. */
function link(prepared: readonly Unlinked[], head: ChainHead): { rows: Record<string, unknown>[]; last: ChainHead } {
  let seq = head.seq;
  let prevHash = head.hash;
  const rows: Record<string, unknown>[] = [];
  for (const c of prepared) {
    seq += 1;
    const linked: ChainedContent = { ...c, seq, prevHash };
    const hash = hashEvent(linked);
    const row: Record<string, unknown> = { hash };
    for (const [f, column] of FIELD_COLUMNS) row[column] = linked[f];
    rows.push(row);
    prevHash = hash;
  }
  return { rows, last: { seq, hash: prevHash } };
}

async function writeChained(tx: Tx, ctx: ServiceContext, inputs: readonly AuditInput[], expected?: ChainHead): Promise<{ firstSeq: number; lastSeq: number; ids: string[] }> {
  // Everything that does not depend on the chain is built before the lock is taken.
  const prepared = inputs.map((input) => content(ctx, input));
  if (prepared.length === 0) {
    const [head] = rowsOf(await tx.execute(sql`select seq from audit_chain_head where id = 'head'`));
    return { firstSeq: Number(head?.seq ?? 0) + 1, lastSeq: Number(head?.seq ?? 0), ids: [] };
  }
  // The UTC days the batch falls in: the writer creates a day's partition if it has none yet.
  const days = `{${[...new Set(prepared.map((c) => c.occurredAt.toISOString().slice(0, 10)))].join(',')}}`;
  let head: Record<string, unknown> | undefined;
  if (expected && prepared.length <= CHUNK) {
    // Hashed against the head the caller saw; one statement locks, checks and writes.
    const { rows, last } = link(prepared, expected);
    [head] = rowsOf(
      await tx.execute(
        sql`select seq, hash, appended from verity_audit_append(${expected.seq}::bigint, ${expected.hash}, ${days}::date[], ${JSON.stringify(rows)}::json, ${last.seq}::bigint, ${last.hash})`,
      ),
    );
    if (!head) throw new Error('audit chain head is missing: the database was not migrated');
    if (head.appended === true || head.appended === 't') return { firstSeq: expected.seq + 1, lastSeq: last.seq, ids: prepared.map((c) => c.id) };
    // Another writer came first: the lock is now ours and the head is the current one.
  } else {
    [head] = rowsOf(await tx.execute(sql`select seq, hash from verity_audit_lock_head(${days}::date[])`));
  }
  if (!head) throw new Error('audit chain head is missing: the database was not migrated');
  const firstSeq = Number(head.seq) + 1;
  let seq = Number(head.seq);
  let prevHash = String(head.hash);
  let pending: Promise<unknown> | null = null;
  // The first chunk is small: the database has nothing to do until it arrives, and the
  // other chunks are hashed while the one before is written.
  for (let i = 0, size = Math.min(FIRST_CHUNK, CHUNK); i < prepared.length; i += size, size = CHUNK) {
    const { rows, last } = link(prepared.slice(i, i + size), { seq, hash: prevHash });
    seq = last.seq;
    prevHash = last.hash;
    // One statement per chunk inserts the rows and moves the head to the chunk's last event.
    // The next chunk is hashed while this one is written; they stay in order on the connection.
    if (pending) await pending;
    // (drizzle's query runs each time it is awaited: wrapped once in a real promise.)
    pending = Promise.resolve(tx.execute(sql`
      with inserted as (
        insert into audit_events (${sql.raw(COLUMNS)})
        select ${sql.raw(COLUMNS)} from json_populate_recordset(null::audit_events, ${JSON.stringify(rows)}::json)
        )
      update audit_chain_head set seq = ${seq}::bigint, hash = ${prevHash} where id = 'head'`));
    // Awaited below; marked handled now so a failure while the next chunk hashes is not "unhandled".
    pending.catch(() => {});
    if (i + size < prepared.length) await new Promise<void>((resolve) => setImmediate(resolve));
  }
  await pending;
  return { firstSeq, lastSeq: seq, ids: prepared.map((c) => c.id) };
}

function actorOf(ctx: ServiceContext): NonNullable<AuditInput['actor']> {
  const p = ctx.principal;
  if (p.kind === 'user') return { type: 'user', id: p.userId, label: p.email };
  if (p.kind === 'system') return { type: 'system', id: null, label: p.label };
  if (p.kind === 'agent') return { type: 'agent', id: p.agentId, label: p.label };
  return { type: 'anonymous', id: null, label: null };
}
