// Searching the audit trail on the server: one page of the timeline (newest first, keyset on
// (occurred_at, seq) so page 1,000 costs what page 1 does), facet counts, and the live tail.
// A first-page search is itself audited; following pages, facets and tail polls are not
// (they are the same search continuing).
import { type SQL, sql } from 'drizzle-orm';
import type { Tx } from '@/db/client';
import { type AuditFilters, decodeCursor, encodeCursor, type Facet, NONE } from '@/server/domain/audit/audit-filters';
import { appendAuditEvent } from './append-event';
import { type AuditEventRow, EVENT_COLUMNS, filterConditions, rowsOf, scopeCondition, searchedTenants, toEventRow, whereOf, wordSearch } from './audit-query';
import { authorize } from '../authorize';
import type { ServiceContext } from '../context';
import { badInput } from '../errors';
import { inScope } from '../scope';

export interface SearchArgs {
  filters: AuditFilters;
  cursor?: string | null;
  limit: number;
}

export interface SearchPage {
  events: AuditEventRow[];
  nextCursor: string | null;
  /** The highest seq this caller could see when the page was read: where the live tail starts. */
  tailFrom: number;
  names: { tenants: Record<string, string>; clusters: Record<string, string> };
}

/**
 * How many of the newest events under the other filters a word search tests one by one
 * before it looks further (olderMatches). Common words fill a page from the first few hundred
 * events that way, where the index would hand over every match in the month (tens of
 * thousands) to be sorted; for rarer words the window says how dense they are.
 */
export const WORD_WINDOW = 1_000;
/** How far a tenant's words are walked past the first window before the index is asked. */
export const WORD_WINDOW_MAX = 20_000;

export async function searchAuditEvents(ctx: ServiceContext, args: SearchArgs): Promise<SearchPage> {
  authorize(ctx, 'audit:read');
  const cursor = args.cursor ? decodeCursor(args.cursor) : null;
  if (args.cursor && !cursor) throw badInput('cursor', 'The page cursor is not valid');
  const keyset = cursor ? [sql`(e.occurred_at, e.seq) < (${cursor.at.toISOString()}::timestamptz, ${cursor.seq}::bigint)`] : [];
  const others = sql.join([scopeCondition(ctx), ...filterConditions(args.filters, ctx.now()), ...keyset], sql` and `);
  const { conditions: words, byTenant } = wordSearch(ctx, args.filters);
  // Without words the page is the newest events under the filters; with words, the newest
  // WORD_WINDOW of those are read and the page is the ones the words match. A page of one
  // tenant (or of no tenant) is found by its keys first: the tenant index carries the facet
  // columns (migration 0017), so the walk tests the facets without reading the events it
  // passes over, and only the page's events are read whole.
  const keysFirst = searchedTenants(ctx, args.filters)?.length === 1;
  const window = words.length
    ? windowOf(others, words, args.limit + 1, WORD_WINDOW)
    : sql`page as materialized (${keysFirst ? newestByKeys(others, args.limit + 1) : sql`select ${EVENT_COLUMNS} from audit_events_visible e where ${others} order by e.occurred_at desc, e.seq desc limit ${args.limit + 1}`}),
        edge as (select null::bigint as window_rows, null::bigint as edge_ms, null::bigint as edge_seq)`;
  return inScope(ctx, async (tx) => {
    // One statement reads the page, the chain head (where the live tail starts, and what the
    // audit.searched event links to) and the names of the page's tenants and clusters, all
    // from one snapshot. The head row comes back even when nothing matches.
    const raw = rowsOf(
      await tx.execute(sql`
        with ${window}
        select p.*, h.seq as head_seq, h.hash as head_hash, t.name as tenant_name, c.name as cluster_name, w.window_rows, w.edge_ms, w.edge_seq
        from audit_chain_head h
        cross join edge w
        left join page p on true
        left join tenants t on t.id = p.tenant_id
        left join clusters c on c.id = p.cluster_id
        where h.id = 'head'
        order by p.occurred_ms desc, p.seq desc`),
    );
    const head = { seq: Number(raw[0]?.head_seq ?? 0), hash: String(raw[0]?.head_hash ?? '') };
    const matched = raw.filter((r) => r.seq !== null && r.seq !== undefined);
    const rows = matched.map(toEventRow);
    const names: SearchPage['names'] = { tenants: {}, clusters: {} };
    for (const r of matched.slice(0, args.limit)) {
      if (r.tenant_name !== null && r.tenant_name !== undefined) names.tenants[String(r.tenant_id)] = String(r.tenant_name);
      if (r.cluster_name !== null && r.cluster_name !== undefined) names.clusters[String(r.cluster_id)] = String(r.cluster_name);
    }
    if (words.length && rows.length <= args.limit) {
      // The window did not fill a page. The rest is older than the window and no newer than
      // the head read above, so the page is what one snapshot holds.
      const older = await olderMatches(tx, { others, words, byTenant, head: head.seq, need: args.limit + 1 - rows.length }, raw[0]!, rows.length);
      rows.push(...older);
      const more = await namesFor(tx, older.slice(0, Math.max(0, args.limit - matched.length)));
      Object.assign(names.tenants, more.tenants);
      Object.assign(names.clusters, more.clusters);
    }
    const page = rows.slice(0, args.limit);
    if (!args.cursor) {
      await appendAuditEvent(tx, ctx, { action: 'audit.searched', outcome: 'success', resourceType: 'audit_trail', details: { filters: args.filters } }, raw[0] ? head : undefined);
    }
    return { events: page, nextCursor: rows.length > args.limit ? encodeCursor(page[page.length - 1]!) : null, tailFrom: head.seq, names };
  });
}

/**
 * The newest `size` events under `others`, tested against the words: `page` holds the first
 * `take` that match, `edge` how many events the window held and its oldest key.
 */
function windowOf(others: SQL, words: SQL[], take: number, size: number): SQL {
  return sql`win as materialized (select ${EVENT_COLUMNS}, ${sql.join(words, sql` and `)} as hit
          from audit_events_visible e where ${others} order by e.occurred_at desc, e.seq desc limit ${size}),
        page as materialized (select * from win where hit order by occurred_ms desc, seq desc limit ${take}),
        edge as (select (select count(*) from win) as window_rows, o.occurred_ms as edge_ms, o.seq as edge_seq
          from (select 1) one left join (select occurred_ms, seq from win order by occurred_ms, seq limit 1) o on true)`;
}

/** The newest `take` events under `others`: their keys from the indexes, then the events. */
function newestByKeys(others: SQL, take: number): SQL {
  return sql`select ${EVENT_COLUMNS}
    from (select e.seq as key_seq, e.occurred_at as key_at from audit_events_visible e where ${others} order by e.occurred_at desc, e.seq desc limit ${take}) k
    join audit_events_visible e on e.seq = k.key_seq and e.occurred_at = k.key_at
    order by e.occurred_at desc, e.seq desc`;
}

/** A window's edge as read back: rows held, oldest key. */
type Edge = Record<string, unknown>;

interface Beyond {
  others: SQL;
  words: SQL[];
  byTenant: boolean;
  head: number;
  need: number;
}

/**
 * The `need` newest matches older than a window that did not fill the page (none if the window
 * held the whole range). Where the tenant lexemes are in the words (a tenant admin, or the
 * tenant facet), the matches the window held say how dense the words are in the tenant's
 * events: the walk goes on from the edge as far as that density says a page needs (at most
 * WORD_WINDOW_MAX events), and what is still missing comes from the index, which intersects
 * words and tenants and hands over only the tenant's matches, all of them (no order or limit
 * inside, or the planner would walk the tenant's events newest first testing each: it
 * multiplies the words' frequency by the tenant's, so words absent from the tenant look
 * common, and the walk reads every event of the tenant in the range). Without tenant lexemes
 * (an auditor) the newest events need not be a fair sample of the range (a burst of the
 * console's own events can fill the window), and handing over every match of a common word
 * costs seconds, so the planner, which knows each word's frequency in the log, chooses between
 * walking on from the edge and asking the index.
 */
async function olderMatches(tx: Tx, q: Beyond, edge: Edge, found: number): Promise<AuditEventRow[]> {
  let held = Number(edge.window_rows);
  if (held < WORD_WINDOW) return [];
  const olderThan = (e: Edge) =>
    sql`${q.others} and (e.occurred_at, e.seq) < (${new Date(Number(e.edge_ms)).toISOString()}::timestamptz, ${Number(e.edge_seq)}::bigint) and e.seq <= ${q.head}::bigint`;
  const words = sql.join(q.words, sql` and `);
  if (!q.byTenant) {
    return rowsOf(await tx.execute(sql`select ${EVENT_COLUMNS} from audit_events_visible e where ${olderThan(edge)} and ${words} order by e.occurred_at desc, e.seq desc limit ${q.need}`)).map(toEventRow);
  }
  const out: AuditEventRow[] = [];
  if (found > 0) {
    const size = Math.min(WORD_WINDOW_MAX, Math.ceil(((q.need * held) / found) * 2));
    const raw = rowsOf(await tx.execute(sql`with ${windowOf(olderThan(edge), q.words, q.need, size)} select p.*, w.window_rows, w.edge_ms, w.edge_seq from edge w left join page p on true order by p.occurred_ms desc, p.seq desc`));
    out.push(...raw.filter((r) => r.seq !== null && r.seq !== undefined).map(toEventRow));
    held = Number(raw[0]!.window_rows);
    edge = raw[0]!;
    if (out.length >= q.need || held < size) return out;
  }
  const rest = rowsOf(
    await tx.execute(sql`with m as materialized (select ${EVENT_COLUMNS} from audit_events_visible e where ${olderThan(edge)} and ${words})
      select * from m order by occurred_ms desc, seq desc limit ${q.need - out.length}`),
  ).map(toEventRow);
  return [...out, ...rest];
}

async function headSeq(tx: Tx): Promise<number> {
  const [r] = rowsOf(await tx.execute(sql`select seq from audit_chain_head where id = 'head'`));
  return Number(r?.seq ?? 0);
}

export interface TailArgs {
  filters: AuditFilters;
  afterSeq: number;
  limit: number;
}

/** Events appended after `afterSeq` that match, newest first (the live tail polls this). */
export async function tailAuditEvents(ctx: ServiceContext, args: TailArgs): Promise<{ events: AuditEventRow[]; tailFrom: number; more: boolean; names: SearchPage['names'] }> {
  authorize(ctx, 'audit:read');
  const where = whereOf(ctx, args.filters, [sql`e.seq > ${args.afterSeq}::bigint`]);
  return inScope(ctx, async (tx) => {
    const rows = rowsOf(await tx.execute(sql`select ${EVENT_COLUMNS} from audit_events_visible e where ${where} order by e.seq desc limit ${args.limit + 1}`)).map(toEventRow);
    const head = await headSeq(tx);
    const events = rows.slice(0, args.limit);
    return { events, tailFrom: Math.max(head, args.afterSeq), more: rows.length > args.limit, names: await namesFor(tx, events) };
  });
}

/** Counts are taken over the newest FACET_SAMPLE matching events; beyond that they say "at least". */
export const FACET_SAMPLE = 10_000;
const FACET_TOP = 15;

export interface FacetValue {
  value: string;
  label: string;
  count: number;
}

export interface FacetCounts {
  total: number;
  capped: boolean;
  facets: Record<Facet, FacetValue[]>;
}

const FACET_COLUMN: Record<Facet, string> = {
  actor: 'actor_label',
  tenant: 'tenant_id',
  cluster: 'cluster_id',
  action: 'action',
  kind: 'resource_type',
  outcome: 'outcome',
  source: 'source',
};

export async function auditFacets(ctx: ServiceContext, filters: AuditFilters): Promise<FacetCounts> {
  authorize(ctx, 'audit:read');
  const where = whereOf(ctx, filters);
  return inScope(ctx, async (tx) => {
    const parts = (Object.entries(FACET_COLUMN) as [Facet, string][]).map(
      ([facet, col]) => sql`(select ${facet}::text as facet, ${sql.raw(col)}::text as value, count(*) as n from m group by 2 order by 3 desc, 2 limit ${FACET_TOP})`,
    );
    const raw = await tx.execute(sql`
      with m as materialized (select e.actor_label, e.tenant_id, e.cluster_id, e.action, e.resource_type, e.outcome, e.source
        from audit_events_visible e where ${where} order by e.occurred_at desc, e.seq desc limit ${FACET_SAMPLE + 1})
      select 'total' as facet, null as value, count(*) as n from m
      union all ${sql.join(parts, sql` union all `)}`);
    const facets = Object.fromEntries(Object.keys(FACET_COLUMN).map((f) => [f, [] as FacetValue[]])) as unknown as Record<Facet, FacetValue[]>;
    let total = 0;
    for (const r of rowsOf(raw)) {
      if (r.facet === 'total') total = Number(r.n);
      else facets[r.facet as Facet].push({ value: r.value === null ? NONE : String(r.value), label: r.value === null ? 'none' : String(r.value), count: Number(r.n) });
    }
    await labelIds(tx, facets);
    return { total: Math.min(total, FACET_SAMPLE), capped: total > FACET_SAMPLE, facets };
  });
}

// Tenants and clusters are facets by id; people read names. (A scoped reader sees only the
// tenants row-level security lets them see, which are the only ones in their events.)
async function labelIds(tx: Tx, facets: Record<Facet, FacetValue[]>) {
  const ids = (list: FacetValue[]) => list.map((v) => v.value).filter((v) => v !== NONE);
  const tenantIds = ids(facets.tenant);
  const clusterIds = ids(facets.cluster);
  if (tenantIds.length) {
    const names = new Map(rowsOf(await tx.execute(sql`select id::text as id, name from tenants where id = any(${`{${tenantIds.join(',')}}`}::uuid[])`)).map((r) => [String(r.id), String(r.name)]));
    for (const v of facets.tenant) v.label = v.value === NONE ? 'no tenant' : (names.get(v.value) ?? v.value);
  } else for (const v of facets.tenant) if (v.value === NONE) v.label = 'no tenant';
  if (clusterIds.length) {
    const names = new Map(rowsOf(await tx.execute(sql`select id::text as id, name from clusters where id = any(${`{${clusterIds.join(',')}}`}::uuid[])`)).map((r) => [String(r.id), String(r.name)]));
    for (const v of facets.cluster) v.label = v.value === NONE ? 'no cluster' : (names.get(v.value) ?? v.value);
  } else for (const v of facets.cluster) if (v.value === NONE) v.label = 'no cluster';
}

/** Names for the tenants and clusters a page of events mentions. */
export async function namesFor(tx: Tx, events: readonly AuditEventRow[]) {
  const tenantIds = [...new Set(events.flatMap((e) => (e.tenantId ? [e.tenantId] : [])))];
  const clusterIds = [...new Set(events.flatMap((e) => (e.clusterId ? [e.clusterId] : [])))];
  const tenants = tenantIds.length ? rowsOf(await tx.execute(sql`select id::text as id, name from tenants where id = any(${`{${tenantIds.join(',')}}`}::uuid[])`)) : [];
  const clusters = clusterIds.length ? rowsOf(await tx.execute(sql`select id::text as id, name from clusters where id = any(${`{${clusterIds.join(',')}}`}::uuid[])`)) : [];
  return { tenants: Object.fromEntries(tenants.map((r) => [String(r.id), String(r.name)])), clusters: Object.fromEntries(clusters.map((r) => [String(r.id), String(r.name)])) };
}
