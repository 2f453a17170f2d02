// Abuse detection, the graduated response and sleep against a real database on both drivers:
// the miner found from its flows and usage, one open finding per rule and workload however
// often the job runs, the advisory lock, tenant isolation (service, and row-level security
// alone), activity-based sleep that never touches a workload serving traffic, the agent's
// answers moving a sleep along, and a quarantine proposed as an ordinary change request.
import { randomUUID } from 'node:crypto';
import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { agentCommands, clusters, flowMinutes, inventoryObjects } from '@/db/schema';
import { abuseActions, abuseFindings, workloadSleeps } from '@/db/schema/hand-written/abuse';
import { changeRequests } from '@/db/schema/hand-written/changes';
import { contextFor, seedTenant, systemContext } from '@/db/seed/factories';
import type { Role } from '@/server/domain/authz/permissions';
import { recordCommandResult } from '../agents/commands';
import type { Principal } from '../context';
import { inScope } from '../scope';
import { openTestDatabase, type TestDatabase, testDrivers } from '@/test/helpers/test-database';
import { readAbuseSettings, setAbuseThresholds, setSleepPolicy } from './abuse-settings';
import { acknowledgeNotification, getFinding, listFindings, listNotifications, listSleeps } from './read-findings';
import { notifyTenant, proposeQuarantine, resolveFinding } from './respond-to-finding';
import { runAbuseDetection } from './run-abuse-detection';
import { wakeWorkload } from './sleep-workload';

const NOW = new Date('2031-03-04T12:00:00Z');
const minute = (ago: number) => new Date(NOW.getTime() - ago * 60_000);

function user(grants: { role: Role; tenantId: string | null }[], mfaVerified = true): Principal {
  return { kind: 'user', userId: randomUUID(), email: 'someone@example.test', grants, mfaVerified, sessionId: null };
}

describe.each(testDrivers())('abuse detection and response (%s)', (driver) => {
  let t: TestDatabase;
  let university = '';
  let analytics = '';
  let cluster = '';
  const now = () => NOW;
  const system = () => systemContext(t.db, now, 'console');
  const as = (p: Principal) => contextFor(t.db, p, now);
  let security: Principal;
  let uniAdmin: Principal;
  let anaAdmin: Principal;

  async function persist(p: Principal & { kind: 'user' }, role: Role, tenantId: string | null) {
    // Users referenced by foreign keys (actions, sleeps) must exist.
    await t.ownerSql(`insert into users (id, email, display_name, created_at) values ('${p.userId}', '${p.userId}@example.test', 'x', now())`);
    await t.ownerSql(`insert into role_grants (user_id, role, tenant_id) values ('${p.userId}', '${role}', ${tenantId ? `'${tenantId}'` : 'null'})`);
  }

  const flow = (m: Date, src: [string, string], dst: { ip: string } | [string, string], port: number, count: number, verdict = 'allowed') => ({
    clusterId: cluster,
    minute: m,
    srcNamespace: src[0],
    srcWorkload: src[1],
    srcIp: '',
    dstNamespace: 'ip' in dst ? '' : dst[0],
    dstWorkload: 'ip' in dst ? '' : dst[1],
    dstIp: 'ip' in dst ? dst.ip : '',
    port,
    protocol: 'TCP',
    mtls: 'unknown',
    verdict,
    count,
    bytes: count * 100,
  });

  async function usage(namespace: string, workload: string, minutes: number, cpuMillicores: number, limitMillicores: number | null) {
    for (let i = minutes; i >= 1; i--) {
      await t.ownerSql(
        `insert into workload_usage_minutes (cluster_id, minute, namespace, workload, kind, replicas, cpu_nanocores, memory_bytes, cpu_limit_nanocores)
         values ('${cluster}', '${minute(i).toISOString()}', '${namespace}', '${workload}', 'Deployment', 1, ${cpuMillicores * 1_000_000}, 100000000, ${limitMillicores === null ? 'null' : limitMillicores * 1_000_000})`,
      );
    }
  }

  beforeAll(async () => {
    t = await openTestDatabase(driver);
    university = (await seedTenant(t.db, 'university', { cluster: 'prod', namespaces: ['sandbox-students'] })).id;
    analytics = (await seedTenant(t.db, 'analytics', { cluster: 'prod', namespaces: ['analytics'] })).id;
    cluster = (await t.db.select().from(clusters).where(eq(clusters.name, 'prod')))[0]!.id;
    security = user([{ role: 'security_admin', tenantId: null }]);
    uniAdmin = user([{ role: 'tenant_admin', tenantId: university }], false);
    anaAdmin = user([{ role: 'tenant_admin', tenantId: analytics }], false);
    await persist(security as Principal & { kind: 'user' }, 'security_admin', null);
    await persist(uniAdmin as Principal & { kind: 'user' }, 'tenant_admin', university);
    await persist(anaAdmin as Principal & { kind: 'user' }, 'tenant_admin', analytics);
    const wl = (namespace: string, name: string, labels: Record<string, string>) => ({
      clusterId: cluster,
      kind: 'Workload',
      namespace,
      name,
      resourceVersion: '5',
      object: { namespace, name, ownerKind: 'Deployment', labels, ips: ['10.0.0.9'], ports: [{ port: 8080, protocol: 'TCP' }], serviceAccount: 'default', replicas: 2 },
      updatedAt: NOW,
    });
    await t.db.insert(inventoryObjects).values([
      wl('sandbox-students', 'cuda-trainer', { app: 'cuda-trainer' }),
      wl('analytics', 'dashboards', { app: 'dashboards' }),
      wl('analytics', 'ingest', { app: 'ingest' }),
      wl('analytics', 'exempt', { app: 'exempt', 'verity.dev/sleep-exempt': 'true' }),
      { clusterId: cluster, kind: 'Namespace', namespace: '', name: 'sandbox-students', resourceVersion: '1', object: { metadata: { name: 'sandbox-students' } }, updatedAt: NOW },
    ]);
    // The miner: pool connections every minute, CPU at its limit, nobody calling it.
    const rows = [];
    for (let i = 20; i >= 1; i--) {
      rows.push(flow(minute(i), ['sandbox-students', 'cuda-trainer'], { ip: '198.51.100.23' }, 3333, 120));
      rows.push(flow(minute(i), ['istio-system', 'gateway'], ['analytics', 'ingest'], 8080, 50));
    }
    await t.db.insert(flowMinutes).values(rows);
    await usage('sandbox-students', 'cuda-trainer', 20, 1990, 2000);
    // Analytics: dashboards idle for 70 minutes; ingest idle on CPU but serving; exempt idle.
    for (const w of ['dashboards', 'ingest', 'exempt']) await usage('analytics', w, 70, 3, 1000);
  });
  afterAll(() => t?.dispose());

  it('finds the miner by its pool connections and its pinned CPU, once per rule however often the job runs', async () => {
    const first = await runAbuseDetection(system());
    expect(first).toMatchObject({ ran: true, opened: 2, slept: 0 });
    const second = await runAbuseDetection(system());
    expect(second).toMatchObject({ ran: true, opened: 0, refreshed: 2 });
    const rows = await t.db.select().from(abuseFindings);
    expect(rows.map((r) => `${r.rule} ${r.namespace}/${r.workload} ${r.severity}`).sort()).toEqual(['cpu-pinned-idle sandbox-students/cuda-trainer high', 'mining-pool sandbox-students/cuda-trainer critical']);
    const pool = rows.find((r) => r.rule === 'mining-pool')!;
    expect(pool.startedAt).toEqual(minute(20));
    expect(pool.summary).toContain('198.51.100.23:3333');
    expect(pool.evidence).toMatchObject({ kind: 'flows', flows: [{ from: 'sandbox-students/cuda-trainer', to: '198.51.100.23', port: 3333, count: 2400 }] });
    const audit = await t.db.execute(sql`select count(*)::int as n from audit_events where action = 'abuse.finding_opened'`);
    expect(Number((Array.isArray(audit) ? audit : (audit as { rows: { n: number }[] }).rows)[0]!.n)).toBe(2);
  });

  it.skipIf(driver === 'pglite')('skips a run while another process holds the detection lock', async () => {
    await t.db.transaction(async (tx) => {
      await tx.execute(sql`select pg_advisory_xact_lock(hashtext('verity.abuse-detection'))`);
      expect(await runAbuseDetection(system())).toMatchObject({ ran: false });
    });
  });

  it('shows a tenant admin only their tenants\' findings, and row-level security hides the rest even unfiltered', async () => {
    expect((await listFindings(as(security))).findings).toHaveLength(2);
    expect((await listFindings(as(uniAdmin))).findings).toHaveLength(2);
    expect((await listFindings(as(anaAdmin))).findings).toEqual([]);
    const id = (await listFindings(as(security))).findings[0]!.id;
    await expect(getFinding(as(anaAdmin), { id })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    const seen = await inScope(as(anaAdmin), (tx) => tx.select().from(abuseFindings));
    expect(seen).toEqual([]);
    const detail = await getFinding(as(uniAdmin), { id });
    expect(detail.may).toEqual({ respond: false, sleep: true });
  });

  it('notifies the tenant admins, who see it; a tenant admin may not respond', async () => {
    const pool = (await listFindings(as(security), { rule: 'mining-pool' })).findings[0]!;
    await notifyTenant(as(security), { findingId: pool.id, reason: 'Your cuda-trainer is mining; stop it or we quarantine it.' });
    const seen = (await listNotifications(as(uniAdmin))).notifications;
    expect(seen).toHaveLength(1);
    expect(seen[0]!.title).toBe('Connections to cryptocurrency mining pools: sandbox-students/cuda-trainer');
    expect((await listNotifications(as(anaAdmin))).notifications).toEqual([]);
    // A viewer of the tenant reads it but may not acknowledge it for the admins; an admin may.
    const uniViewer = user([{ role: 'viewer', tenantId: university }], false);
    expect((await listNotifications(as(uniViewer))).notifications).toHaveLength(1);
    await expect(acknowledgeNotification(as(uniViewer), { id: seen[0]!.id })).rejects.toMatchObject({ code: 'FORBIDDEN' });
    expect((await listNotifications(as(uniAdmin))).notifications[0]!.acknowledgedAt).toBeNull();
    await acknowledgeNotification(as(uniAdmin), { id: seen[0]!.id });
    expect((await listNotifications(as(uniAdmin))).notifications[0]!.acknowledgedAt).not.toBeNull();
    await expect(notifyTenant(as(uniAdmin), { findingId: pool.id, reason: 'x'.repeat(5) })).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await expect(notifyTenant(as(security), { findingId: pool.id, reason: '' })).rejects.toThrow(/at least 3 characters/);
    const actions = (await getFinding(as(uniAdmin), { id: pool.id })).actions;
    expect(actions.map((a) => a.action)).toEqual(['notify']);
  });

  it('proposes a quarantine as a change request denying the workload\'s egress, linked from the finding', async () => {
    const pool = (await listFindings(as(security), { rule: 'mining-pool' })).findings[0]!;
    const { changeId } = await proposeQuarantine(as(security), { findingId: pool.id, reason: 'Mining pool connections' });
    const [change] = await t.db.select().from(changeRequests).where(eq(changeRequests.id, changeId));
    expect(change!.status).not.toBe('draft');
    expect(change!.sourceText).toContain('kind: NetworkPolicy');
    expect(change!.sourceText).toContain('name: verity-quarantine-cuda-trainer');
    expect(change!.sourceText).toMatch(/policyTypes:\s*\n\s*- Egress/);
    const actions = (await getFinding(as(security), { id: pool.id })).actions;
    expect(actions.at(-1)).toMatchObject({ action: 'quarantine', change: { id: changeId } });
  });

  it('puts idle workloads of an opted-in tenant to sleep, never one serving traffic or exempt, and wakes them through the agent', async () => {
    // Not opted in: nothing sleeps.
    expect(await runAbuseDetection(system())).toMatchObject({ slept: 0 });
    await expect(setSleepPolicy(as(uniAdmin), { tenantId: analytics, sleep: { enabled: true, idleMinutes: 60, cpuBelowMillicores: 25, exemptLabel: 'verity.dev/sleep-exempt' } })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await setSleepPolicy(as(anaAdmin), { tenantId: analytics, sleep: { enabled: true, idleMinutes: 60, cpuBelowMillicores: 25, exemptLabel: 'verity.dev/sleep-exempt' } });
    expect(await runAbuseDetection(system())).toMatchObject({ slept: 1 });
    expect(await runAbuseDetection(system())).toMatchObject({ slept: 0 });
    const [sleep] = await t.db.select().from(workloadSleeps);
    expect(sleep).toMatchObject({ namespace: 'analytics', workload: 'dashboards', trigger: 'activity', status: 'sleeping', sleptBy: null });
    expect(sleep!.reason).toContain('No inbound connections and CPU below 25 millicores');
    const [command] = await t.db.select().from(agentCommands).where(eq(agentCommands.id, sleep!.sleepCommandId));
    expect(JSON.parse(command!.bundle)).toMatchObject({ type: 'sleep', targets: [{ kind: 'Deployment', namespace: 'analytics', name: 'dashboards' }], operations: [] });

    // Not asleep yet: waking waits for the agent.
    await expect(wakeWorkload(as(anaAdmin), { sleepId: sleep!.id, reason: 'needed for the board meeting' })).rejects.toMatchObject({ code: 'CONFLICT' });
    const agent: Principal = { kind: 'agent', agentId: randomUUID(), clusterId: cluster, label: 'agent' };
    const annotation = JSON.stringify({ kind: 'Deployment', replicas: 2, sleptAt: NOW.toISOString() });
    await recordCommandResult(as(agent), {
      commandId: command!.id,
      status: 'applied',
      results: [{ ref: { apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'analytics', name: 'dashboards' }, outcome: 'applied', object: { metadata: { annotations: { 'verity.dev/sleep-state': annotation } }, spec: { replicas: 0 } } }],
    });
    const listed = (await listSleeps(as(anaAdmin))).sleeps;
    expect(listed).toHaveLength(1);
    expect(listed[0]).toMatchObject({ status: 'asleep', original: { kind: 'Deployment', replicas: 2 }, mayWake: true });
    expect((await listSleeps(as(uniAdmin))).sleeps).toEqual([]);

    await expect(wakeWorkload(as(uniAdmin), { sleepId: sleep!.id, reason: 'not mine' })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    const { commandId } = await wakeWorkload(as(anaAdmin), { sleepId: sleep!.id, reason: 'needed for the board meeting' });
    await recordCommandResult(as(agent), { commandId, status: 'applied', results: [{ ref: { apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'analytics', name: 'dashboards' }, outcome: 'applied' }] });
    const [woken] = await t.db.select().from(workloadSleeps).where(eq(workloadSleeps.id, sleep!.id));
    expect(woken).toMatchObject({ status: 'awake', wakeReason: 'needed for the board meeting' });
    const log = await t.db.select().from(abuseActions).where(eq(abuseActions.sleepId, sleep!.id));
    expect(log.map((a) => a.action).sort()).toEqual(['sleep', 'wake']);
  });

  it('changes one threshold without resetting the others, and names a bad value without writing it', async () => {
    await setAbuseThresholds(as(security), { tenantId: university, settings: { miningPool: { extraAddresses: ['198.51.100.7'] } } });
    await setAbuseThresholds(as(security), { tenantId: university, settings: { cpuPinned: { minutes: 20 } } });
    const { settings } = await readAbuseSettings(as(security), { tenantId: university });
    expect(settings.miningPool.extraAddresses).toEqual(['198.51.100.7']);
    expect(settings.cpuPinned).toMatchObject({ minutes: 20, limitRatio: 0.9 });
    await expect(setAbuseThresholds(as(security), { tenantId: university, settings: { miningPool: { extraAddresses: ['not an address'] } } })).rejects.toThrow(/settings\.miningPool\.extraAddresses\.0: must be an IP address/);
    await expect(setAbuseThresholds(as(security), { tenantId: university, settings: { sleep: { enabled: true } } as never })).rejects.toThrow();
    expect((await readAbuseSettings(as(security), { tenantId: university })).settings.miningPool.extraAddresses).toEqual(['198.51.100.7']);
    await expect(setAbuseThresholds(as(uniAdmin), { tenantId: university, settings: { cpuPinned: { minutes: 1 } } })).rejects.toMatchObject({ code: 'FORBIDDEN' });
  });

  it('refuses a threshold outside its range in words, under the name of the field, and writes nothing', async () => {
    const refused = (settings: Record<string, Record<string, unknown>>) => setAbuseThresholds(as(security), { tenantId: university, settings });
    await expect(refused({ cpuPinned: { limitRatio: 1.5 } })).rejects.toMatchObject({ code: 'BAD_REQUEST', field: 'settings.cpuPinned.limitRatio', message: 'settings.cpuPinned.limitRatio: must be at most 1' });
    await expect(refused({ cpuPinned: { minutes: 2.5 } })).rejects.toThrow('settings.cpuPinned.minutes: must be a whole number');
    await expect(refused({ deniedBurst: { attempts: 'many' } })).rejects.toThrow('settings.deniedBurst.attempts: must be a number');
    await expect(refused({ quotaPinned: { usedRatio: 0 } })).rejects.toThrow('settings.quotaPinned.usedRatio: must be at least 0.01');
    await expect(refused({ miningPool: { extraPorts: [3334, 70000] } })).rejects.toMatchObject({ field: 'settings.miningPool.extraPorts.1', message: 'settings.miningPool.extraPorts.1: must be at most 65,535' });
    const { settings } = await readAbuseSettings(as(security), { tenantId: university });
    expect(settings.cpuPinned.limitRatio).toBe(0.9);
    expect(settings.deniedBurst.attempts).toBe(200);
    expect(settings.miningPool.extraPorts).toEqual([]);
  });

  it('resolves a finding once; the next run opens a new one if the behaviour goes on', async () => {
    const pool = (await listFindings(as(security), { rule: 'mining-pool' })).findings[0]!;
    await resolveFinding(as(security), { findingId: pool.id, reason: 'Quarantined' });
    await expect(resolveFinding(as(security), { findingId: pool.id, reason: 'again' })).rejects.toMatchObject({ code: 'CONFLICT' });
    expect(await runAbuseDetection(system())).toMatchObject({ opened: 1 });
    expect((await listFindings(as(security), { status: 'all', rule: 'mining-pool' })).findings.map((f) => f.status).sort()).toEqual(['open', 'resolved']);
  });
});
