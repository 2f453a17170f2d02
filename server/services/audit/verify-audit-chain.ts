// Walks the whole stored chain in batches (never all in memory) and reports the first
// broken link, or how many events were checked. Verification itself is audited.
import { asc, eq, gt } from 'drizzle-orm';
import type { Tx } from '@/db/client';
import { auditChainHead, auditEvents } from '@/db/schema';
import { type ChainBreak, createChainVerifier } from '@/server/domain/audit/verify-chain';
import { appendAuditEvent } from './append-event';
import { authorize } from '../authorize';
import type { ServiceContext } from '../context';
import { inScope } from '../scope';

export type ChainReport = { ok: true; checked: number; headSeq: number } | { ok: false; checked: number; headSeq: number; firstBreak: ChainBreak };

const BATCH = 2_000;

export async function walkChain(tx: Tx): Promise<ChainReport> {
  // REPEATABLE READ is not needed: the head is read first and only events up to it are checked.
  const [head] = await tx.select().from(auditChainHead).where(eq(auditChainHead.id, 'head'));
  const verifier = createChainVerifier();
  let after = 0;
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
  return tail ? { ok: false, checked: verifier.checked, headSeq: head!.seq, firstBreak: tail } : { ok: true, checked: verifier.checked, headSeq: head!.seq };
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
