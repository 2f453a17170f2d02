// A tenant's quota history on both drivers: minutes summed over the tenant's namespaces for
// an hour, the 10-minute rollup for a day, the hourly rollup for a week, the forecast from the same
// points, another tenant's history refused as not found, and "Propose a quota change"
// opening a draft change request with the quota as the cluster holds it.
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clusters, inventoryObjects } from '@/db/schema';
import { changeRequests } from '@/db/schema/hand-written/changes';
import { contextFor, seedTenant, seedUser, systemContext } from '@/db/seed/factories';
import type { Principal } from '@/server/services/context';
import { inScope } from '@/server/services/scope';
import { openTestDatabase, type TestDatabase, testDrivers } from '@/test/helpers/test-database';
import { draftQuotaChange } from './draft-quota-change';
import { readQuotaHistory } from './read-quota-history';

const NOW = new Date('2031-03-04T12:00:30Z');
const G = 1_000_000_000n;

function user(grants: { role: 'tenant_admin' | 'security_admin' | 'viewer'; tenantId: string | null }[], mfaVerified = false, who = { userId: '00000000-0000-0000-0000-000000000001', email: 'someone@example.test' }): Principal {
  return { kind: 'user', ...who, grants, mfaVerified, sessionId: null };
}

describe.each(testDrivers())('quota history (%s)', (driver) => {
  let t: TestDatabase;
  let payments = '';
  let storefront = '';
  let prod = '';

  beforeAll(async () => {
    t = await openTestDatabase(driver);
    payments = (await seedTenant(t.db, 'payments', { cluster: 'prod', namespaces: ['payments', 'payments-batch'] })).id;
    storefront = (await seedTenant(t.db, 'storefront', { cluster: 'prod', namespaces: ['storefront'] })).id;
    prod = (await t.db.select().from(clusters))[0]!.id;
    // Two hours of minutes: payments' pods rise by one every 10 minutes in each of two namespaces.
    const minutes: string[] = [];
    for (let i = 0; i < 120; i++) {
      const at = new Date(NOW.getTime() - (119 - i) * 60_000);
      at.setUTCSeconds(0, 0);
      const pods = BigInt(10 + Math.floor(i / 10));
      const row = (ns: string, hard: bigint) => `('${prod}', '${at.toISOString()}', '${ns}', 'compute', ARRAY['pods','limits.cpu'], ARRAY[${pods * G}, ${2n * G}]::numeric[], ARRAY[${hard * G}, ${4n * G}]::numeric[])`;
      minutes.push(row('payments', 100n), row('payments-batch', 50n), row('storefront', 20n));
    }
    await inScope(systemContext(t.db), async (tx) => {
      await tx.execute(sql`select verity_ensure_usage_partitions('2031-03-04'::date, 1)`);
      await tx.execute(sql.raw(`INSERT INTO quota_usage_minutes (cluster_id, minute, namespace, quota, resources, used_nanos, hard_nanos) VALUES ${minutes.join(',')}`));
      // The day view reads the 10-minute rollup the ingest keeps beside these minutes (that the
      // ingest keeps it equal to this is tested in usage-history.int.test.ts).
      await tx.execute(sql`
        INSERT INTO quota_usage_ten_minutes (cluster_id, namespace, quota, resource, bin, max_used_nanos, min_hard_nanos)
        SELECT q.cluster_id, q.namespace, q.quota, u.resource, date_bin('10 minutes', q.minute, '2000-01-01'::timestamptz), max(u.used), min(u.hard)
        FROM quota_usage_minutes q CROSS JOIN LATERAL unnest(q.resources, q.used_nanos, q.hard_nanos) AS u(resource, used, hard)
        GROUP BY 1, 2, 3, 4, 5`);
      // The week view reads the hourly rollup: three days back, pods 5 then 8 in payments.
      await tx.execute(sql.raw(`INSERT INTO quota_usage_hours (cluster_id, namespace, quota, resource, hour, max_used_nanos, last_used_nanos, last_hard_nanos, last_minute) VALUES
        ('${prod}', 'payments', 'compute', 'pods', '2031-03-01T10:00:00Z', ${5n * G}, ${5n * G}, ${100n * G}, '2031-03-01T10:59:00Z'),
        ('${prod}', 'payments', 'compute', 'pods', '2031-03-01T11:00:00Z', ${8n * G}, ${7n * G}, ${100n * G}, '2031-03-01T11:59:00Z'),
        ('${prod}', 'storefront', 'compute', 'pods', '2031-03-01T11:00:00Z', ${9n * G}, ${9n * G}, ${20n * G}, '2031-03-01T11:59:00Z')`));
    });
    await t.db.insert(inventoryObjects).values({
      clusterId: prod,
      kind: 'ResourceQuota',
      namespace: 'payments',
      name: 'compute',
      resourceVersion: '7',
      updatedAt: NOW,
      object: { apiVersion: 'v1', kind: 'ResourceQuota', metadata: { name: 'compute', namespace: 'payments', resourceVersion: '7' }, spec: { hard: { pods: '100', 'limits.cpu': '4' } }, status: { used: { pods: '21' } } },
    });
  });
  afterAll(() => t?.dispose());

  const as = (p: Principal) => contextFor(t.db, p, () => NOW);

  it('sums the last hour minute by minute over the tenant’s namespaces, and forecasts from it', async () => {
    const h = await readQuotaHistory(as(user([{ role: 'tenant_admin', tenantId: payments }])), { tenantId: payments, range: 'hour' });
    expect(h.resources.map((r) => r.resource)).toEqual(['limits.cpu', 'pods']);
    const pods = h.resources.find((r) => r.resource === 'pods')!;
    expect(pods.points).toHaveLength(60);
    // The last minute: 21 pods in each namespace of 100 + 50 allowed.
    expect(pods.points.at(-1)).toEqual({ at: Date.parse('2031-03-04T12:00:00Z'), used: 42, hard: 150 });
    // Two pods every 10 minutes: 108 to go is about 9 hours.
    expect(pods.forecastText).toBe('full in about 9 hours');
    expect(h.resources.find((r) => r.resource === 'limits.cpu')!.forecastText).toBe('no forecast: use is flat or falling');
    expect(h.method).toMatch(/Least-squares/);
  });

  it('bins a day into 10 minutes (the highest in each) and reads a week from the hourly rollup', async () => {
    const day = await readQuotaHistory(as(user([{ role: 'security_admin', tenantId: null }])), { tenantId: payments, range: 'day' });
    const pods = day.resources.find((r) => r.resource === 'pods')!;
    expect(pods.points).toHaveLength(13);
    expect(pods.points[0]).toEqual({ at: Date.parse('2031-03-04T10:00:00Z'), used: 20, hard: 150 });
    const week = await readQuotaHistory(as(user([{ role: 'security_admin', tenantId: null }])), { tenantId: payments, range: 'week' });
    expect(week.resources.find((r) => r.resource === 'pods')!.points).toEqual([
      { at: Date.parse('2031-03-01T10:00:00Z'), used: 5, hard: 100 },
      { at: Date.parse('2031-03-01T11:00:00Z'), used: 8, hard: 100 },
    ]);
  });

  it('answers another tenant’s history as not found', async () => {
    await expect(readQuotaHistory(as(user([{ role: 'tenant_admin', tenantId: payments }])), { tenantId: storefront, range: 'hour' })).rejects.toThrow(/Tenant was not found/);
    const own = await readQuotaHistory(as(user([{ role: 'tenant_admin', tenantId: storefront }])), { tenantId: storefront, range: 'hour' });
    expect(own.resources.find((r) => r.resource === 'pods')!.points.at(-1)).toMatchObject({ used: 21, hard: 20 });
  });

  it('drafts a quota change holding the quota as the cluster has it; a tenant admin may not', async () => {
    const person = await seedUser(t.db, { email: 'quota-admin@example.test', grants: [{ role: 'security_admin', tenantId: null }] });
    const admin = as(user([{ role: 'security_admin', tenantId: null }], true, { userId: person.id, email: person.email }));
    const { changeId } = await draftQuotaChange(admin, { tenantId: payments, cluster: 'prod', namespace: 'payments', quota: 'compute' });
    const [row] = await inScope(admin, (tx) => tx.select().from(changeRequests).where(sql`${changeRequests.id} = ${changeId}::uuid`));
    expect(row).toMatchObject({ status: 'draft', tenantId: payments, clusterId: prod, title: 'Change quota payments/compute' });
    expect(row!.sourceText).toContain('kind: ResourceQuota');
    expect(row!.sourceText).toContain('pods: "100"');
    // The spec as written, not the controller's status.
    expect(row!.sourceText).not.toContain('used');
    await expect(draftQuotaChange(as(user([{ role: 'tenant_admin', tenantId: payments }], true)), { tenantId: payments, cluster: 'prod', namespace: 'payments', quota: 'compute' })).rejects.toThrow(/permission/);
    await expect(draftQuotaChange(admin, { tenantId: payments, cluster: 'prod', namespace: 'storefront', quota: 'compute' })).rejects.toThrow(/ResourceQuota was not found/);
  });
});
