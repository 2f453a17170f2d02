// Flow retention: days of flows (minutes and rollups) older than VERITY_FLOW_RETENTION_DAYS
// full UTC days before today are dropped as whole partitions (migration 0015), and the drop is
// recorded in the audit trail in the same transaction. Only the console itself runs it; with
// the variable unset, flows are kept for ever (as audit events are without theirs).
import { sql } from 'drizzle-orm';
import { appendAuditEvent } from '../audit/append-event';
import { rowsOf } from '../audit/audit-query';
import type { ServiceContext } from '../context';
import { forbidden } from '../errors';
import { inScope } from '../scope';
import { lockFlowMaintenance } from './flow-store';

export async function applyFlowRetention(ctx: ServiceContext, opts: { days: number }): Promise<{ before: string; partitionsDropped: number }> {
  if (ctx.principal.kind !== 'system') throw forbidden('Only the console applies flow retention');
  const now = ctx.now();
  // Today and the `days` full days before it are kept.
  const before = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() - opts.days)).toISOString().slice(0, 10);
  return inScope(ctx, async (tx) => {
    await lockFlowMaintenance(tx, 'exclusive');
    const [row] = rowsOf(await tx.execute(sql`select verity_drop_flow_days(${before}::date) as dropped`));
    const partitionsDropped = Number(row?.dropped ?? 0);
    if (partitionsDropped > 0) {
      await appendAuditEvent(tx, ctx, {
        action: 'flows.retention_applied',
        outcome: 'success',
        resourceType: 'flow_history',
        details: { before, retentionDays: opts.days, partitionsDropped },
      });
    }
    return { before, partitionsDropped };
  });
}
