// Time-bound grants and approval expiry on a real database with a real agent: a binding
// granted until a moment is approved, applied, and removed by the sweeper once that moment
// passes, with the grant's approvals as the removal's proof (which the agent verifies);
// sweeps are idempotent, and two console processes sweeping at once remove a grant once.
// Approvals that lapse before the agent took the bundle expire the change.
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { and, eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAgent, type RunningAgent } from '@/agent/run-agent';
import { openDatabase } from '@/db/client';
import { agentCommands, auditEvents, users } from '@/db/schema';
import { approvalRules, changeRequests } from '@/db/schema/hand-written/changes';
import { timeBoundGrants } from '@/db/schema/hand-written/time-bound-grants';
import { contextFor, seedTenant, seedUser, systemContext } from '@/db/seed/factories';
import { handleAgentRequest } from '@/server/http/agent-api';
import { consoleSecret } from '@/server/security/console-secret';
import { seal } from '@/server/security/secret-box';
import { newTotpSecret, totpCodeAt } from '@/server/security/totp';
import { registerCluster } from '@/server/services/clusters/register-cluster';
import type { Principal } from '@/server/services/context';
import { inScope } from '@/server/services/scope';
import { submitAndPreview } from '@/test/helpers/await-preview';
import { FakeDriver } from '@/test/helpers/fake-driver';
import { openTestDatabase, type TestDatabase, testDrivers } from '@/test/helpers/test-database';
import { until } from '@/test/helpers/until';
import { rowsOf } from '../audit/audit-query';
import { rebaseChange } from './cancel-and-comment';
import { decideChange } from './decide-change';
import { getChange } from './read-changes';
import { saveDraft } from './save-draft';
import { sweepExpiries } from './sweep-expiries';

const grantYaml = (name: string, expiresAt: string) => `apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata:
  name: ${name}
  namespace: payments
  annotations:
    verity.dev/expires-at: "${expiresAt}"
subjects:
- kind: User
  name: oncall@example.test
  apiGroup: rbac.authorization.k8s.io
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: ClusterRole
  name: edit
`;

describe.each(testDrivers())('time-bound grants and approval expiry (%s)', (driver) => {
  let t: TestDatabase;
  let clusterId: string;
  let idleClusterId: string;
  let tenantId: string;
  let requester: Principal;
  let approver: Principal;
  let approverSecret: string;
  let agent: RunningAgent;
  let codeStep = 0;
  const fake = new FakeDriver([
    { kind: 'Namespace', namespace: null, name: 'payments', resourceVersion: '1', object: { metadata: { name: 'payments' } } },
    { kind: 'ClusterRole', namespace: null, name: 'edit', resourceVersion: '2', object: { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'edit' }, rules: [{ apiGroups: [''], resources: ['pods', 'pods/exec'], verbs: ['get', 'create'] }] } },
    { kind: 'RoleBinding', namespace: 'payments', name: 'existing', resourceVersion: '3', object: { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding', metadata: { name: 'existing', namespace: 'payments' }, subjects: [{ kind: 'User', name: 'ana', apiGroup: 'rbac.authorization.k8s.io' }], roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'edit' } } },
  ]);
  /** Approves at a later 30-second step each time (a TOTP step is used once). */
  const approveAt = (changeId: string, digest: string) => {
    // The code of the next step, accepted within one step of the approver's clock.
    const at = new Date(Date.now() + 30_000 * codeStep);
    const code = totpCodeAt(approverSecret, new Date(Date.now() + 30_000 * ++codeStep));
    return decideChange({ ...contextFor(t.db, approver), now: () => at }, { changeId, decision: 'approve', reason: 'reviewed: on call for incident 42', digest, totpCode: code });
  };
  const statusOf = async (id: string) => (await inScope(systemContext(t.db), (tx) => tx.select().from(changeRequests).where(eq(changeRequests.id, id))))[0]!;

  beforeAll(async () => {
    t = await openTestDatabase(driver);
    const reg = await registerCluster(systemContext(t.db), { name: 'prod' });
    clusterId = reg.cluster.id;
    idleClusterId = (await registerCluster(systemContext(t.db), { name: 'idle' })).cluster.id;
    tenantId = (await seedTenant(t.db, 'payments', { cluster: 'prod', namespaces: ['payments'] })).id;
    await inScope(systemContext(t.db), (tx) => tx.execute(sql`insert into tenant_namespaces (tenant_id, cluster_id, namespace) values (${tenantId}, ${idleClusterId}, 'payments')`));
    const u1 = await seedUser(t.db, { email: 'req@example.test', grants: [{ role: 'tenant_admin', tenantId }] });
    requester = { kind: 'user', userId: u1.id, email: 'req@example.test', grants: [{ role: 'tenant_admin', tenantId }], mfaVerified: true, sessionId: null };
    approverSecret = newTotpSecret();
    const u2 = await seedUser(t.db, { email: 'appr@example.test', grants: [{ role: 'approver', tenantId }] });
    await t.db.update(users).set({ totpSecretEnc: seal(consoleSecret(), 'totp', approverSecret), totpEnabledAt: new Date() }).where(eq(users.id, u2.id));
    approver = { kind: 'user', userId: u2.id, email: 'appr@example.test', grants: [{ role: 'approver', tenantId }], mfaVerified: true, sessionId: null };
    const fetchVia = (async (url: string | URL | Request, init?: RequestInit) => handleAgentRequest(t, new Request(url, init))) as typeof fetch;
    agent = await startAgent({ stateDir: mkdtempSync(path.join(os.tmpdir(), 'verity-tbg-')), consoleUrl: 'http://c.test', enrollToken: reg.token, driver: fake, fetch: fetchVia, log: () => {}, pollWaitS: 1, flushMs: 60_000 });
    await until(async () => (await inScope(systemContext(t.db), (tx) => tx.select().from(auditEvents).where(eq(auditEvents.action, 'agent.inventory_snapshot')))).length > 0);
  });
  afterAll(async () => {
    await agent?.stop();
    await t?.dispose();
  });

  it('refuses an expiry in the past, without a zone, or on a binding that exists already', async () => {
    const ctx = contextFor(t.db, requester);
    const past = await saveDraft(ctx, { tenantId, clusterId, title: 'Past', description: '', sourceText: grantYaml('late', '2020-01-01T00:00:00Z'), deletes: [] });
    expect(past.problems.map((p) => p.message)).toContainEqual(expect.stringContaining('already passed'));
    const zoneless = await saveDraft(ctx, { tenantId, clusterId, title: 'Zone', description: '', sourceText: grantYaml('zoneless', '2099-01-01T00:00:00'), deletes: [] });
    expect(zoneless.problems.map((p) => p.message)).toContainEqual(expect.stringContaining('time zone'));
    const existing = await saveDraft(ctx, { tenantId, clusterId, title: 'Existing', description: '', sourceText: grantYaml('existing', '2099-01-01T00:00:00Z'), deletes: [] });
    expect(existing.problems.map((p) => p.message)).toContainEqual(expect.stringContaining('must create a new binding'));
  });

  it('grants until the approved moment, then removes the binding on its own, once, audited under the grant', async () => {
    const ctx = contextFor(t.db, requester);
    const expiresAt = new Date(Date.now() + 15_000).toISOString();
    const { id, problems } = await saveDraft(ctx, { tenantId, clusterId, title: 'On-call access', description: 'incident 42', sourceText: grantYaml('oncall', expiresAt), deletes: [] });
    expect(problems).toEqual([]);
    const { digest } = await submitAndPreview(ctx, id);
    const rbac = (await getChange(ctx, { changeId: id })).preview as { rbac: { subjects: { subject: string; gained: string[] }[] } };
    expect(rbac.rbac.subjects).toContainEqual(expect.objectContaining({ subject: 'User oncall@example.test', gained: expect.arrayContaining([expect.stringContaining('pods/exec')]) }));
    await approveAt(id, digest);
    await until(async () => ((await statusOf(id)).status === 'applied' ? true : null));
    expect(fake.objects.has('RoleBinding/payments/oncall')).toBe(true);
    await until(async () => ((await getChange(ctx, { changeId: id })).verification?.[0]?.result.state === 'matches' ? true : null));

    // Before the expiry, sweeping does nothing.
    expect((await sweepExpiries(systemContext(t.db))).removals).toEqual([]);
    await new Promise((r) => setTimeout(r, Math.max(0, Date.parse(expiresAt) - Date.now() + 200)));

    // Two console processes sweep at once: one removal. On PostgreSQL the second is a real
    // second connection pool (another process's view of the same database).
    let second = t.db;
    let closeSecond = async () => {};
    if (driver === 'postgres') {
      const name = String(rowsOf(await t.db.execute(sql`select current_database() as db`))[0]?.db);
      const url = new URL(process.env.DATABASE_URL!);
      url.pathname = `/${name}`;
      const other = await openDatabase({ url: url.toString() });
      second = other.db;
      closeSecond = () => other.close();
    }
    const [a, b] = await Promise.all([sweepExpiries(systemContext(t.db)), sweepExpiries(systemContext(second))]);
    await closeSecond();
    const removals = [...a.removals, ...b.removals];
    expect(removals).toHaveLength(1);
    expect(removals[0]).toMatchObject({ grantChangeId: id, bindings: ['RoleBinding/payments/oncall'], outcome: 'issued' });
    // Idempotent: nothing left to do.
    expect((await sweepExpiries(systemContext(t.db))).removals).toEqual([]);

    const removalId = removals[0]!.removalChangeId!;
    const removal = await until(async () => {
      const c = await getChange(ctx, { changeId: removalId });
      return c.status === 'applied' ? c : null;
    });
    expect(fake.objects.has('RoleBinding/payments/oncall')).toBe(false);
    expect(removal.timeBound.removes).toEqual([expect.objectContaining({ grantChangeId: id, objectKey: 'RoleBinding/payments/oncall', removalState: 'issued', removedAt: expect.any(Date) })]);
    // The bundle carried the grant's approvals and digest, and the grant's signed bundle as proof.
    const [cmd] = await inScope(systemContext(t.db), (tx) => tx.select().from(agentCommands).where(eq(agentCommands.changeId, removalId)));
    const bundle = JSON.parse(cmd!.bundle) as { approvalsDigest: string; approvals: { userId: string }[]; grantExpiry: { bundle: string } };
    expect(bundle.approvalsDigest).toBe(digest);
    expect(bundle.approvals.map((x) => x.userId)).toEqual([(approver as { userId: string }).userId]);
    expect(JSON.parse(bundle.grantExpiry.bundle)).toMatchObject({ changeId: id, approvalsDigest: digest });
    expect(cmd!.status).toBe('applied');

    // Both steps are in the grant's own story (its change id is the correlation).
    const story = await until(async () => {
      const rows = await inScope(systemContext(t.db), (tx) => tx.select().from(auditEvents).where(sql`${auditEvents.details} ->> 'changeId' = ${id}`));
      return rows.some((r) => r.action === 'change.grant_removed') ? rows : null;
    });
    expect(story.map((e) => e.action)).toEqual(expect.arrayContaining(['change.approved', 'change.applied', 'change.grant_expired', 'change.grant_removed']));
    const grantView = await getChange(ctx, { changeId: id });
    expect(grantView.timeBound.grants).toEqual([expect.objectContaining({ objectKey: 'RoleBinding/payments/oncall', removalChangeId: removalId, removedAt: expect.any(Date) })]);
    // The binding is gone as approved: not reported as drift.
    expect(grantView.verification).toEqual([]);
  });

  it('does not delete at expiry a binding the grant’s apply did not create', async () => {
    const ctx = contextFor(t.db, requester);
    // Beyond the approver's shifted clock (see approveAt); the sweeps below run at a later clock.
    const expiresAt = new Date(Date.now() + 30_000 * (codeStep + 1) + 10_000).toISOString();
    const afterExpiry = () => ({ ...systemContext(t.db), now: () => new Date(Date.parse(expiresAt) + 1_000) });
    const { id } = await saveDraft(ctx, { tenantId, clusterId, title: 'Partial grant', description: 'incident 43', sourceText: grantYaml('partly', expiresAt), deletes: [] });
    const { digest } = await submitAndPreview(ctx, id);
    await approveAt(id, digest);
    await until(async () => ((await statusOf(id)).status === 'applied' ? true : null));
    // As a partial apply reports it: the agent stopped before this binding, so it never created
    // it; someone else's binding of that name exists now (the fake cluster still holds ours).
    const { commandId } = await statusOf(id);
    await inScope(systemContext(t.db), async (tx) => {
      const [cmd] = await tx.select().from(agentCommands).where(eq(agentCommands.id, commandId!));
      const result = cmd!.result as { results: { outcome: string }[] };
      await tx.update(agentCommands).set({ result: { ...result, results: result.results.map((r) => ({ ...r, outcome: 'skipped' })) } }).where(eq(agentCommands.id, commandId!));
    });
    const { removals } = await sweepExpiries(afterExpiry());
    expect(removals).toEqual([expect.objectContaining({ grantChangeId: id, removalChangeId: null, bindings: ['RoleBinding/payments/partly'], outcome: 'refused' })]);
    expect(fake.objects.has('RoleBinding/payments/partly')).toBe(true);
    const [grant] = await inScope(systemContext(t.db), (tx) => tx.select().from(timeBoundGrants).where(eq(timeBoundGrants.changeId, id)));
    expect(grant!.removalDetail).toMatch(/did not create this binding/);
    expect((await sweepExpiries(afterExpiry())).removals).toEqual([]);
  });

  it('refuses to approve a grant whose expiry passed while it waited', async () => {
    const ctx = contextFor(t.db, requester);
    const { id } = await saveDraft(ctx, { tenantId, clusterId, title: 'Too slow', description: '', sourceText: grantYaml('slow', new Date(Date.now() + 2_000).toISOString()), deletes: [] });
    const { digest } = await submitAndPreview(ctx, id);
    await new Promise((r) => setTimeout(r, 2_100));
    await expect(approveAt(id, digest)).rejects.toMatchObject({ code: 'CONFLICT', message: expect.stringContaining('which has passed') });
    expect((await statusOf(id)).status).toBe('pending');
  });

  it('an approved change whose approvals lapse before the agent took the bundle expires, and its bundle is withdrawn', async () => {
    await t.db.insert(approvalRules).values({ tenantId, requiredApprovals: 1, approvalTtlMinutes: 60, updatedAt: new Date() });
    const ctx = contextFor(t.db, requester);
    // The idle cluster has no agent: the bundle waits, undelivered.
    const { id } = await saveDraft(ctx, { tenantId, clusterId: idleClusterId, title: 'Waits', description: '', sourceText: grantYaml('waits', '2099-01-01T00:00:00Z'), deletes: [] });
    const { digest } = await submitAndPreview(ctx, id);
    await approveAt(id, digest);
    expect((await statusOf(id)).status).toBe('applying');
    const commandId = (await statusOf(id)).commandId!;

    // Within the approval's life: nothing moves.
    expect((await sweepExpiries(systemContext(t.db, () => new Date(Date.now() + 58 * 60_000)))).expired).toEqual([]);
    const later = () => new Date(Date.now() + 62 * 60_000);
    const swept = await sweepExpiries(systemContext(t.db, later));
    expect(swept.expired).toEqual([{ changeId: id, commandId }]);
    expect((await statusOf(id)).status).toBe('expired');
    const [cmd] = await inScope(systemContext(t.db), (tx) => tx.select().from(agentCommands).where(eq(agentCommands.id, commandId)));
    expect(cmd!.status).toBe('withdrawn');
    expect((await sweepExpiries(systemContext(t.db, later))).expired).toEqual([]);
    const events = await inScope(systemContext(t.db), (tx) => tx.select().from(auditEvents).where(and(eq(auditEvents.action, 'change.approvals_expired'), eq(auditEvents.resourceId, id))));
    expect(events).toHaveLength(1);
    expect(events[0]!.details).toMatchObject({ changeId: id, wasStatus: 'applying', withdrawnCommandId: commandId, approvalTtlMinutes: 60 });
    // The requester brings it back for fresh approvals.
    await rebaseChange(ctx, { changeId: id });
    expect((await statusOf(id))).toMatchObject({ status: 'draft', revision: 2, digest: null });
    // Its grant is still on record, unremoved (it was never applied).
    const grants = await inScope(systemContext(t.db), (tx) => tx.select().from(timeBoundGrants).where(eq(timeBoundGrants.changeId, id)));
    expect(grants).toEqual([expect.objectContaining({ objectKey: 'RoleBinding/payments/waits', removalState: null })]);
  });
});
