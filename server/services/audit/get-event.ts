// One event with its place in the chain: its hash recomputed, its link to the previous
// event (read through verity_audit_links, so a scoped reader can check it without seeing
// that event), and the signed checkpoint that pins it, if one does yet.
import { sql } from 'drizzle-orm';
import { checkpointSignatureValid } from '@/server/domain/audit/checkpoint';
import { GENESIS_HASH, hashEvent } from '@/server/domain/audit/hash-event';
import { type AuditEventRow, EVENT_COLUMNS, rowsOf, toEventRow, whereOf } from './audit-query';
import { checkpointPublicKey, coveringCheckpoint, loadCheckpoints } from './checkpoints';
import { namesFor } from './search-events';
import { authorize } from '../authorize';
import type { ServiceContext } from '../context';
import { notFound } from '../errors';
import { inScope } from '../scope';

export interface EventChainPosition {
  hashMatches: boolean;
  /** 'ok' when prev_hash is the previous event's hash (or the genesis/anchor hash before it). */
  link: 'ok' | 'broken' | 'unknown';
  checkpoint: { seq: number; signedAt: Date; signatureValid: boolean } | null;
  verified: boolean;
}

export async function getAuditEvent(ctx: ServiceContext, seq: number): Promise<{ event: AuditEventRow; chain: EventChainPosition; names: Awaited<ReturnType<typeof namesFor>> }> {
  authorize(ctx, 'audit:read');
  return inScope(ctx, async (tx) => {
    const [row] = rowsOf(await tx.execute(sql`select ${EVENT_COLUMNS} from audit_events_visible e where ${whereOf(ctx, {}, [sql`e.seq = ${seq}::bigint`])}`));
    // Another tenant's event, or none: the same answer.
    if (!row) throw notFound('Event');
    const event = toEventRow(row);
    const hashMatches = hashEvent(event) === event.hash;
    let link: EventChainPosition['link'] = 'unknown';
    if (event.seq === 1) link = event.prevHash === GENESIS_HASH ? 'ok' : 'broken';
    else {
      const [prev] = rowsOf(await tx.execute(sql`select * from verity_audit_links(${event.seq - 2}::bigint, ${event.seq - 1}::bigint, 1)`));
      if (prev) link = String(prev.hash) === event.prevHash ? 'ok' : 'broken';
      else {
        const { anchor } = await loadCheckpoints(tx);
        if (anchor && anchor.seq === event.seq - 1) link = anchor.hash === event.prevHash ? 'ok' : 'broken';
      }
    }
    const cover = await coveringCheckpoint(tx, event.seq);
    const key = await checkpointPublicKey(tx);
    const checkpoint = cover ? { seq: cover.seq, signedAt: cover.signedAt, signatureValid: key !== null && checkpointSignatureValid(cover, key) } : null;
    const chain = { hashMatches, link, checkpoint, verified: hashMatches && link === 'ok' && (checkpoint?.signatureValid ?? true) };
    return { event, chain, names: await namesFor(tx, [event]) };
  });
}
