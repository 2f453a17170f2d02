// The WHERE clause every audit read shares (search, facets, tail, export, bundle): the
// caller's audit scope first, then the filters. Row-level security applies the tenant
// scope again underneath.
import { sql, type SQL } from 'drizzle-orm';
import { type AuditFilters, NONE, rangeStart, resolveInstant } from '@/server/domain/audit/audit-filters';
import { auditScope } from '@/server/domain/audit/audit-scope';
import { CHAINED_FIELDS, type ChainedContent, columnOf } from '@/server/domain/audit/hash-event';
import type { ServiceContext } from '../context';
import { badInput } from '../errors';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The tenants a reader's audit scope is limited to; null for all. */
function scopeTenants(ctx: ServiceContext): string[] | null {
  const p = ctx.principal;
  if (p.kind === 'system') return null;
  if (p.kind !== 'user') return [];
  const scope = auditScope(p.grants);
  return scope.all ? null : scope.tenantIds;
}

export function scopeCondition(ctx: ServiceContext): SQL {
  const tenants = scopeTenants(ctx);
  if (tenants === null) return sql`true`;
  if (tenants.length === 0) return sql`false`;
  // One tenant (the usual tenant admin) as an equality: the planner reads "= any(array)" on
  // an index's leading column in no useful order, so a newest-first page read the time index
  // and tested every tenant's rows; with "=" it walks (tenant_id, occurred_at, seq) backwards.
  if (tenants.length === 1) return sql`e.tenant_id = ${tenants[0]}::uuid`;
  return sql`e.tenant_id = any(${`{${tenants.join(',')}}`}::uuid[])`;
}

/**
 * The words an event is found by: its search vector plus a lexeme naming its tenant. The
 * GIN index of migration 0016 is on exactly this expression, so every word search names it.
 */
export const AUDIT_TERMS = sql.raw(`(e.search || case when e.tenant_id is null then ''::tsvector else array_to_tsvector(array['tenant ' || e.tenant_id::text]) end)`);

/**
 * The conditions of a word search: the words, and, when the reader or the tenant facet limits
 * the tenants, those tenants' lexemes too, so the words and the tenants are intersected inside
 * one index instead of the words being tested row by row along the tenant's events (which
 * reads every one of them when the words match nothing there). Rows are still filtered by
 * tenant_id as well. No conditions when the filters hold no words; `byTenant` says whether
 * the tenant lexemes are among them.
 */
export function wordSearch(ctx: ServiceContext, f: AuditFilters): { conditions: SQL[]; byTenant: boolean } {
  const q = f.q?.trim();
  if (!q) return { conditions: [], byTenant: false };
  const words = sql`${AUDIT_TERMS} @@ websearch_to_tsquery('simple', ${q})`;
  const tenants = searchedTenants(ctx, f);
  // No lexeme for "no tenant" or a malformed id: the facet condition decides.
  if (tenants === null || tenants.length === 0 || !tenants.every((t) => UUID.test(t))) return { conditions: [words], byTenant: false };
  return { conditions: [words, sql`${AUDIT_TERMS} @@ ${tenants.map((t) => `'tenant ${t.toLowerCase()}'`).join(' | ')}::tsquery`], byTenant: true };
}

/**
 * The tenants a search is limited to, by the reader's scope and the tenant facet together;
 * null when it is not limited to tenants. The facet's own value is returned as given when it
 * is not a tenant id ("no tenant", or malformed): the facet condition decides those.
 */
export function searchedTenants(ctx: ServiceContext, f: AuditFilters): string[] | null {
  const tenants = scopeTenants(ctx);
  if (f.tenant === undefined) return tenants;
  if (f.tenant === NONE || !UUID.test(f.tenant)) return [f.tenant];
  const wanted = f.tenant.toLowerCase();
  return tenants === null || tenants.includes(wanted) ? [wanted] : [];
}

function facet(column: SQL, value: string | undefined, uuid = false): SQL | null {
  if (value === undefined) return null;
  if (value === NONE) return sql`${column} is null`;
  if (uuid && !UUID.test(value)) return sql`false`;
  return uuid ? sql`${column} = ${value}::uuid` : sql`${column} = ${value}`;
}

/** Every filter but the words (wordSearch). */
export function filterConditions(f: AuditFilters, now: Date): SQL[] {
  const tz = f.tz ?? 'UTC';
  const out: (SQL | null)[] = [
    facet(sql`e.actor_label`, f.actor),
    facet(sql`e.tenant_id`, f.tenant, true),
    facet(sql`e.cluster_id`, f.cluster, true),
    facet(sql`e.action`, f.action),
    facet(sql`e.resource_type`, f.kind),
    f.outcome ? sql`e.outcome = ${f.outcome}` : null,
    f.source ? sql`e.source = ${f.source}` : null,
  ];
  const since = f.from ? null : rangeStart(f.range, now);
  if (since) out.push(sql`e.occurred_at >= ${since.toISOString()}::timestamptz`);
  if (f.from) {
    const at = resolveInstant(f.from, tz);
    if (!at) throw badInput('from', `"${f.from}" is not a time (use 2025-01-31T08:00 or an ISO instant)`);
    out.push(sql`e.occurred_at >= ${at.toISOString()}::timestamptz`);
  }
  if (f.to) {
    const at = resolveInstant(f.to, tz);
    if (!at) throw badInput('to', `"${f.to}" is not a time (use 2025-01-31T18:00 or an ISO instant)`);
    out.push(sql`e.occurred_at < ${at.toISOString()}::timestamptz`);
  }
  return out.filter((c): c is SQL => c !== null);
}

export function whereOf(ctx: ServiceContext, f: AuditFilters, extra: SQL[] = []): SQL {
  return sql.join([scopeCondition(ctx), ...wordSearch(ctx, f).conditions, ...filterConditions(f, ctx.now()), ...extra], sql` and `);
}

/** The stored columns of an event, as the hash covers them, and its hash (the search vector is left out). */
export const EVENT_COLUMNS = sql.raw(
  [...CHAINED_FIELDS, 'hash' as const]
    .map((f) => (f === 'occurredAt' ? '(extract(epoch from e.occurred_at) * 1000)::bigint as occurred_ms' : `e.${columnOf(f)}`))
    .join(', '),
);

export interface AuditEventRow extends ChainedContent {
  source: 'console' | 'agent' | 'kubernetes';
  outcome: 'success' | 'failure' | 'denied';
  hash: string;
}

/** Raw rows differ by driver (postgres.js gives strings for bigint, PGlite numbers; jsonb may come as text). */
export function toEventRow(r: Record<string, unknown>): AuditEventRow {
  const out: Record<string, unknown> = {};
  for (const f of CHAINED_FIELDS) {
    const v = r[columnOf(f)];
    if (f === 'seq') out[f] = Number(v);
    else if (f === 'occurredAt') out[f] = new Date(Number(r.occurred_ms));
    else if (f === 'details') out[f] = typeof v === 'string' ? (JSON.parse(v) as Record<string, unknown>) : v;
    else out[f] = v === null || v === undefined ? null : String(v);
  }
  out.hash = String(r.hash);
  return out as unknown as AuditEventRow;
}

/** Rows of a raw query on either driver. */
export function rowsOf(result: unknown): Record<string, unknown>[] {
  if (Array.isArray(result)) return result as Record<string, unknown>[];
  return ((result as { rows?: Record<string, unknown>[] }).rows ?? []) as Record<string, unknown>[];
}
