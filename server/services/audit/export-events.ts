// Export of any search, streamed: NDJSON, CSV, or a verifiable bundle (see
// server/domain/audit/bundle.ts). Rows are read in keyset batches, each in its own short
// transaction, and yielded as text, so a million events never sit in memory. The export is
// audited (and, for a bundle, a checkpoint signed) before the first byte.
import { sql } from 'drizzle-orm';
import { type AuditFilters } from '@/server/domain/audit/audit-filters';
import { BUNDLE_FORMAT, type BundleHeader } from '@/server/domain/audit/bundle';
import { CSV_COLUMNS, csvRow } from '@/server/domain/audit/csv';
import { appendAuditEvent } from './append-event';
import { type AuditEventRow, EVENT_COLUMNS, rowsOf, toEventRow, whereOf } from './audit-query';
import { loadCheckpoints, recordCheckpointIn } from './checkpoints';
import { authorize } from '../authorize';
import type { ServiceContext } from '../context';
import { inScope } from '../scope';

export type ExportFormat = 'ndjson' | 'csv' | 'bundle';
const BATCH = 1_000;

export function serializeEvent(e: AuditEventRow) {
  return { ...e, occurredAt: e.occurredAt.toISOString() };
}

/** Starts an export: checks, audits, and returns the stream of text chunks. */
export async function exportAuditEvents(ctx: ServiceContext, filters: AuditFilters, format: ExportFormat): Promise<AsyncGenerator<string>> {
  authorize(ctx, 'audit:read');
  // Validates the filters (a bad time is a 400 before anything streams).
  whereOf(ctx, filters);
  const checkpoint = await inScope(ctx, async (tx) => {
    await appendAuditEvent(tx, ctx, { action: 'audit.exported', outcome: 'success', resourceType: 'audit_trail', details: { format, filters } });
    return format === 'bundle' ? recordCheckpointIn(tx, ctx, 'export') : null;
  });
  if (format === 'bundle') return bundleStream(ctx, filters, checkpoint!.seq);
  return format === 'csv' ? csvStream(ctx, filters) : ndjsonStream(ctx, filters);
}

async function* byTime(ctx: ServiceContext, filters: AuditFilters): AsyncGenerator<AuditEventRow[]> {
  let cursor: { at: Date; seq: number } | null = null;
  for (;;) {
    const keyset: ReturnType<typeof sql>[] = cursor ? [sql`(e.occurred_at, e.seq) < (${cursor.at.toISOString()}::timestamptz, ${cursor.seq}::bigint)`] : [];
    const rows: AuditEventRow[] = await inScope(ctx, async (tx): Promise<AuditEventRow[]> =>
      rowsOf(await tx.execute(sql`select ${EVENT_COLUMNS} from audit_events_visible e where ${whereOf(ctx, filters, keyset)} order by e.occurred_at desc, e.seq desc limit ${BATCH}`)).map(toEventRow),
    );
    if (rows.length) yield rows;
    if (rows.length < BATCH) return;
    const last: AuditEventRow = rows[rows.length - 1]!;
    cursor = { at: last.occurredAt, seq: last.seq };
  }
}

async function* ndjsonStream(ctx: ServiceContext, filters: AuditFilters): AsyncGenerator<string> {
  for await (const rows of byTime(ctx, filters)) yield rows.map((e) => `${JSON.stringify(serializeEvent(e))}\n`).join('');
}

async function* csvStream(ctx: ServiceContext, filters: AuditFilters): AsyncGenerator<string> {
  yield csvRow(CSV_COLUMNS);
  for await (const rows of byTime(ctx, filters)) {
    yield rows
      .map((e) =>
        csvRow([e.seq, e.occurredAt.toISOString(), e.source, e.clusterId, e.tenantId, e.actorType, e.actorLabel ?? e.actorId, e.action, e.resourceType, e.resourceId, e.outcome, e.clientAddress, e.userAgent, e.details, e.hash, e.prevHash]),
      )
      .join('');
  }
}

// The bundle walks seq order from the first matching event to the checkpoint: matching
// events in full, every other seq as its link only (hashes, read through verity_audit_links).
async function* bundleStream(ctx: ServiceContext, filters: AuditFilters, throughSeq: number): AsyncGenerator<string> {
  const { first, checkpoints, publicKey } = await inScope(ctx, async (tx) => {
    const [r] = rowsOf(await tx.execute(sql`select min(e.seq) as first from audit_events_visible e where ${whereOf(ctx, filters, [sql`e.seq <= ${throughSeq}::bigint`])}`));
    const cps = await loadCheckpoints(tx);
    return { first: r?.first == null ? throughSeq : Number(r.first), checkpoints: cps.heads, publicKey: cps.publicKey! };
  });
  const header: BundleHeader = {
    type: 'header',
    format: BUNDLE_FORMAT,
    version: 1,
    exportedAt: ctx.now().toISOString(),
    filters,
    publicKey,
    fromSeq: first,
    throughSeq,
    checkpoints: checkpoints.filter((c) => c.seq >= first && c.seq <= throughSeq).map((c) => ({ ...c, signedAt: c.signedAt.toISOString() })),
  };
  yield `${JSON.stringify(header)}\n`;
  let after = first - 1;
  let events = 0;
  let links = 0;
  while (after < throughSeq) {
    const upto = Math.min(after + BATCH, throughSeq);
    const { linkRows, full } = await inScope(ctx, async (tx) => ({
      linkRows: rowsOf(await tx.execute(sql`select seq, prev_hash, hash from verity_audit_links(${after}::bigint, ${upto}::bigint, ${BATCH})`)),
      full: rowsOf(await tx.execute(sql`select ${EVENT_COLUMNS} from audit_events_visible e where ${whereOf(ctx, filters, [sql`e.seq > ${after}::bigint and e.seq <= ${upto}::bigint`])} order by e.seq`)).map(toEventRow),
    }));
    const bySeq = new Map(full.map((e) => [e.seq, e]));
    let chunk = '';
    for (const l of linkRows) {
      const seq = Number(l.seq);
      const e = bySeq.get(seq);
      if (e) {
        chunk += `${JSON.stringify({ type: 'event', event: serializeEvent(e) })}\n`;
        events += 1;
      } else {
        chunk += `${JSON.stringify({ type: 'link', seq, prevHash: String(l.prev_hash), hash: String(l.hash) })}\n`;
        links += 1;
      }
    }
    yield chunk;
    if (linkRows.length === 0) break; // a gap the verifier will name
    after = Number(linkRows[linkRows.length - 1]!.seq);
  }
  yield `${JSON.stringify({ type: 'end', events, links })}\n`;
}
