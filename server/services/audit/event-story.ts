// Correlation: the rest of an event's story. A change request's story is exact, by id: its
// own events (resource change_request/<id>), everything naming it in details.changeId (the
// bundle, the agent's command result), and the Kubernetes audit events whose Audit-Id the
// agent recorded for each object it applied. An event outside any change is told with the
// other events on the same resource (or the same Kubernetes request).
import { sql, type SQL } from 'drizzle-orm';
import type { Tx } from '@/db/client';
import { AUDIT_TERMS, type AuditEventRow, EVENT_COLUMNS, rowsOf, toEventRow, whereOf } from './audit-query';
import { namesFor } from './search-events';
import { authorize } from '../authorize';
import type { ServiceContext } from '../context';
import { notFound } from '../errors';
import { inScope } from '../scope';

const MAX_STORY = 500;

export type StoryKey = { seq: number } | { changeId: string };

export interface Story {
  kind: 'change' | 'resource' | 'request' | 'single';
  /** The change id, resource, or Kubernetes Audit-Id the story is about. */
  subject: string;
  events: AuditEventRow[];
  truncated: boolean;
  names: Awaited<ReturnType<typeof namesFor>>;
}

/** The change an event belongs to, if it says so. */
export function changeIdOf(e: Pick<AuditEventRow, 'resourceType' | 'resourceId' | 'details'>): string | null {
  if (e.resourceType === 'change_request' && e.resourceId) return e.resourceId;
  const id = e.details.changeId;
  return typeof id === 'string' && id ? id : null;
}

/**
 * Kubernetes events by Audit-Id, exactly. The ids are found through the search vector (an
 * Audit-Id's words are a phrase in it, so the full-text index narrows the candidates) and
 * then compared whole; an id with no words at all is compared whole only.
 */
async function byAuditIds(tx: Tx, ids: string[]): Promise<SQL> {
  const list = `{${ids.map((a) => `"${a.replace(/["\\]/g, '')}"`).join(',')}}`;
  const exact = sql`e.source = 'kubernetes' and e.details ->> 'auditID' = any(${list}::text[])`;
  const [r] = rowsOf(await tx.execute(sql`select bool_and(numnode(phraseto_tsquery('simple', x)) > 0) as words from unnest(${list}::text[]) x`));
  if (!r?.words) return exact;
  const phrases = sql.join(ids.map((a) => sql`phraseto_tsquery('simple', ${a})`), sql` || `);
  return sql`${exact} and ${AUDIT_TERMS} @@ (${phrases})`;
}

export async function auditStory(ctx: ServiceContext, key: StoryKey): Promise<Story> {
  authorize(ctx, 'audit:read');
  return inScope(ctx, async (tx) => {
    const select = async (cond: SQL) =>
      rowsOf(await tx.execute(sql`select ${EVENT_COLUMNS} from audit_events_visible e where ${whereOf(ctx, {}, [cond])} order by e.seq limit ${MAX_STORY + 1}`)).map(toEventRow);
    let changeId: string | null = 'changeId' in key ? key.changeId : null;
    let origin: AuditEventRow | null = null;
    if ('seq' in key) {
      origin = (await select(sql`e.seq = ${key.seq}::bigint`))[0] ?? null;
      if (!origin) throw notFound('Event');
      changeId = changeIdOf(origin);
      // A Kubernetes event caused by an apply: find the command result that recorded its Audit-Id.
      const auditID = origin.source === 'kubernetes' ? origin.details.auditID : undefined;
      if (!changeId && typeof auditID === 'string') {
        const [result] = await select(sql`e.action = 'agent.command_result' and e.details @> ${JSON.stringify({ results: [{ auditId: auditID }] })}::jsonb`);
        if (result) changeId = changeIdOf(result);
      }
    }
    let kind: Story['kind'];
    let subject: string;
    let events: AuditEventRow[];
    if (changeId) {
      kind = 'change';
      subject = changeId;
      const own = await select(sql`((e.resource_type = 'change_request' and e.resource_id = ${changeId}) or (e.details ? 'changeId' and e.details ->> 'changeId' = ${changeId}))`);
      const auditIds = [
        ...new Set(
          own.flatMap((e) =>
            e.action === 'agent.command_result' && Array.isArray(e.details.results)
              ? (e.details.results as { auditId?: unknown }[]).flatMap((r) => (typeof r.auditId === 'string' ? [r.auditId] : []))
              : [],
          ),
        ),
      ];
      const kube = auditIds.length ? await select(await byAuditIds(tx, auditIds)) : [];
      events = [...own, ...kube].sort((a, b) => a.seq - b.seq);
    } else if (origin?.source === 'kubernetes' && typeof origin.details.auditID === 'string') {
      kind = 'request';
      subject = origin.details.auditID;
      events = await select(await byAuditIds(tx, [subject]));
    } else if (origin?.resourceType && origin.resourceId) {
      kind = 'resource';
      subject = `${origin.resourceType} ${origin.resourceId}`;
      events = await select(sql`e.resource_type = ${origin.resourceType} and e.resource_id = ${origin.resourceId}`);
    } else {
      if (!origin) throw notFound('Change');
      kind = 'single';
      subject = origin.action;
      events = [origin];
    }
    if (events.length === 0) throw notFound('Change');
    const truncated = events.length > MAX_STORY;
    events = events.slice(0, MAX_STORY);
    return { kind, subject, events, truncated, names: await namesFor(tx, events) };
  });
}
