// Signed checkpoints of the chain head, made with the console's Ed25519 checkpoint key (its
// own purpose, beside the command-signing key; the private half sealed with the console
// secret). The console server records one on an interval; retention and bundle exports
// record one before they act. Recording is itself an audit event, and the checkpoint then
// covers that event, so an idle chain gets no new checkpoints.
import { desc, eq, sql } from 'drizzle-orm';
import type { Tx } from '@/db/client';
import { auditChainHead, consoleKeys } from '@/db/schema';
import { auditCheckpoints } from '@/db/schema/hand-written/audit-search';
import { checkpointSignatureValid, type SignedCheckpoint, signCheckpoint } from '@/server/domain/audit/checkpoint';
import { consoleKey } from '../agents/console-signing-key';
import { appendAuditEvent } from './append-event';
import { rowsOf } from './audit-query';
import { authorize } from '../authorize';
import type { ServiceContext } from '../context';
import { inScope } from '../scope';

const PURPOSE = 'audit-checkpoint' as const;

export function checkpointKey(tx: Tx, now: Date) {
  return consoleKey(tx, now, PURPOSE);
}

/** The public half, for offline verification (null before the first checkpoint). */
export async function checkpointPublicKey(tx: Tx): Promise<string | null> {
  const [row] = await tx.select({ publicKey: consoleKeys.publicKey }).from(consoleKeys).where(eq(consoleKeys.purpose, PURPOSE));
  return row?.publicKey ?? null;
}

export function toSigned(r: typeof auditCheckpoints.$inferSelect): SignedCheckpoint {
  return { kind: r.kind, seq: Number(r.seq), hash: r.hash, signedAt: r.signedAt, publicKey: r.publicKey, signature: r.signature };
}

export async function insertCheckpoint(tx: Tx, now: Date, statement: { kind: 'head' | 'anchor'; seq: number; hash: string }, reason: string): Promise<SignedCheckpoint> {
  const key = await checkpointKey(tx, now);
  const signed = signCheckpoint({ ...statement, signedAt: new Date(Math.floor(now.getTime())) }, key.privateKey, key.publicKey);
  await tx.insert(auditCheckpoints).values({ ...signed, reason });
  return signed;
}

/** Inside a transaction: audits the checkpoint, then signs the head (which now includes that event). */
export async function recordCheckpointIn(tx: Tx, ctx: ServiceContext, reason: string): Promise<SignedCheckpoint> {
  const [last] = await tx.select().from(auditCheckpoints).where(eq(auditCheckpoints.kind, 'head')).orderBy(desc(auditCheckpoints.seq)).limit(1);
  // The writer's lock (table, then head), so checkpoints and appends take locks in one order.
  const [headBefore] = rowsOf(await tx.execute(sql`select seq, hash from verity_audit_lock_head(null)`));
  if (last && Number(last.seq) === Number(headBefore!.seq) && last.hash === String(headBefore!.hash)) return toSigned(last);
  await appendAuditEvent(tx, ctx, { action: 'audit.checkpoint_recorded', outcome: 'success', resourceType: 'audit_chain', details: { reason, previousCheckpointSeq: last ? Number(last.seq) : null } });
  const [head] = await tx.select().from(auditChainHead).where(eq(auditChainHead.id, 'head'));
  return insertCheckpoint(tx, ctx.now(), { kind: 'head', seq: head!.seq, hash: head!.hash }, reason);
}

/** Signs the current chain head unless the last checkpoint already covers it. */
export async function recordCheckpoint(ctx: ServiceContext, reason = 'interval'): Promise<SignedCheckpoint> {
  authorize(ctx, 'audit:verify');
  return inScope(ctx, (tx) => recordCheckpointIn(tx, ctx, reason));
}

export interface CheckpointState {
  publicKey: string | null;
  /** Where the stored chain starts (the last removed event), if retention ever ran. */
  anchor: SignedCheckpoint | null;
  heads: SignedCheckpoint[];
  /** Checkpoints whose signature does not hold under the stored key. */
  badSignature: SignedCheckpoint | null;
}

export async function loadCheckpoints(tx: Tx): Promise<CheckpointState> {
  const publicKey = await checkpointPublicKey(tx);
  const rows = (await tx.select().from(auditCheckpoints).orderBy(auditCheckpoints.seq)).map(toSigned);
  const bad = rows.find((c) => !publicKey || !checkpointSignatureValid(c, publicKey)) ?? null;
  const anchors = rows.filter((c) => c.kind === 'anchor');
  return { publicKey, anchor: anchors.at(-1) ?? null, heads: rows.filter((c) => c.kind === 'head'), badSignature: bad };
}

/** The smallest head checkpoint at or after seq: the signature that pins that event. */
export async function coveringCheckpoint(tx: Tx, seq: number): Promise<SignedCheckpoint | null> {
  const [row] = await tx.select().from(auditCheckpoints).where(sql`${auditCheckpoints.kind} = 'head' and ${auditCheckpoints.seq} >= ${seq}`).orderBy(auditCheckpoints.seq).limit(1);
  return row ? toSigned(row) : null;
}
