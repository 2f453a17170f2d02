// Quota dashboard benchmark on PostgreSQL: 200 tenants with 10 namespaces each (2,000), one
// ResourceQuota of 8 resources per namespace, and 30 days of per-minute quota samples with
// their hourly and 10-minute rollups, in its own database. Then times what /quotas asks for:
// the overview (a security admin, every tenant), and a tenant admin's detail (overview of their tenant,
// plus the history for the last hour, day and week), through the real service verbs with
// row-level security, and reports p50/p95.
//   npm run bench:quotas -- [--url postgres://postgres@127.0.0.1:5432] [--days 30]
//     [--minute-days 30] [--workloads] [--reps 40] [--keep] [--reuse]
// --minute-days limits how many of the most recent days get per-minute rows and their
// 10-minute rollup (the hourly rollup always covers --days); --workloads also writes 30 days
// of per-minute workload usage (one workload per namespace), which no dashboard query reads.
// --keep leaves the database behind; --reuse times a database an earlier --keep left (after
// applying any newer migrations to it) instead of generating one, which takes many minutes.
import os from 'node:os';
import { sql } from 'drizzle-orm';
import { migrateDatabase, openDatabase } from '@/db/client';
import { clusters, inventoryObjects, tenants, users } from '@/db/schema';
import { contextFor, seedTenant, seedUser } from '@/db/seed/factories';
import type { Principal } from '@/server/services/context';
import { readQuotaHistory } from '@/server/services/quotas/read-quota-history';
import { readQuotaOverview } from '@/server/services/quotas/read-quotas';

const arg = (name: string, fallback: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1]! : fallback;
};
const SERVER = arg('url', 'postgres://postgres@127.0.0.1:5432');
const DB_NAME = 'verity_quota_bench';
const TENANTS = 200;
const NS_PER_TENANT = 10;
const DAYS = Number(arg('days', '30'));
const MINUTE_DAYS = Math.min(DAYS, Number(arg('minute-days', String(DAYS))));
const REPS = Number(arg('reps', '40'));
const WORKLOADS = process.argv.includes('--workloads');
const REUSE = process.argv.includes('--reuse');
const KEEP = REUSE || process.argv.includes('--keep');
const RESOURCES = ['requests.cpu', 'limits.cpu', 'requests.memory', 'limits.memory', 'pods', 'requests.storage', 'count/deployments.apps', 'count/services'];
// Hard limits per resource in base units (cores, bytes, objects), times 10^9 for nano-units.
const HARD = [8, 16, 32 * 2 ** 30, 64 * 2 ** 30, 100, 500 * 2 ** 30, 40, 40];

function log(message: string) {
  console.log(`[${new Date().toISOString().slice(11, 19)}] ${message}`);
}

function percentile(sorted: number[], p: number) {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

async function time(label: string, fn: (i: number) => Promise<unknown>) {
  for (let i = 0; i < 3; i++) await fn(i); // warm the caches and the plan cache
  const ms: number[] = [];
  for (let i = 0; i < REPS; i++) {
    const t0 = performance.now();
    await fn(i);
    ms.push(performance.now() - t0);
  }
  ms.sort((a, b) => a - b);
  const result = { label, p50: percentile(ms, 50), p95: percentile(ms, 95), max: ms[ms.length - 1]! };
  console.log(`${label.padEnd(44)} p50 ${result.p50.toFixed(1).padStart(7)} ms   p95 ${result.p95.toFixed(1).padStart(7)} ms   max ${result.max.toFixed(1).padStart(7)} ms`);
  return result;
}

const load = () => os.loadavg().map((l) => l.toFixed(2)).join(', ');

async function main() {
  const { default: postgres } = await import('postgres');
  const admin = postgres(`${SERVER}/postgres`, { max: 1, onnotice: () => {} });
  const reused = REUSE && (await admin.unsafe(`SELECT 1 FROM pg_database WHERE datname = '${DB_NAME}'`)).length > 0;
  if (reused) {
    const database = await openDatabase({ url: `${SERVER}/${DB_NAME}` });
    log('reusing the generated database; applying newer migrations');
    await migrateDatabase(database);
    const bySlug = new Map((await database.db.select({ id: tenants.id, slug: tenants.slug }).from(tenants)).map((t) => [t.slug, t.id]));
    const tenantIds = Array.from({ length: TENANTS }, (_, t) => bySlug.get(`tenant-${t}`)!);
    const [person] = await database.db.select({ id: users.id, email: users.email }).from(users).where(sql`${users.email} = 'bench-admin@example.test'`);
    if (tenantIds.some((id) => !id) || !person) throw new Error(`${DB_NAME} is not a complete bench database: run once without --reuse`);
    await measure(database, tenantIds, person);
    await admin.end();
    return;
  }
  await admin.unsafe(`DROP DATABASE IF EXISTS ${DB_NAME} WITH (FORCE)`);
  await admin.unsafe(`CREATE DATABASE ${DB_NAME}`);
  const database = await openDatabase({ url: `${SERVER}/${DB_NAME}` });
  await migrateDatabase(database);
  const db = database.db;
  const now = new Date();
  now.setUTCSeconds(0, 0);

  log(`seeding ${TENANTS} tenants with ${NS_PER_TENANT} namespaces each`);
  const tenantIds: string[] = [];
  for (let t = 0; t < TENANTS; t++) {
    tenantIds.push((await seedTenant(db, `tenant-${t}`, { cluster: 'bench', namespaces: Array.from({ length: NS_PER_TENANT }, (_, k) => `t${t}-ns${k}`) })).id);
  }
  const admin1 = await seedUser(db, { email: 'bench-admin@example.test', grants: [{ role: 'security_admin', tenantId: null }] });
  const clusterId = (await db.select().from(clusters))[0]!.id;

  // One ResourceQuota per namespace, status filled in as the quota controller would.
  const quotaRows = [];
  for (let n = 0; n < TENANTS * NS_PER_TENANT; n++) {
    const ns = `t${Math.floor(n / NS_PER_TENANT)}-ns${n % NS_PER_TENANT}`;
    const hard: Record<string, string> = {};
    const used: Record<string, string> = {};
    RESOURCES.forEach((r, i) => {
      const share = ((n * 7 + i * 13) % 97) / 100;
      const unit = r.includes('memory') || r.includes('storage') ? 'Gi' : '';
      const h = unit ? HARD[i]! / 2 ** 30 : HARD[i]!;
      hard[r] = `${h}${unit}`;
      used[r] = unit ? `${Math.floor(h * share * 1024)}Mi` : r.endsWith('cpu') ? `${Math.floor(h * share * 1000)}m` : String(Math.floor(h * share));
    });
    quotaRows.push({ clusterId, kind: 'ResourceQuota', namespace: ns, name: 'compute', resourceVersion: '1', updatedAt: now, object: { apiVersion: 'v1', kind: 'ResourceQuota', metadata: { name: 'compute', namespace: ns }, spec: { hard }, status: { hard, used } } });
  }
  for (let i = 0; i < quotaRows.length; i += 500) await db.insert(inventoryObjects).values(quotaRows.slice(i, i + 500));

  const today = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()));
  const firstDay = new Date(today.getTime() - (DAYS - 1) * 86_400_000);
  await db.execute(sql`select verity_ensure_usage_partitions(${firstDay.toISOString().slice(0, 10)}::date, ${DAYS + 1})`);
  await db.execute(sql`set synchronous_commit = off`);
  const resources = `ARRAY[${RESOURCES.map((r) => `'${r}'`).join(',')}]`;
  // used rises slowly over the month with a daily wave; nano-units.
  const usedExpr = (i: number) =>
    `(floor(${HARD[i]} * least(0.99, ((n * 7 + ${i * 13}) % 60) / 100.0 + extract(epoch FROM m - '${firstDay.toISOString()}'::timestamptz) / ${DAYS * 86_400} * 0.3 + 0.05 * sin(extract(epoch FROM m) / 13751.0))) * 1000000000)::numeric`;
  const usedArr = `ARRAY[${RESOURCES.map((_, i) => usedExpr(i)).join(',')}]`;
  const hardArr = `ARRAY[${HARD.map((h) => `${h}000000000::numeric`).join(',')}]`;
  const nsExpr = `'t' || (n / ${NS_PER_TENANT}) || '-ns' || (n % ${NS_PER_TENANT})`;

  log(`hourly rollup: ${DAYS} days × 24 hours × ${TENANTS * NS_PER_TENANT} namespaces × ${RESOURCES.length} resources`);
  for (let d = 0; d < DAYS; d++) {
    const day = new Date(firstDay.getTime() + d * 86_400_000).toISOString();
    await db.execute(
      sql.raw(`INSERT INTO quota_usage_hours (cluster_id, namespace, quota, resource, hour, max_used_nanos, last_used_nanos, last_hard_nanos, last_minute)
        SELECT '${clusterId}', ns, 'compute', r.resource, m, r.used, r.used, r.hard, m + interval '59 minutes'
        FROM generate_series(0, ${TENANTS * NS_PER_TENANT - 1}) n
        CROSS JOIN generate_series('${day}'::timestamptz, '${day}'::timestamptz + interval '23 hours', interval '1 hour') m
        CROSS JOIN LATERAL (SELECT ${nsExpr} AS ns) x
        CROSS JOIN LATERAL unnest(${resources}, ${usedArr}, ${hardArr}) AS r(resource, used, hard)`),
    );
  }
  log(`per-minute quota samples: ${MINUTE_DAYS} days × 1,440 minutes × ${TENANTS * NS_PER_TENANT} namespaces`);
  for (let d = DAYS - MINUTE_DAYS; d < DAYS; d++) {
    const day = new Date(firstDay.getTime() + d * 86_400_000).toISOString();
    await db.execute(
      sql.raw(`INSERT INTO quota_usage_minutes (cluster_id, minute, namespace, quota, resources, used_nanos, hard_nanos)
        SELECT '${clusterId}', m, ${nsExpr}, 'compute', ${resources}, ${usedArr}, ${hardArr}
        FROM generate_series(0, ${TENANTS * NS_PER_TENANT - 1}) n
        CROSS JOIN generate_series('${day}'::timestamptz, '${day}'::timestamptz + interval '1439 minutes', interval '1 minute') m`),
    );
    // The 10-minute rollup the ingest keeps beside the minutes, computed from them the same way.
    await db.execute(
      sql.raw(`INSERT INTO quota_usage_ten_minutes (cluster_id, namespace, quota, resource, bin, max_used_nanos, min_hard_nanos)
        SELECT q.cluster_id, q.namespace, q.quota, u.resource, date_bin('10 minutes', q.minute, '2000-01-01'::timestamptz), max(u.used), min(u.hard)
        FROM quota_usage_minutes q CROSS JOIN LATERAL unnest(q.resources, q.used_nanos, q.hard_nanos) AS u(resource, used, hard)
        WHERE q.minute >= '${day}'::timestamptz AND q.minute < '${day}'::timestamptz + interval '1 day'
        GROUP BY 1, 2, 3, 4, 5`),
    );
    if (WORKLOADS) {
      await db.execute(
        sql.raw(`INSERT INTO workload_usage_minutes (cluster_id, minute, namespace, workload, kind, replicas, cpu_nanocores, memory_bytes, cpu_request_nanocores, cpu_limit_nanocores, memory_request_bytes, memory_limit_bytes)
          SELECT '${clusterId}', m, ${nsExpr}, 'api', 'Deployment', 3, (300000000 + 200000000 * sin(extract(epoch FROM m) / 13751.0))::bigint, 805306368, 750000000, 3000000000, 805306368, 1610612736
          FROM generate_series(0, ${TENANTS * NS_PER_TENANT - 1}) n
          CROSS JOIN generate_series('${day}'::timestamptz, '${day}'::timestamptz + interval '1439 minutes', interval '1 minute') m`),
      );
    }
    log(`  day ${d + 1}/${DAYS}`);
  }
  await db.execute(sql`analyze`);
  await measure(database, tenantIds, admin1);
  if (!KEEP) await admin.unsafe(`DROP DATABASE IF EXISTS ${DB_NAME} WITH (FORCE)`);
  await admin.end();
}

async function measure(database: Awaited<ReturnType<typeof openDatabase>>, tenantIds: string[], admin1: { id: string; email: string }) {
  const db = database.db;
  const counts = (await db.execute(
    sql`select (select count(*) from quota_usage_minutes)::bigint as minutes, (select count(*) from quota_usage_ten_minutes)::bigint as ten_minutes, (select count(*) from quota_usage_hours)::bigint as hours, (select count(*) from workload_usage_minutes)::bigint as workloads, (select min(minute) from quota_usage_minutes) as first_minute, (select min(hour) from quota_usage_hours) as first_hour`,
  )) as unknown as Record<string, unknown>[];
  log(`rows: ${JSON.stringify(counts[0])}`);

  const securityAdmin: Principal = { kind: 'user', userId: admin1.id, email: admin1.email, grants: [{ role: 'security_admin', tenantId: null }], mfaVerified: true, sessionId: null };
  const tenantAdmin = (i: number): Principal => ({ kind: 'user', userId: admin1.id, email: admin1.email, grants: [{ role: 'tenant_admin', tenantId: tenantIds[(i * 37) % TENANTS]! }], mfaVerified: true, sessionId: null });
  const ctx = (p: Principal) => contextFor(db, p, () => new Date());
  const ok = await readQuotaOverview(ctx(securityAdmin));
  if (ok.tenants.length !== TENANTS) throw new Error(`overview saw ${ok.tenants.length} tenants`);
  const week = await readQuotaHistory(ctx(tenantAdmin(0)), { tenantId: tenantIds[0]!, range: 'week' });
  if (week.resources.length !== RESOURCES.length || week.resources[0]!.points.length < Math.min(160, DAYS * 24 - 24)) throw new Error('week history is incomplete');
  const day = await readQuotaHistory(ctx(tenantAdmin(0)), { tenantId: tenantIds[0]!, range: 'day' });
  const hour = await readQuotaHistory(ctx(tenantAdmin(0)), { tenantId: tenantIds[0]!, range: 'hour' });
  // Says how much each view really read: a day with fewer than 144 bins had too few minute days.
  log(`points per resource: hour ${hour.resources[0]?.points.length ?? 0}, day ${day.resources[0]?.points.length ?? 0}, week ${week.resources[0]!.points.length}`);
  console.log(`\n${TENANTS} tenants, ${TENANTS * NS_PER_TENANT} namespaces; ${REPS} runs each after 3 warm-up runs; load average ${load()}:`);
  const results = [
    await time('overview, security admin (200 tenants)', () => readQuotaOverview(ctx(securityAdmin))),
    await time('tenant detail: overview of own tenant', (i) => readQuotaOverview(ctx(tenantAdmin(i)))),
    await time('tenant detail: history, hour', (i) => readQuotaHistory(ctx(tenantAdmin(i)), { tenantId: tenantIds[(i * 37) % TENANTS]!, range: 'hour' })),
    await time('tenant detail: history + forecast, day', (i) => readQuotaHistory(ctx(tenantAdmin(i)), { tenantId: tenantIds[(i * 37) % TENANTS]!, range: 'day' })),
    await time('tenant detail: history + forecast, week', (i) => readQuotaHistory(ctx(tenantAdmin(i)), { tenantId: tenantIds[(i * 37) % TENANTS]!, range: 'week' })),
  ];
  const worst = Math.max(...results.map((r) => r.p95));
  console.log(worst < 200 ? `\nall p95 under 200 ms (worst ${worst.toFixed(1)} ms)` : `\nOVER BUDGET: worst p95 ${worst.toFixed(1)} ms`);
  console.log(`load average at the end ${load()}`);
  await database.close();
  if (worst >= 200) process.exitCode = 1;
}

await main();
