// Usage history on both drivers: a real agent sends usage samples through the signed agent
// API, the console stores them exactly (nanocores, bytes, quota nano-units), keeps the
// hourly and 10-minute rollups in step, stores a retried batch once, refuses a bad quantity
// without writing anything, and a tenant admin reads only their own tenant's usage rows.
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { UsageSample } from '@/agent/drivers/cluster-driver';
import type { UsageBatch } from '@/agent/protocol/messages';
import { startAgent, type RunningAgent } from '@/agent/run-agent';
import { quotaUsageHours, quotaUsageTenMinutes } from '@/db/schema/hand-written/usage';
import { contextFor, seedTenant, systemContext } from '@/db/seed/factories';
import { handleAgentRequest } from '@/server/http/agent-api';
import { ingestUsage } from '@/server/services/agents/ingest-usage';
import { registerCluster } from '@/server/services/clusters/register-cluster';
import type { Principal } from '@/server/services/context';
import { inScope } from '@/server/services/scope';
import { rowsOf } from '@/server/services/audit/audit-query';
import { FakeDriver } from '@/test/helpers/fake-driver';
import { openTestDatabase, type TestDatabase, testDrivers } from '@/test/helpers/test-database';
import { until } from '@/test/helpers/until';

const CONSOLE = 'http://console.test';

class UsageDriver extends FakeDriver {
  next: UsageSample = { workloads: [], quotas: [] };
  async sampleUsage(minute: Date): Promise<UsageSample> {
    const at = minute.toISOString();
    return { workloads: this.next.workloads.map((w) => ({ ...w, minute: at })), quotas: this.next.quotas.map((q) => ({ ...q, minute: at })) };
  }
}

function user(grants: { role: 'tenant_admin' | 'security_admin' | 'viewer'; tenantId: string | null }[]): Principal {
  return { kind: 'user', userId: '00000000-0000-0000-0000-000000000001', email: 'someone@example.test', grants, mfaVerified: false, sessionId: null };
}

const sample = (minute: string, namespace: string, workload: string, cpu: string, memory: string) => ({
  minute,
  namespace,
  workload,
  kind: 'Deployment',
  replicas: 2,
  usage: { cpu, memory },
  requests: { cpu: '500m', memory: '256Mi' },
  limits: { cpu: '1', memory: '1Gi' },
});

describe.each(testDrivers())('usage history (%s)', (driver) => {
  let t: TestDatabase;
  let agent: RunningAgent;
  let agentCtx: ReturnType<typeof contextFor>;
  let payments = '';
  let storefront = '';
  const fake = new UsageDriver();
  const sys = () => systemContext(t.db);

  beforeAll(async () => {
    t = await openTestDatabase(driver);
    const token = (await registerCluster(sys(), { name: 'prod' })).token;
    payments = (await seedTenant(t.db, 'payments', { cluster: 'prod', namespaces: ['payments'] })).id;
    storefront = (await seedTenant(t.db, 'storefront', { cluster: 'prod', namespaces: ['storefront'] })).id;
    const fetchVia = (async (url: string | URL | Request, init?: RequestInit) => handleAgentRequest(t, new Request(url, init))) as typeof fetch;
    fake.next = {
      workloads: [sample('', 'payments', 'api', '12345678n', '300Mi'), sample('', 'storefront', 'web', '250m', '1.5Gi')],
      quotas: [{ minute: '', namespace: 'payments', name: 'compute', hard: { 'limits.cpu': '4', pods: '10', 'limits.memory': '1Ti' }, used: { 'limits.cpu': '2500m', pods: '3', 'limits.memory': '512Gi' } }],
    };
    agent = await startAgent({ stateDir: mkdtempSync(path.join(os.tmpdir(), 'verity-agent-')), consoleUrl: CONSOLE, enrollToken: token, driver: fake, fetch: fetchVia, log: () => {}, pollWaitS: 5, usageMs: 3_600_000 });
    agentCtx = contextFor(t.db, { kind: 'agent', agentId: agent.agentId, clusterId: agent.clusterId, label: 'agent' });
  });
  afterAll(async () => {
    await agent?.stop();
    await t?.dispose();
  });

  const count = async (table: 'workload_usage_minutes' | 'quota_usage_minutes') =>
    Number(rowsOf(await inScope(sys(), (tx) => tx.execute(sql.raw(`select count(*)::int as n from ${table}`))))[0]!.n);

  it('stores what the agent samples, exactly, in nanocores, bytes and quota nano-units', async () => {
    await until(async () => (await count('workload_usage_minutes')) >= 2 && (await count('quota_usage_minutes')) >= 1);
    const rows = rowsOf(await inScope(sys(), (tx) => tx.execute(sql`select namespace, cpu_nanocores::text as cpu, memory_bytes::text as mem, cpu_limit_nanocores::text as cl, memory_request_bytes::text as mr from workload_usage_minutes order by namespace`)));
    expect(rows).toEqual([
      { namespace: 'payments', cpu: '12345678', mem: String(300 * 2 ** 20), cl: '1000000000', mr: String(256 * 2 ** 20) },
      { namespace: 'storefront', cpu: '250000000', mem: String(1.5 * 2 ** 30), cl: '1000000000', mr: String(256 * 2 ** 20) },
    ]);
    const [quota] = rowsOf(await inScope(sys(), (tx) => tx.execute(sql`select resources, used_nanos::text[] as used, hard_nanos::text[] as hard from quota_usage_minutes`)));
    expect(quota).toEqual({
      resources: ['limits.cpu', 'limits.memory', 'pods'],
      used: ['2500000000', String(512n * 2n ** 30n * 10n ** 9n), '3000000000'],
      // A tebibyte in nano-units is past bigint: numeric keeps it exact.
      hard: ['4000000000', String(2n ** 40n * 10n ** 9n), '10000000000'],
    });
  });

  it('keeps the hourly rollup: the highest used in the hour and the last sample', async () => {
    const hour = '2031-03-04T10:00:00.000Z';
    const q = (minute: string, pods: string, hard = '10') => ({ minute, namespace: 'payments', name: 'compute', hard: { pods: hard }, used: { pods } });
    // Two batches, out of order, into one hour: max of all, last by minute.
    await ingestUsage(agentCtx, { batchId: 'rollup-batch-1', workloads: [], quotas: [q('2031-03-04T10:05:30Z', '7'), q('2031-03-04T10:50:00Z', '4', '12')] });
    await ingestUsage(agentCtx, { batchId: 'rollup-batch-2', workloads: [], quotas: [q('2031-03-04T10:20:00Z', '9')] });
    const rows = await inScope(sys(), (tx) => tx.select().from(quotaUsageHours).where(sql`${quotaUsageHours.hour} = ${hour}::timestamptz`));
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ resource: 'pods', maxUsedNanos: '9000000000', lastUsedNanos: '4000000000', lastHardNanos: '12000000000', lastMinute: new Date('2031-03-04T10:50:00Z') });
  });

  it('stores a retried batch once, and refuses a bad quantity naming it, writing nothing', async () => {
    const batch: UsageBatch = { batchId: 'retry-batch-1', workloads: [sample('2031-03-05T08:00:00Z', 'payments', 'api', '1', '1Gi')], quotas: [] };
    const before = await count('workload_usage_minutes');
    expect(await ingestUsage(agentCtx, batch)).toMatchObject({ duplicate: false, workloads: 1 });
    expect(await ingestUsage(agentCtx, batch)).toMatchObject({ duplicate: true, workloads: 0 });
    expect(await count('workload_usage_minutes')).toBe(before + 1);

    const bad = { batchId: 'bad-batch-01', workloads: [{ ...sample('2031-03-05T08:01:00Z', 'payments', 'api', '1', '1Gi'), usage: { cpu: 'lots', memory: '1Gi' } }], quotas: [] };
    const res = await handleAgentRequest(t, new Request(`${CONSOLE}/api/agent/v1/usage`, { method: 'POST', body: JSON.stringify(bad) }));
    // Unsigned: refused before parsing. Through the service the quantity is named.
    expect(res.status).toBe(401);
    await expect(ingestUsage(agentCtx, bad as UsageBatch)).rejects.toThrow(/"lots" is not a Kubernetes quantity/);
    expect(await count('workload_usage_minutes')).toBe(before + 1);
    // A used amount with no limit beside it is never stored, but unreadable it still refuses the batch.
    const quotasBefore = await count('quota_usage_minutes');
    const stray = { batchId: 'bad-batch-02', workloads: [], quotas: [{ minute: '2031-03-05T08:02:00Z', namespace: 'payments', name: 'compute', hard: { pods: '10' }, used: { pods: '1', services: 'many' } }] };
    await expect(ingestUsage(agentCtx, stray)).rejects.toMatchObject({ field: 'quotas.0.used.services' });
    expect(await count('quota_usage_minutes')).toBe(quotasBefore);
  });

  it('keeps the 10-minute rollup equal to the minutes it summarises: highest used, lowest hard', async () => {
    // Two quotas limit pods in one namespace; samples arrive in three batches, out of order,
    // one minute twice, and the hard limit changes inside a bin.
    const q = (minute: string, name: string, pods: string, hard: string, cpu?: string) => ({
      minute,
      namespace: 'storefront',
      name,
      hard: { pods: hard, ...(cpu ? { 'limits.cpu': '8' } : {}) },
      used: { pods, ...(cpu ? { 'limits.cpu': cpu } : {}) },
    });
    await ingestUsage(agentCtx, { batchId: 'ten-batch-1', workloads: [], quotas: [q('2031-03-07T10:03:00Z', 'compute', '4', '10', '1500m'), q('2031-03-07T10:12:00Z', 'compute', '6', '12', '2')] });
    await ingestUsage(agentCtx, { batchId: 'ten-batch-2', workloads: [], quotas: [q('2031-03-07T10:01:00Z', 'compute', '7', '9', '250m'), q('2031-03-07T10:03:00Z', 'small', '2', '5')] });
    await ingestUsage(agentCtx, { batchId: 'ten-batch-3', workloads: [], quotas: [q('2031-03-07T10:09:00Z', 'compute', '5', '11', '3'), q('2031-03-07T10:19:00Z', 'small', '3', '4')] });
    const rollup = await inScope(sys(), (tx) =>
      tx.select().from(quotaUsageTenMinutes).where(sql`${quotaUsageTenMinutes.namespace} = 'storefront' AND ${quotaUsageTenMinutes.bin} >= '2031-03-07T00:00:00Z'::timestamptz`),
    );
    const fromMinutes = rowsOf(
      await inScope(sys(), (tx) =>
        tx.execute(sql`
          SELECT q.quota, u.resource, date_bin('10 minutes', q.minute, '2000-01-01'::timestamptz) AS bin, max(u.used)::text AS max_used, min(u.hard)::text AS min_hard
          FROM quota_usage_minutes q CROSS JOIN LATERAL unnest(q.resources, q.used_nanos, q.hard_nanos) AS u(resource, used, hard)
          WHERE q.namespace = 'storefront' AND q.minute >= '2031-03-07T00:00:00Z'::timestamptz
          GROUP BY 1, 2, 3`),
      ),
    );
    const key = (quota: string, resource: string, bin: Date | string) => `${quota} ${resource} ${new Date(bin).toISOString()}`;
    const actual = Object.fromEntries(rollup.map((r) => [key(r.quota, r.resource, r.bin), [r.maxUsedNanos, r.minHardNanos]]));
    expect(actual).toEqual(Object.fromEntries(fromMinutes.map((r) => [key(String(r.quota), String(r.resource), r.bin as string), [r.max_used, r.min_hard]])));
    expect(actual).toEqual({
      'compute pods 2031-03-07T10:00:00.000Z': ['7000000000', '9000000000'],
      'compute limits.cpu 2031-03-07T10:00:00.000Z': ['3000000000', '8000000000'],
      'compute pods 2031-03-07T10:10:00.000Z': ['6000000000', '12000000000'],
      'compute limits.cpu 2031-03-07T10:10:00.000Z': ['2000000000', '8000000000'],
      'small pods 2031-03-07T10:00:00.000Z': ['2000000000', '5000000000'],
      'small pods 2031-03-07T10:10:00.000Z': ['3000000000', '4000000000'],
    });
  });

  it('shows a tenant admin only their own tenant’s usage rows, by row-level security alone', async () => {
    await ingestUsage(agentCtx, {
      batchId: 'scope-batch-1',
      workloads: [sample('2031-03-06T09:00:00Z', 'payments', 'api', '100m', '1Gi'), sample('2031-03-06T09:00:00Z', 'storefront', 'web', '1', '2Gi')],
      quotas: ['payments', 'storefront'].map((namespace) => ({ minute: '2031-03-06T09:00:00Z', namespace, name: 'compute', hard: { pods: '10' }, used: { pods: '1' } })),
    });
    const seen = async (grants: Parameters<typeof user>[0], table: string) =>
      rowsOf(await inScope(contextFor(t.db, user(grants)), (tx) => tx.execute(sql.raw(`select distinct namespace from ${table} order by namespace`)))).map((r) => r.namespace);
    for (const table of ['workload_usage_minutes', 'quota_usage_minutes', 'quota_usage_ten_minutes', 'quota_usage_hours']) {
      expect(await seen([{ role: 'tenant_admin', tenantId: payments }], table), table).toEqual(['payments']);
      expect(await seen([{ role: 'viewer', tenantId: storefront }], table), table).toEqual(['storefront']);
      expect(await seen([{ role: 'security_admin', tenantId: null }], table), table).toEqual(['payments', 'storefront']);
      expect(await seen([], table), table).toEqual([]);
    }
  });
});
