// The change workflow on a real database: draft, submit with preview, approval rules with
// fresh MFA, the signed bundle applied by a real agent, and the outcome recorded.
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAgent, type RunningAgent } from '@/agent/run-agent';
import { agentCommands, auditEvents, users } from '@/db/schema';
import { approvalRules, changeRequests } from '@/db/schema/hand-written/changes';
import { contextFor, seedTenant, seedUser, systemContext } from '@/db/seed/factories';
import { handleAgentRequest } from '@/server/http/agent-api';
import { consoleSecret } from '@/server/security/console-secret';
import { seal } from '@/server/security/secret-box';
import { newTotpSecret, totpCodeAt } from '@/server/security/totp';
import { registerCluster } from '@/server/services/clusters/register-cluster';
import type { Principal } from '@/server/services/context';
import { inScope } from '@/server/services/scope';
import { FakeDriver } from '@/test/helpers/fake-driver';
import { openTestDatabase, type TestDatabase, testDrivers } from '@/test/helpers/test-database';
import { until } from '@/test/helpers/until';
import { submitAndPreview } from '@/test/helpers/await-preview';
import { decideChange } from './decide-change';
import { getChange, listChanges } from './read-changes';
import { rollbackChange } from './rollback-change';
import { rebaseChange } from './cancel-and-comment';
import { saveDraft } from './save-draft';
import { submitChange } from './submit-change';

const DENY = `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: default-deny-ingress
  namespace: payments
spec:
  podSelector: {}
  policyTypes: [Ingress]
`;


describe.each(testDrivers())('change workflow (%s)', (driver) => {
  let t: TestDatabase;
  let clusterId: string;
  let tenantId: string;
  let requester: Principal;
  let approver: Principal;
  let outsider: Principal;
  let approverSecret: string;
  let agent: RunningAgent;
  const fake = new FakeDriver([
    { kind: 'Namespace', namespace: null, name: 'payments', resourceVersion: '1', object: { metadata: { name: 'payments' } } },
    { kind: 'Workload', namespace: 'payments', name: 'api', resourceVersion: '2', object: { namespace: 'payments', name: 'api', ownerKind: 'Deployment', labels: { app: 'api' }, ips: ['10.0.0.2'], ports: [{ port: 8080, protocol: 'TCP' }], serviceAccount: 'default', replicas: 1 } },
    { kind: 'Workload', namespace: 'payments', name: 'web', resourceVersion: '3', object: { namespace: 'payments', name: 'web', ownerKind: 'Deployment', labels: { app: 'web' }, ips: ['10.0.0.3'], ports: [], serviceAccount: 'default', replicas: 1 } },
  ]);
  const user = async (email: string, role: 'tenant_admin' | 'approver', tenant: string | null, totp?: string): Promise<Principal> => {
    const u = await seedUser(t.db, { email, grants: [{ role, tenantId: tenant }] });
    if (totp) await t.db.update(users).set({ totpSecretEnc: seal(consoleSecret(), 'totp', totp), totpEnabledAt: new Date() }).where(eq(users.id, u.id));
    return { kind: 'user', userId: u.id, email, grants: [{ role, tenantId: tenant }], mfaVerified: true, sessionId: null };
  };

  beforeAll(async () => {
    t = await openTestDatabase(driver);
    const reg = await registerCluster(systemContext(t.db), { name: 'prod' });
    clusterId = reg.cluster.id;
    tenantId = (await seedTenant(t.db, 'payments', { cluster: 'prod', namespaces: ['payments'] })).id;
    const other = await seedTenant(t.db, 'shop', { cluster: 'prod', namespaces: ['shop'] });
    requester = await user('req@example.test', 'tenant_admin', tenantId);
    approverSecret = newTotpSecret();
    approver = await user('appr@example.test', 'approver', tenantId, approverSecret);
    outsider = await user('other@example.test', 'approver', other.id, newTotpSecret());
    const fetchVia = (async (url: string | URL | Request, init?: RequestInit) => handleAgentRequest(t, new Request(url, init))) as typeof fetch;
    agent = await startAgent({ stateDir: mkdtempSync(path.join(os.tmpdir(), 'verity-chg-')), consoleUrl: 'http://c.test', enrollToken: reg.token, driver: fake, fetch: fetchVia, log: () => {}, pollWaitS: 1, flushMs: 60_000 });
    agent.observeFlows([{ time: new Date(), source: { namespace: 'payments', workload: 'web' }, destination: { namespace: 'payments', workload: 'api' }, port: 8080, protocol: 'TCP', mtls: 'mutual', verdict: 'allowed', count: 40 }]);
    agent.flush();
    await until(async () => (await inScope(systemContext(t.db), (tx) => tx.select().from(auditEvents).where(eq(auditEvents.action, 'agent.inventory_snapshot')))).length > 0);
    await new Promise((r) => setTimeout(r, 500));
  });
  afterAll(async () => {
    await agent?.stop();
    await t?.dispose();
  });

  it('keeps a draft with problems, and refuses to submit it', async () => {
    const ctx = contextFor(t.db, requester);
    const draft = await saveDraft(ctx, { tenantId, clusterId, title: 'Broken', description: '', sourceText: 'kind: Secret\n', deletes: [] });
    expect(draft.problems[0]).toMatchObject({ message: expect.stringContaining('not governed') });
    await expect(submitChange(ctx, { changeId: draft.id })).rejects.toMatchObject({ code: 'BAD_REQUEST' });
  });

  it('refuses objects outside the tenant, writing nothing', async () => {
    const r = await saveDraft(contextFor(t.db, requester), { tenantId, clusterId, title: 'Reach', description: '', sourceText: DENY.replace('namespace: payments', 'namespace: shop'), deletes: [] });
    expect(r.problems[0]!.message).toContain("not one of this tenant's namespaces");
    await expect(saveDraft(contextFor(t.db, outsider), { tenantId, clusterId, title: 'Not mine', description: '', sourceText: DENY, deletes: [] })).rejects.toMatchObject({ code: expect.stringMatching(/FORBIDDEN|NOT_FOUND/) });
  });

  it('refuses an edit saved from an older revision, keeping what was saved in between', async () => {
    const ctx = contextFor(t.db, requester);
    const first = await saveDraft(ctx, { tenantId, clusterId, title: 'Two tabs', description: '', sourceText: DENY, deletes: [] });
    expect(first.revision).toBe(1);
    const second = await saveDraft(ctx, { changeId: first.id, tenantId, clusterId, title: 'Two tabs (tab A)', description: '', sourceText: DENY, deletes: [], expectedRevision: 1 });
    expect(second.revision).toBe(2);
    await expect(saveDraft(ctx, { changeId: first.id, tenantId, clusterId, title: 'Two tabs (tab B)', description: '', sourceText: '', deletes: [], expectedRevision: 1 })).rejects.toMatchObject({
      code: 'CONFLICT',
      message: expect.stringContaining('revision 2, yours 1'),
    });
    const kept = await getChange(ctx, { changeId: first.id });
    expect(kept).toMatchObject({ title: 'Two tabs (tab A)', revision: 2, sourceText: DENY });
  });

  it('previews, needs an approver with a fresh code, then the agent applies exactly what was approved', async () => {
    const ctx = contextFor(t.db, requester);
    const { id } = await saveDraft(ctx, { tenantId, clusterId, title: 'Default deny', description: 'lock down', sourceText: DENY, deletes: [] });
    const { digest } = await submitAndPreview(ctx, id);
    const change = await getChange(ctx, { changeId: id });
    expect(change.status).toBe('pending');
    const preview = change.preview as { objects: { action: string }[]; netpol: { newlyDenied: number; flips: { source: string; destination: string; change: string }[] } };
    expect(preview.objects[0]!.action).toBe('create');
    expect(preview.netpol.flips).toContainEqual(expect.objectContaining({ source: 'payments/web', destination: 'payments/api', change: 'allowed-to-denied' }));

    // The requester cannot approve (nor could they: they hold no change:approve).
    await expect(decideChange(ctx, { changeId: id, decision: 'approve', reason: 'lgtm', digest, totpCode: '000000' })).rejects.toMatchObject({ code: 'FORBIDDEN' });
    // An approver of another tenant does not even see it.
    await expect(decideChange(contextFor(t.db, outsider), { changeId: id, decision: 'approve', reason: 'lgtm', digest, totpCode: totpCodeAt(approverSecret, new Date()) })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    const actx = contextFor(t.db, approver);
    expect((await listChanges(actx, { view: 'inbox' })).map((c) => c.id)).toContain(id);
    await expect(decideChange(actx, { changeId: id, decision: 'approve', reason: 'lgtm', digest, totpCode: '123456' })).rejects.toMatchObject({ code: 'UNAUTHORIZED' });
    await expect(decideChange(actx, { changeId: id, decision: 'approve', reason: 'lgtm', digest: 'f'.repeat(64), totpCode: totpCodeAt(approverSecret, new Date()) })).rejects.toMatchObject({ code: 'CONFLICT' });
    const approved = await decideChange(actx, { changeId: id, decision: 'approve', reason: 'reviewed the blocked flows', digest, totpCode: totpCodeAt(approverSecret, new Date(Date.now() + 30_000)) });
    expect(approved.status).toBe('applying');

    const done = await until(async () => {
      const [row] = await inScope(systemContext(t.db), (tx) => tx.select().from(changeRequests).where(eq(changeRequests.id, id)));
      return row?.status === 'applied' ? row : null;
    });
    expect(done.status).toBe('applied');
    const applied = fake.executed.filter((e) => !e.dryRun);
    expect(applied).toHaveLength(1);
    expect(applied[0]!.op).toMatchObject({ action: 'apply', expectedResourceVersion: null, object: { metadata: { name: 'default-deny-ingress', namespace: 'payments' } } });
    // The agent's watch reports the applied object; the change then verifies against it.
    const verified = await until(async () => {
      const c = await getChange(ctx, { changeId: id });
      return c.verification?.[0]?.result.state === 'matches' ? c : null;
    }).catch(() => null);
    expect(verified?.verification).toEqual([{ key: 'NetworkPolicy/payments/default-deny-ingress', result: { state: 'matches' } }]);
    const story = await inScope(systemContext(t.db), (tx) => tx.select().from(auditEvents).where(eq(auditEvents.resourceId, id)));
    expect(story.map((e) => e.action)).toEqual(expect.arrayContaining(['change.drafted', 'change.submitted', 'change.approved', 'change.applying', 'change.applied']));

    // Rolling back drafts the inverse: the policy this change created is deleted again.
    const rollback = await rollbackChange(ctx, { changeId: id });
    expect(rollback.problems).toEqual([]);
    const inverse = await getChange(ctx, { changeId: rollback.id });
    expect(inverse).toMatchObject({ status: 'draft', rollsBack: id, title: 'Roll back: Default deny' });
    expect(inverse.operations).toEqual([{ action: 'delete', key: { kind: 'NetworkPolicy', namespace: 'payments', name: 'default-deny-ingress' } }]);
    await expect(rollbackChange(ctx, { changeId: rollback.id })).rejects.toMatchObject({ code: 'BAD_REQUEST', message: expect.stringContaining('Only an applied change') });
  });

  it('two approvers deciding at once: both count, the bundle is issued exactly once', async () => {
    await t.db.insert(approvalRules).values({ tenantId, requiredApprovals: 2, approvalTtlMinutes: 60, updatedAt: new Date() });
    const secondSecret = newTotpSecret();
    const second = await user('appr2@example.test', 'approver', tenantId, secondSecret);
    const ctx = contextFor(t.db, requester);
    const src = DENY.replace('default-deny-ingress', 'concurrent');
    const { id } = await saveDraft(ctx, { tenantId, clusterId, title: 'Concurrent', description: '', sourceText: src, deletes: [] });
    const { digest } = await submitAndPreview(ctx, id);
    const later = new Date(Date.now() + 60_000);
    const at = () => later;
    const results = await Promise.all([
      decideChange({ ...contextFor(t.db, approver), now: at }, { changeId: id, decision: 'approve', reason: 'one', digest, totpCode: totpCodeAt(approverSecret, later) }),
      decideChange({ ...contextFor(t.db, second), now: at }, { changeId: id, decision: 'approve', reason: 'two', digest, totpCode: totpCodeAt(secondSecret, later) }),
    ]);
    expect(results.map((r) => r.status).sort()).toEqual(['applying', 'pending']);
    const commands = await inScope(systemContext(t.db), (tx) => tx.select().from(agentCommands).where(eq(agentCommands.changeId, id)));
    // One dry run for the preview, one apply.
    expect(commands.filter((c) => c.type === 'apply')).toHaveLength(1);
    expect(commands.filter((c) => c.type === 'dry-run')).toHaveLength(1);
  });

  it('a change that went stale in the cluster applies nothing, and a rebase takes a fresh preview', async () => {
    const ctx = contextFor(t.db, requester);
    await t.db.update(approvalRules).set({ requiredApprovals: 1 }).where(eq(approvalRules.tenantId, tenantId));
    const src = DENY.replace('default-deny-ingress', 'raced');
    const { id } = await saveDraft(ctx, { tenantId, clusterId, title: 'Raced', description: '', sourceText: src, deletes: [] });
    const { digest } = await submitAndPreview(ctx, id);
    // Someone creates the object in the cluster after the review: the approval no longer matches reality.
    fake.put({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'raced', namespace: 'payments' }, spec: { podSelector: {} } });
    const before = fake.executed.length;
    const later = new Date(Date.now() + 120_000);
    await decideChange({ ...contextFor(t.db, approver), now: () => later }, { changeId: id, decision: 'approve', reason: 'ok', digest, totpCode: totpCodeAt(approverSecret, later) });
    const stale = await until(async () => {
      const c = await getChange(ctx, { changeId: id });
      return c.status === 'stale' ? c : null;
    });
    expect(fake.executed.length).toBe(before);
    expect((stale.result as { results: { outcome: string }[] }).results[0]!.outcome).toBe('stale');
    await rebaseChange(ctx, { changeId: id });
    const rebased = await getChange(ctx, { changeId: id });
    expect(rebased).toMatchObject({ status: 'draft', revision: 2, digest: null });
  });

  it('an edit after submission invalidates approvals', async () => {
    const ctx = contextFor(t.db, requester);
    const src = DENY.replace('default-deny-ingress', 'second');
    const { id } = await saveDraft(ctx, { tenantId, clusterId, title: 'Second', description: '', sourceText: src, deletes: [] });
    const { digest } = await submitAndPreview(ctx, id);
    await saveDraft(ctx, { changeId: id, tenantId, clusterId, title: 'Second (edited)', description: '', sourceText: src.replace('[Ingress]', '[Ingress, Egress]'), deletes: [] });
    expect((await getChange(ctx, { changeId: id })).status).toBe('draft');
    await expect(decideChange(contextFor(t.db, approver), { changeId: id, decision: 'approve', reason: 'old content', digest, totpCode: totpCodeAt(approverSecret, new Date(Date.now() + 180_000)) })).rejects.toMatchObject({ code: 'CONFLICT' });
  });
});
