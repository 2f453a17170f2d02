// The audit trail, newest first, a page at a time by keyset (seq), filtered on the server.
// Row-level security limits a tenant-scoped reader to their tenants' events.
import { and, desc, eq, ilike, lt, or, type SQL } from 'drizzle-orm';
import { auditEvents } from '@/db/schema';
import { authorize } from '../authorize';
import type { ServiceContext } from '../context';
import { inScope } from '../scope';

export interface ListEventsArgs {
  before?: number;
  limit: number;
  action?: string;
  outcome?: 'success' | 'failure' | 'denied';
  text?: string;
}

export async function listAuditEvents(ctx: ServiceContext, input: ListEventsArgs) {
  authorize(ctx, 'audit:read');
  const where: (SQL | undefined)[] = [
    input.before ? lt(auditEvents.seq, input.before) : undefined,
    input.action ? eq(auditEvents.action, input.action) : undefined,
    input.outcome ? eq(auditEvents.outcome, input.outcome) : undefined,
    input.text ? or(ilike(auditEvents.actorLabel, `%${escapeLike(input.text)}%`), ilike(auditEvents.action, `%${escapeLike(input.text)}%`)) : undefined,
  ];
  return inScope(ctx, async (tx) => {
    const rows = await tx
      .select()
      .from(auditEvents)
      .where(and(...where))
      .orderBy(desc(auditEvents.seq))
      .limit(input.limit + 1);
    const page = rows.slice(0, input.limit);
    return { events: page, nextBefore: rows.length > input.limit ? page[page.length - 1]!.seq : null };
  });
}

function escapeLike(s: string): string {
  return s.replace(/[\\%_]/g, (c) => `\\${c}`);
}
