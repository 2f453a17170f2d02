// The flow rollups on both drivers: the job sums closed buckets into 10-minute and hourly
// rows, readers combine them with minutes so every range sums exactly what the minutes hold
// (late records included), a tenant sees only their flows through the rollups too, the job
// does each bucket once, and retention drops whole old days.
import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FlowRecord } from '@/agent/protocol/messages';
import { agents, clusters } from '@/db/schema';
import { contextFor, seedTenant, systemContext } from '@/db/seed/factories';
import type { FlowAggregate } from '@/server/domain/graph';
import type { Principal } from '@/server/services/context';
import { openTestDatabase, type TestDatabase, testDrivers } from '@/test/helpers/test-database';
import { rowsOf } from '../audit/audit-query';
import { ingestFlows } from '../agents/ingest-flows';
import { inScope } from '../scope';
import { readFlowAggregates } from './cluster-model';
import { readEdgeDetails } from './read-details';
import { applyFlowRetention } from './apply-flow-retention';
import { rollUpFlows } from './roll-up-flows';

const T0 = Date.parse('2031-03-04T09:00:00Z');
const minute = (m: number) => new Date(T0 + m * 60_000).toISOString();

function user(role: 'security_admin' | 'tenant_admin', tenantId: string | null): Principal {
  return { kind: 'user', userId: '00000000-0000-0000-0000-000000000001', email: `${role}@example.test`, grants: [{ role, tenantId }], mfaVerified: true, sessionId: null };
}

/** Three edges, with counts that differ by minute so a bucket read twice or skipped shows. */
function recordsAt(m: number): FlowRecord[] {
  return [
    { minute: minute(m), source: { namespace: 'storefront', workload: 'web' }, destination: { namespace: 'payments', workload: 'api' }, port: 8443, protocol: 'TCP', mtls: 'mutual', verdict: 'allowed', count: 10 + m, bytes: 1000 },
    { minute: minute(m), source: { namespace: 'storefront', workload: 'web' }, destination: { namespace: 'storefront', workload: 'cart' }, port: 8080, protocol: 'TCP', mtls: 'plaintext', verdict: 'allowed', count: 1 + (m % 7), bytes: 10 },
    { minute: minute(m), source: { namespace: 'payments', workload: 'api' }, destination: { ip: '52.1.2.3' }, port: 443, protocol: 'TCP', mtls: 'unknown', verdict: 'denied', count: 2 },
  ];
}

const key = (a: FlowAggregate) => `${a.srcNamespace}/${a.srcWorkload}${a.srcIp}>${a.dstNamespace}/${a.dstWorkload}${a.dstIp}:${a.port}/${a.mtls}/${a.verdict}`;
const summed = (rows: FlowAggregate[]) => Object.fromEntries(rows.map((r) => [key(r), [r.count, r.bytes]]).sort());

describe.each(testDrivers())('flow rollups (%s)', (driver) => {
  let t: TestDatabase;
  let clusterId = '';
  let payments = '';
  let agent: Principal;
  let batch = 0;
  const at = (m: number) => () => new Date(T0 + m * 60_000);
  const send = (records: FlowRecord[], now = at(200)) => ingestFlows(contextFor(t.db, agent, now), { batchId: `batch-${++batch}-rollup`, records });
  const roll = (m: number) => rollUpFlows(systemContext(t.db, at(m)));
  const read = (principal: Principal, from: number, to: number) =>
    inScope(contextFor(t.db, principal), (tx) => readFlowAggregates(tx, { clusterId, from: new Date(T0 + from * 60_000), to: new Date(T0 + to * 60_000) }));
  /** The same range summed straight from the minutes, as the owner (no rollups, no row security). */
  const fromMinutes = async (from: number, to: number) => {
    const rows = rowsOf(
      await t.db.execute(sql`
        SELECT src_namespace, src_workload, src_ip, dst_namespace, dst_workload, dst_ip, port, mtls, verdict, sum(count)::float8 AS c, sum(bytes)::float8 AS b
        FROM flow_minutes WHERE cluster_id = ${clusterId} AND minute >= ${minute(from)}::timestamptz AND minute < ${minute(to)}::timestamptz
        GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9`),
    );
    return Object.fromEntries(rows.map((r) => [`${r.src_namespace}/${r.src_workload}${r.src_ip}>${r.dst_namespace}/${r.dst_workload}${r.dst_ip}:${r.port}/${r.mtls}/${r.verdict}`, [Number(r.c), Number(r.b)]]).sort());
  };
  const marks = async () => rowsOf(await t.db.execute(sql`SELECT width, count(*)::int AS n FROM flow_rollup_marks GROUP BY width ORDER BY width`));

  beforeAll(async () => {
    t = await openTestDatabase(driver);
    payments = (await seedTenant(t.db, 'payments', { cluster: 'prod', namespaces: ['payments'] })).id;
    await seedTenant(t.db, 'storefront', { cluster: 'prod', namespaces: ['storefront'] });
    clusterId = (await t.db.select().from(clusters).where(eq(clusters.name, 'prod')))[0]!.id;
    const [row] = await t.db.insert(agents).values({ clusterId, publicKey: 'not used', agentVersion: 'test', driver: 'sim', enrolledAt: new Date(T0), lastSeenAt: new Date(T0) }).returning({ id: agents.id });
    agent = { kind: 'agent', agentId: row!.id, clusterId, label: 'prod agent' };
    // Two and a half hours of minutes, 09:00 to 11:30, in two batches per minute range.
    await send(Array.from({ length: 90 }, (_, m) => recordsAt(m)).flat());
    await send(Array.from({ length: 60 }, (_, m) => recordsAt(90 + m)).flat());
  });
  afterAll(() => t?.dispose());

  it('rolls closed buckets in time order, an hour of tens per run, hours from complete tens, each once', async () => {
    // At 09:11 nothing is closed yet (09:00-09:10 closes two minutes after its end).
    expect(await roll(11)).toEqual({ clusters: [] });
    expect(await roll(12)).toEqual({ clusters: [{ clusterId, tens: 1, hours: 0 }] });
    expect(await roll(12)).toEqual({ clusters: [] });
    // At 11:45 the job catches up six tens a run; the hour 09:00 completes on the first.
    expect(await roll(165)).toEqual({ clusters: [{ clusterId, tens: 6, hours: 1 }] });
    expect(await roll(165)).toEqual({ clusters: [{ clusterId, tens: 6, hours: 1 }] });
    expect(await roll(165)).toEqual({ clusters: [{ clusterId, tens: 3, hours: 0 }] });
    expect(await roll(165)).toEqual({ clusters: [] });
    // 16 tens, 09:00 to 11:40 (11:30-11:40 closed at 11:42, without flows: marked all the
    // same), and 2 hours (11:00 has four of its tens).
    expect(await marks()).toEqual([{ width: 600, n: 16 }, { width: 3600, n: 2 }]);
  });

  it('sums every range as the minutes do, whole buckets from the rollups and ragged edges from minutes', async () => {
    const admin = user('security_admin', null);
    for (const [from, to] of [[0, 150], [7, 67], [3, 128], [60, 120], [59, 61], [125, 150], [0, 1], [100, 100.5]] as const) {
      expect(summed(await read(admin, from, to)), `${from}-${to}`).toEqual(await fromMinutes(from, to));
    }
    // And the rollups were used: the hour 10:00 in flow_hours holds the 60 minutes' sum.
    const [hour] = rowsOf(await t.db.execute(sql`SELECT sum(count)::int AS c FROM flow_hours WHERE bucket = ${minute(60)}::timestamptz AND port = 8443`));
    expect(hour?.c).toBe(Array.from({ length: 60 }, (_, m) => 10 + 60 + m).reduce((a, b) => a + b));
  });

  it('adds records that arrive after their bucket was rolled up to the rollups, once', async () => {
    const late = [...recordsAt(65), ...recordsAt(65), ...recordsAt(145)];
    await send(late);
    const admin = user('security_admin', null);
    for (const [from, to] of [[0, 150], [60, 120], [60, 70], [140, 150]] as const) expect(summed(await read(admin, from, to)), `${from}-${to}`).toEqual(await fromMinutes(from, to));
    // The same batch again is a retry: stored once.
    expect(await ingestFlows(contextFor(t.db, agent, at(200)), { batchId: `batch-${batch}-rollup`, records: late })).toEqual({ duplicate: true, stored: 0 });
    expect(summed(await read(admin, 0, 150))).toEqual(await fromMinutes(0, 150));
  });

  it('shows a tenant only flows with an end in their namespaces, through the rollups as through the minutes', async () => {
    const mine = await read(user('tenant_admin', payments), 0, 150);
    expect(mine.map((r) => `${r.srcNamespace}>${r.dstNamespace || r.dstIp}`).sort()).toEqual(['payments>52.1.2.3', 'storefront>payments']);
    const all = summed(await read(user('security_admin', null), 0, 150));
    for (const r of mine) expect([r.count, r.bytes]).toEqual(all[key(r)]);
  });

  it("draws a day's edge timeline from the rollups in 30-minute bars that equal the minutes", async () => {
    const ctx = contextFor(t.db, user('security_admin', null), at(150));
    const details = await readEdgeDetails(ctx, { clusterId, range: '1d', source: 'w:storefront/web', target: 'w:payments/api' });
    expect(details.timeline.bucketSeconds).toBe(1800);
    const bars = new Map(details.timeline.points.map((p) => [p.t.toISOString(), p.total]));
    const [tenOClock] = rowsOf(await t.db.execute(sql`SELECT sum(count)::int AS c FROM flow_minutes WHERE port = 8443 AND minute >= ${minute(60)}::timestamptz AND minute < ${minute(90)}::timestamptz`));
    expect(bars.get(minute(60))).toBe(tenOClock?.c);
    expect([...bars.values()].reduce((a, b) => a + b)).toBe((await fromMinutes(0, 150))['storefront/web>payments/api:8443/mutual/allowed']![0]);
  });

  it('reads the newest minutes from the open ten summed as far as they are complete, late records included', async () => {
    await send(Array.from({ length: 8 }, (_, m) => recordsAt(160 + m)).flat(), at(169));
    // At 11:49 the ten 11:40-11:50 is open; minutes through 11:47 are complete.
    expect(await roll(169)).toEqual({ clusters: [] });
    const [open] = rowsOf(await t.db.execute(sql`SELECT bucket, through, sum(count)::int AS c FROM flow_open_tens WHERE port = 8443 GROUP BY 1, 2`));
    expect([new Date(String(open?.bucket)).toISOString(), new Date(String(open?.through)).toISOString()]).toEqual([minute(160), minute(167)]);
    expect(open?.c).toBe(Array.from({ length: 7 }, (_, m) => 10 + 160 + m).reduce((a, b) => a + b));
    const admin = user('security_admin', null);
    const check = async () => {
      for (const [from, to] of [[109, 169], [160, 170], [165, 169], [160, 166], [0, 169.5]] as const) expect(summed(await read(admin, from, to)), `${from}-${to}`).toEqual(await fromMinutes(from, to));
    };
    await check();
    // A late record inside the open ten's complete minutes joins its sum; one after them does not need to.
    await send([...recordsAt(162), ...recordsAt(168)], at(169));
    await check();
    // When the ten closes it is rolled from the minutes and the open sum moves on (to 11:50,
    // which has no flows yet).
    expect(await roll(173)).toEqual({ clusters: [{ clusterId, tens: 1, hours: 0 }] });
    expect(rowsOf(await t.db.execute(sql`SELECT count(*)::int AS n FROM flow_open_tens`))).toEqual([{ n: 0 }]);
    await send(recordsAt(170), at(173));
    expect(await roll(173)).toEqual({ clusters: [] });
    expect(rowsOf(await t.db.execute(sql`SELECT DISTINCT bucket FROM flow_open_tens`)).map((r) => new Date(String(r.bucket)).toISOString())).toEqual([minute(170)]);
    await check();
  });

  it('drops whole days older than the retention as partitions, with their marks, and records it once', async () => {
    // Flows of 25 February (and a mark for one of its tens), a week before "now".
    await send(recordsAt(-7 * 1440).map((r) => ({ ...r, count: 5 })), at(200));
    await t.ownerSql(`INSERT INTO flow_rollup_marks (cluster_id, width, bucket) VALUES ('${clusterId}', 600, '${minute(-7 * 1440)}')`);
    const admin = user('security_admin', null);
    const kept = summed(await read(admin, 0, 180));
    const partitions = async () =>
      rowsOf(await t.db.execute(sql`SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = 'flow_minutes'::regclass ORDER BY 1`)).map((r) => String(r.relname));
    expect(await partitions()).toContain('flow_minutes_20310225');
    await expect(applyFlowRetention(contextFor(t.db, admin, at(200)), { days: 5 })).rejects.toMatchObject({ code: 'FORBIDDEN' });

    const first = await applyFlowRetention(systemContext(t.db, at(200)), { days: 5 });
    expect(first.before).toBe('2031-02-27');
    expect(first.partitionsDropped).toBeGreaterThanOrEqual(3); // that day's minutes, tens and hours
    const left = await partitions();
    expect(left).not.toContain('flow_minutes_20310225');
    expect(left.filter((p) => /_\d{8}$/.test(p) && p.slice(-8) < '20310227')).toEqual([]);
    expect(left).toContain('flow_minutes_20310304');
    expect(rowsOf(await t.db.execute(sql`SELECT count(*)::int AS n FROM flow_rollup_marks WHERE bucket < '2031-02-27'`))).toEqual([{ n: 0 }]);
    expect(summed(await read(admin, 0, 180))).toEqual(kept);
    const recorded = async () => rowsOf(await t.db.execute(sql`SELECT details FROM audit_events WHERE action = 'flows.retention_applied'`));
    expect((await recorded()).map((r) => (r.details as { before: string }).before)).toEqual(['2031-02-27']);

    expect(await applyFlowRetention(systemContext(t.db, at(200)), { days: 5 })).toEqual({ before: '2031-02-27', partitionsDropped: 0 });
    expect(await recorded()).toHaveLength(1);
  });
});
