// Walks the stored chain in batches (never all in memory) from its start (genesis, or the
// signed anchor retention left) to the head, checks every signed checkpoint it passes and
// that none lies beyond the stored end, and reports the first break. Verification is audited.
import { asc, eq, gt } from 'drizzle-orm';
import type { Tx } from '@/db/client';
import { auditChainHead, auditEvents } from '@/db/schema';
import { type ChainBreak, createChainVerifier } from '@/server/domain/audit/verify-chain';
import { appendAuditEvent } from './append-event';
import { loadCheckpoints } from './checkpoints';
import { authorize } from '../authorize';
import type { ServiceContext } from '../context';
import { inScope } from '../scope';

export type ChainReport =
  | { ok: true; checked: number; headSeq: number; startSeq?: number; checkpoints?: number }
  | { ok: false; checked: number; headSeq: number; firstBreak: ChainBreak };

const BATCH = 2_000;

export async function walkChain(tx: Tx): Promise<ChainReport> {
  // REPEATABLE READ is not needed: the head is read first and only events up to it are checked.
  const [head] = await tx.select().from(auditChainHead).where(eq(auditChainHead.id, 'head'));
  const cps = await loadCheckpoints(tx);
  if (cps.badSignature) {
    const c = cps.badSignature;
    return { ok: false, checked: 0, headSeq: head!.seq, firstBreak: { seq: c.seq, kind: 'bad-signature', message: `the ${c.kind} checkpoint of event ${c.seq} is not signed by the console's checkpoint key` } };
  }
  const start = cps.anchor ? { seq: cps.anchor.seq, hash: cps.anchor.hash } : undefined;
  const verifier = createChainVerifier({ start, checkpoints: cps.heads.filter((c) => c.seq > (start?.seq ?? 0)) });
  let after = start?.seq ?? 0;
  for (;;) {
    const batch = await tx.select().from(auditEvents).where(gt(auditEvents.seq, after)).orderBy(asc(auditEvents.seq)).limit(BATCH);
    for (const event of batch) {
      if (event.seq > head!.seq) break;
      const broken = verifier.push(event);
      if (broken) return { ok: false, checked: verifier.checked, headSeq: head!.seq, firstBreak: broken };
    }
    if (batch.length < BATCH) break;
    after = batch[batch.length - 1]!.seq;
  }
  const tail = verifier.finish(head!);
  if (tail) return { ok: false, checked: verifier.checked, headSeq: head!.seq, firstBreak: tail };
  return start || cps.heads.length
    ? { ok: true, checked: verifier.checked, headSeq: head!.seq, startSeq: (start?.seq ?? 0) + 1, checkpoints: cps.heads.length }
    : { ok: true, checked: verifier.checked, headSeq: head!.seq };
}

export async function verifyAuditChain(ctx: ServiceContext): Promise<ChainReport> {
  authorize(ctx, 'audit:verify');
  const report = await inScope(ctx, (tx) => walkChain(tx));
  await inScope(ctx, (tx) =>
    appendAuditEvent(tx, ctx, {
      action: 'audit.chain_verified',
      outcome: report.ok ? 'success' : 'failure',
      resourceType: 'audit_chain',
      details: report.ok ? { checked: report.checked } : { checked: report.checked, firstBreak: report.firstBreak },
    }),
  );
  return report;
}
