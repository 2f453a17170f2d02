// The WHERE clause every audit read shares (search, facets, tail, export, bundle): the
// caller's audit scope first, then the filters. Row-level security applies the tenant
// scope again underneath.
import { sql, type SQL } from 'drizzle-orm';
import { type AuditFilters, NONE, resolveInstant } from '@/server/domain/audit/audit-filters';
import { auditScope } from '@/server/domain/audit/audit-scope';
import type { ServiceContext } from '../context';
import { badInput } from '../errors';

export function scopeCondition(ctx: ServiceContext): SQL {
  const p = ctx.principal;
  if (p.kind === 'system') return sql`true`;
  if (p.kind !== 'user') return sql`false`;
  const scope = auditScope(p.grants);
  if (scope.all) return sql`true`;
  if (scope.tenantIds.length === 0) return sql`false`;
  return sql`e.tenant_id = any(${`{${scope.tenantIds.join(',')}}`}::uuid[])`;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function facet(column: SQL, value: string | undefined, uuid = false): SQL | null {
  if (value === undefined) return null;
  if (value === NONE) return sql`${column} is null`;
  if (uuid && !UUID.test(value)) return sql`false`;
  return uuid ? sql`${column} = ${value}::uuid` : sql`${column} = ${value}`;
}

export function filterConditions(f: AuditFilters): SQL[] {
  const tz = f.tz ?? 'UTC';
  const out: (SQL | null)[] = [
    f.q?.trim() ? sql`e.search @@ websearch_to_tsquery('simple', ${f.q.trim()})` : null,
    facet(sql`e.actor_label`, f.actor),
    facet(sql`e.tenant_id`, f.tenant, true),
    facet(sql`e.cluster_id`, f.cluster, true),
    facet(sql`e.action`, f.action),
    facet(sql`e.resource_type`, f.kind),
    f.outcome ? sql`e.outcome = ${f.outcome}` : null,
    f.source ? sql`e.source = ${f.source}` : null,
  ];
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
  return sql.join([scopeCondition(ctx), ...filterConditions(f), ...extra], sql` and `);
}

/** The stored columns of an event, as the hash covers them (the search vector is left out). */
export const EVENT_COLUMNS = sql`e.seq, e.id, (extract(epoch from e.occurred_at) * 1000)::bigint as occurred_ms, e.source, e.cluster_id, e.actor_type, e.actor_id, e.actor_label, e.tenant_id, e.action, e.resource_type, e.resource_id, e.outcome, e.client_address, e.user_agent, e.details, e.prev_hash, e.hash`;

export interface AuditEventRow {
  seq: number;
  id: string;
  occurredAt: Date;
  source: 'console' | 'agent' | 'kubernetes';
  clusterId: string | null;
  actorType: string;
  actorId: string | null;
  actorLabel: string | null;
  tenantId: string | null;
  action: string;
  resourceType: string | null;
  resourceId: string | null;
  outcome: 'success' | 'failure' | 'denied';
  clientAddress: string | null;
  userAgent: string | null;
  details: Record<string, unknown>;
  prevHash: string;
  hash: string;
}

/** Raw rows differ by driver (postgres.js gives strings for bigint, PGlite numbers; jsonb may come as text). */
export function toEventRow(r: Record<string, unknown>): AuditEventRow {
  const details = typeof r.details === 'string' ? (JSON.parse(r.details) as Record<string, unknown>) : (r.details as Record<string, unknown>);
  return {
    seq: Number(r.seq),
    id: String(r.id),
    occurredAt: new Date(Number(r.occurred_ms)),
    source: r.source as AuditEventRow['source'],
    clusterId: (r.cluster_id as string | null) ?? null,
    actorType: String(r.actor_type),
    actorId: (r.actor_id as string | null) ?? null,
    actorLabel: (r.actor_label as string | null) ?? null,
    tenantId: (r.tenant_id as string | null) ?? null,
    action: String(r.action),
    resourceType: (r.resource_type as string | null) ?? null,
    resourceId: (r.resource_id as string | null) ?? null,
    outcome: r.outcome as AuditEventRow['outcome'],
    clientAddress: (r.client_address as string | null) ?? null,
    userAgent: (r.user_agent as string | null) ?? null,
    details,
    prevHash: String(r.prev_hash),
    hash: String(r.hash),
  };
}

/** Rows of a raw query on either driver. */
export function rowsOf(result: unknown): Record<string, unknown>[] {
  if (Array.isArray(result)) return result as Record<string, unknown>[];
  return ((result as { rows?: Record<string, unknown>[] }).rows ?? []) as Record<string, unknown>[];
}
