// Retention: removes events older than a cut-off, in a controlled and audited way. In one
// transaction, under the chain-head lock: sign a checkpoint of the head, sign an anchor for
// the last event to be removed, remove through it (verity_audit_remove_through refuses
// without that anchor; the append-only triggers refuse everything else), record the removal.
// The verifier then starts from the anchor. Day partitions wholly below the anchor are
// dropped, not emptied row by row. Only the console itself (system) may run it.
import { sql } from 'drizzle-orm';
import { appendAuditEvent } from './append-event';
import { rowsOf } from './audit-query';
import { insertCheckpoint, loadCheckpoints, recordCheckpointIn } from './checkpoints';
import type { ServiceContext } from '../context';
import { forbidden } from '../errors';
import { inScope } from '../scope';

export interface RetentionResult {
  removed: number;
  /** The last removed seq (the new anchor), or null when nothing was old enough. */
  throughSeq: number | null;
}

export async function applyAuditRetention(ctx: ServiceContext, opts: { olderThan: Date }): Promise<RetentionResult> {
  if (ctx.principal.kind !== 'system') throw forbidden('Only the console applies audit retention');
  return inScope(ctx, async (tx) => {
    // The whole table first, then the head (the writers' lock order): whole day partitions
    // may be dropped below, and that must not wait for a reader that waits for the head.
    await tx.execute(sql`select verity_audit_lock_for_retention()`);
    // Taking the checkpoint first also takes the chain-head lock for the whole transaction.
    const head = await recordCheckpointIn(tx, ctx, 'retention');
    const { anchor } = await loadCheckpoints(tx);
    // Keep everything from the first event at or after the cut-off (events are in seq order,
    // not strictly in time order: a late Kubernetes event must not take newer ones with it).
    const [r] = rowsOf(await tx.execute(sql`select min(seq) as first_kept from audit_events where occurred_at >= ${opts.olderThan.toISOString()}::timestamptz`));
    const through = r?.first_kept == null ? head.seq : Number(r.first_kept) - 1;
    if (through <= (anchor?.seq ?? 0)) return { removed: 0, throughSeq: null };
    const [last] = rowsOf(await tx.execute(sql`select hash from audit_events where seq = ${through}::bigint`));
    if (!last) throw new Error(`audit event ${through} is missing: verify the chain before applying retention`);
    await insertCheckpoint(tx, ctx.now(), { kind: 'anchor', seq: through, hash: String(last.hash) }, 'retention');
    const [res] = rowsOf(await tx.execute(sql`select verity_audit_remove_through(${through}::bigint) as removed`));
    const removed = Number(res?.removed ?? 0);
    await appendAuditEvent(tx, ctx, {
      action: 'audit.retention_applied',
      outcome: 'success',
      resourceType: 'audit_chain',
      details: { olderThan: opts.olderThan.toISOString(), removedThroughSeq: through, removed, headCheckpointSeq: head.seq },
    });
    return { removed, throughSeq: through };
  });
}
