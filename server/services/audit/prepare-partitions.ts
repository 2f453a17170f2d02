// The audit log's month partitions for the coming weeks, made by the console's schedule
// before anyone writes there (the writer still makes any other month it needs on demand,
// e.g. for Kubernetes events forwarded late). Only the console itself (system) runs it.
import { sql } from 'drizzle-orm';
import { rowsOf } from './audit-query';
import type { ServiceContext } from '../context';
import { forbidden } from '../errors';
import { inScope } from '../scope';

const AHEAD_DAYS = 40;

export async function prepareAuditPartitions(ctx: ServiceContext): Promise<{ created: number }> {
  if (ctx.principal.kind !== 'system') throw forbidden('Only the console prepares audit partitions');
  const yesterday = new Date(ctx.now().getTime() - 86_400_000).toISOString().slice(0, 10);
  return inScope(ctx, async (tx) => {
    const [r] = rowsOf(await tx.execute(sql`select verity_audit_prepare_partitions(${yesterday}::date, ${AHEAD_DAYS}) as created`));
    return { created: Number(r?.created ?? 0) };
  });
}
