// One tenant's quota use over a chosen range (the last hour, day or week), per quota
// resource summed over the tenant's namespaces, with a forecast of when each runs out. An
// hour reads minutes, a day the 10-minute rollup, a week the hourly rollup (both kept by the
// ingest), so no chart has more than 168 points a resource and none reads more than a
// day's 144 rows per namespace and resource whatever the range.
import { sql } from 'drizzle-orm';
import { z } from 'zod';
import { tenants } from '@/db/schema';
import { FORECAST_METHOD, describeForecast, forecastExhaustion, type Forecast } from '@/server/domain/quotas/forecast-exhaustion';
import { rowsOf } from '../audit/audit-query';
import { authorize } from '../authorize';
import type { ServiceContext } from '../context';
import { notFound } from '../errors';
import { inScope } from '../scope';

export const QuotaRange = z.enum(['hour', 'day', 'week']);
export type QuotaRange = z.infer<typeof QuotaRange>;

export const ReadQuotaHistoryInput = z.object({ tenantId: z.uuid(), range: QuotaRange.default('day') });
export type ReadQuotaHistoryInput = z.input<typeof ReadQuotaHistoryInput>;

const RANGE: Record<QuotaRange, { spanMs: number; binMinutes: number; source: 'minutes' | 'ten_minutes' | 'hours' }> = {
  hour: { spanMs: 3_600_000, binMinutes: 1, source: 'minutes' },
  day: { spanMs: 86_400_000, binMinutes: 10, source: 'ten_minutes' },
  week: { spanMs: 7 * 86_400_000, binMinutes: 60, source: 'hours' },
};

export interface QuotaHistoryPoint {
  /** Start of the bin, ms since the epoch. */
  at: number;
  /** In the resource's base unit (cores, bytes, objects): the highest in the bin, summed over namespaces. */
  used: number;
  hard: number;
}

export interface QuotaResourceHistory {
  resource: string;
  points: QuotaHistoryPoint[];
  forecast: Forecast;
  /** "pods: full in about 3 days" without the resource name. */
  forecastText: string;
}

export interface QuotaHistory {
  tenant: { id: string; slug: string; name: string };
  range: QuotaRange;
  from: number;
  to: number;
  binMinutes: number;
  resources: QuotaResourceHistory[];
  method: string;
}

export async function readQuotaHistory(ctx: ServiceContext, raw: ReadQuotaHistoryInput): Promise<QuotaHistory> {
  const input = ReadQuotaHistoryInput.parse(raw);
  authorize(ctx, 'quota:read', { id: input.tenantId, label: 'Tenant' });
  const r = RANGE[input.range];
  const binMs = r.binMinutes * 60_000;
  // Whole bins: the range ends at the end of the current bin.
  const to = Math.floor(ctx.now().getTime() / binMs) * binMs + binMs;
  const from = to - r.spanMs;
  return inScope(ctx, async (tx) => {
    const [tenant] = await tx.select({ id: tenants.id, slug: tenants.slug, name: tenants.name }).from(tenants).where(sql`${tenants.id} = ${input.tenantId}::uuid`);
    if (!tenant) throw notFound('Tenant');
    const fromIso = new Date(from).toISOString();
    const toIso = new Date(to).toISOString();
    // Per namespace and bin: the highest used and the tightest hard over its quotas (several
    // quotas limiting one resource count it once); then summed over the tenant's namespaces.
    // The 10-minute rollup holds per quota and bin the max used and min hard of its minutes,
    // so max/min over it equals max/min over the minutes it summarises.
    const perNamespace =
      r.source === 'minutes'
        ? sql`
          SELECT q.cluster_id, q.namespace, u.resource, date_bin(${`${r.binMinutes} minutes`}::interval, q.minute, '2000-01-01'::timestamptz) AS t,
                 max(u.used) AS used, min(u.hard) AS hard
          FROM quota_usage_minutes q
          JOIN tenant_namespaces tn ON tn.cluster_id = q.cluster_id AND tn.namespace = q.namespace AND tn.tenant_id = ${tenant.id}::uuid
          CROSS JOIN LATERAL unnest(q.resources, q.used_nanos, q.hard_nanos) AS u(resource, used, hard)
          WHERE q.minute >= ${fromIso}::timestamptz AND q.minute < ${toIso}::timestamptz
          GROUP BY 1, 2, 3, 4`
        : r.source === 'ten_minutes'
          ? sql`
          SELECT b.cluster_id, b.namespace, b.resource, b.bin AS t, max(b.max_used_nanos) AS used, min(b.min_hard_nanos) AS hard
          FROM quota_usage_ten_minutes b
          JOIN tenant_namespaces tn ON tn.cluster_id = b.cluster_id AND tn.namespace = b.namespace AND tn.tenant_id = ${tenant.id}::uuid
          WHERE b.bin >= ${fromIso}::timestamptz AND b.bin < ${toIso}::timestamptz
          GROUP BY 1, 2, 3, 4`
          : sql`
          SELECT h.cluster_id, h.namespace, h.resource, h.hour AS t, max(h.max_used_nanos) AS used, min(h.last_hard_nanos) AS hard
          FROM quota_usage_hours h
          JOIN tenant_namespaces tn ON tn.cluster_id = h.cluster_id AND tn.namespace = h.namespace AND tn.tenant_id = ${tenant.id}::uuid
          WHERE h.hour >= ${fromIso}::timestamptz AND h.hour < ${toIso}::timestamptz
          GROUP BY 1, 2, 3, 4`;
    const result = await tx.execute(sql`
      WITH per_namespace AS (${perNamespace})
      SELECT resource, (extract(epoch FROM t) * 1000)::float8 AS at, (sum(used) / 1e9)::float8 AS used, (sum(hard) / 1e9)::float8 AS hard
      FROM per_namespace GROUP BY resource, t ORDER BY resource, t`);
    const byResource = new Map<string, QuotaHistoryPoint[]>();
    for (const row of rowsOf(result)) {
      const resource = String(row.resource);
      const list = byResource.get(resource) ?? [];
      list.push({ at: Number(row.at), used: Number(row.used), hard: Number(row.hard) });
      byResource.set(resource, list);
    }
    const now = ctx.now().getTime();
    const resources = [...byResource.entries()].map(([resource, points]) => {
      const forecast = forecastExhaustion(points, now);
      return { resource, points, forecast, forecastText: describeForecast(forecast) };
    });
    return { tenant, range: input.range, from, to, binMinutes: r.binMinutes, resources, method: FORECAST_METHOD };
  });
}
