// The background preview on a real database: stages recorded as they run, the agent's dry run
// asked for, recorded and covered by the digest; approvals refused until it is final; a dry
// run nobody answers recorded as unavailable after the deadline; a dry run the API server
// refuses blocks approval; no agent at all says so; two open changes on one object flagged.
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BundleOperation, CommandBundle, OperationResult } from '@/agent/protocol/messages';
import { refOfOperation } from '@/agent/drivers/cluster-driver';
import { startAgent, type RunningAgent } from '@/agent/run-agent';
import { agentCommands, agents, auditEvents, users } from '@/db/schema';
import { changePreviews } from '@/db/schema/hand-written/change-previews';
import { changeRequests } from '@/db/schema/hand-written/changes';
import { contextFor, seedTenant, seedUser, systemContext } from '@/db/seed/factories';
import { changeDigest } from '@/server/domain/changes/change-digest';
import type { ChangeOperation } from '@/server/domain/changes/change-objects';
import { type DryRunRecord, dryRunForDigest, type FinalDryRun } from '@/server/domain/changes/dry-run';
import { handleAgentRequest } from '@/server/http/agent-api';
import { consoleSecret } from '@/server/security/console-secret';
import { seal } from '@/server/security/secret-box';
import { newTotpSecret, totpCodeAt } from '@/server/security/totp';
import { recordCommandResult } from '@/server/services/agents/commands';
import { registerCluster } from '@/server/services/clusters/register-cluster';
import type { Principal, ServiceContext } from '@/server/services/context';
import { inScope } from '@/server/services/scope';
import { previewDigest } from '@/test/helpers/await-preview';
import { FakeDriver } from '@/test/helpers/fake-driver';
import { openTestDatabase, type TestDatabase, testDrivers } from '@/test/helpers/test-database';
import { until } from '@/test/helpers/until';
import { decideChange } from './decide-change';
import { DRY_RUN_TIMEOUT_MS, expireDryRuns } from './preview-pipeline';
import { getChange, listChanges } from './read-changes';
import { saveDraft } from './save-draft';
import { submitChange } from './submit-change';

const policy = (name: string, ns: string, extra = '') => `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: ${name}
  namespace: ${ns}
spec:
  podSelector: {}
${extra}`;

/** A driver whose dry runs answer like an API server: the object back, with what defaulting adds. */
class DefaultingDriver extends FakeDriver {
  override async execute(op: BundleOperation, opts: { dryRun: boolean; fieldManager: string }): Promise<OperationResult> {
    if (!opts.dryRun || op.action !== 'apply') return super.execute(op, opts);
    this.executed.push({ op, ...opts });
    const spec = (op.object.spec ?? {}) as Record<string, unknown>;
    const stored = { ...op.object, metadata: { ...(op.object.metadata as object), uid: 'dry-uid', generation: 1 }, spec: { ...spec, policyTypes: spec.policyTypes ?? ['Ingress'] } };
    return { ref: refOfOperation(op), outcome: 'applied', object: stored };
  }
}

describe.each(testDrivers())('change preview (%s)', (driver) => {
  let t: TestDatabase;
  let agent: RunningAgent;
  let live: { clusterId: string; tenantId: string };
  let silent: { clusterId: string; tenantId: string; agentId: string };
  let absent: { clusterId: string; tenantId: string };
  let requester: Principal;
  let approver: Principal;
  let approverSecret: string;
  const fake = new DefaultingDriver([{ kind: 'Namespace', namespace: null, name: 'payments', resourceVersion: '1', object: { metadata: { name: 'payments' } } }]);

  const sys = () => systemContext(t.db);
  const jobOf = async (changeId: string) => (await inScope(sys(), (tx) => tx.select().from(changePreviews).where(eq(changePreviews.changeId, changeId))))[0]!;
  const waitForJob = (changeId: string, states: string[]) => until(async () => ((j) => (states.includes(j?.state ?? '') ? j : null))(await jobOf(changeId).catch(() => null)), 20_000);
  const draft = async (ctx: ServiceContext, tenantId: string, clusterId: string, title: string, sourceText: string) => (await saveDraft(ctx, { tenantId, clusterId, title, description: '', sourceText, deletes: [] })).id;

  beforeAll(async () => {
    t = await openTestDatabase(driver);
    const prod = await registerCluster(sys(), { name: 'prod' });
    const quiet = await registerCluster(sys(), { name: 'quiet' });
    const lonely = await registerCluster(sys(), { name: 'lonely' });
    const tp = await seedTenant(t.db, 'payments', { cluster: 'prod', namespaces: ['payments'] });
    const tq = await seedTenant(t.db, 'quiet', { cluster: 'quiet', namespaces: ['quiet'] });
    const tl = await seedTenant(t.db, 'lonely', { cluster: 'lonely', namespaces: ['lonely'] });
    live = { clusterId: prod.cluster.id, tenantId: tp.id };
    absent = { clusterId: lonely.cluster.id, tenantId: tl.id };
    // An agent that was in touch a moment ago but never polls for commands.
    const [row] = await inScope(sys(), (tx) =>
      tx.insert(agents).values({ clusterId: quiet.cluster.id, publicKey: 'not used', agentVersion: 'test', driver: 'sim', enrolledAt: new Date(), lastSeenAt: new Date() }).returning({ id: agents.id }),
    );
    silent = { clusterId: quiet.cluster.id, tenantId: tq.id, agentId: row!.id };
    const grants = [{ role: 'tenant_admin' as const, tenantId: tp.id }, { role: 'tenant_admin' as const, tenantId: tq.id }, { role: 'tenant_admin' as const, tenantId: tl.id }];
    const r = await seedUser(t.db, { email: 'req@example.test', grants });
    requester = { kind: 'user', userId: r.id, email: 'req@example.test', grants, mfaVerified: true, sessionId: null };
    approverSecret = newTotpSecret();
    const a = await seedUser(t.db, { email: 'appr@example.test', grants: [{ role: 'approver', tenantId: null }] });
    await t.db.update(users).set({ totpSecretEnc: seal(consoleSecret(), 'totp', approverSecret), totpEnabledAt: new Date() }).where(eq(users.id, a.id));
    approver = { kind: 'user', userId: a.id, email: 'appr@example.test', grants: [{ role: 'approver', tenantId: null }], mfaVerified: true, sessionId: null };
    const fetchVia = (async (url: string | URL | Request, init?: RequestInit) => handleAgentRequest(t, new Request(url, init))) as typeof fetch;
    agent = await startAgent({ stateDir: mkdtempSync(path.join(os.tmpdir(), 'verity-preview-')), consoleUrl: 'http://c.test', enrollToken: prod.token, driver: fake, fetch: fetchVia, log: () => {}, pollWaitS: 1, flushMs: 60_000 });
    await until(async () => (await inScope(sys(), (tx) => tx.select().from(auditEvents).where(eq(auditEvents.action, 'agent.inventory_snapshot')))).length > 0);
  });
  afterAll(async () => {
    await agent?.stop();
    await t?.dispose();
  });

  it('records every stage, asks the connected agent for a dry run, and digests its answer', async () => {
    const ctx = contextFor(t.db, requester);
    const id = await draft(ctx, live.tenantId, live.clusterId, 'Deny payments', policy('deny-all', 'payments'));
    const submitted = await submitChange(ctx, { changeId: id });
    // Submission returns before the preview exists: nothing to approve yet.
    expect(submitted).toMatchObject({ status: 'pending', digest: null });
    const digest = await previewDigest(ctx, id);
    const job = await jobOf(id);
    expect(job.state).toBe('ready');
    expect(job.stages).toMatchObject({ diff: { state: 'done' }, 'flow-impact': { state: 'done' }, rbac: { state: 'skipped' }, 'dry-run': { state: 'done' } });
    const change = await getChange(ctx, { changeId: id });
    const dryRun = (change.preview as { dryRun: DryRunRecord }).dryRun as Extract<DryRunRecord, { state: 'answered' }>;
    expect(dryRun.state).toBe('answered');
    // What the cluster would store, against what was submitted: the defaulted policyTypes.
    expect(dryRun.objects[0]!.stored).toContain('policyTypes');
    expect(dryRun.objects[0]!.submitted).not.toContain('policyTypes');
    const [command] = await inScope(sys(), (tx) => tx.select().from(agentCommands).where(and(eq(agentCommands.changeId, id), eq(agentCommands.type, 'dry-run'))));
    expect(JSON.parse(command!.bundle) as CommandBundle).toMatchObject({ type: 'dry-run', operations: [{ action: 'apply', expectedResourceVersion: null }] });
    // The digest covers the dry run: recomputed from what is stored it matches; without it, not.
    const parts = { changeId: id, clusterId: live.clusterId, revision: change.revision, operations: change.operations as ChangeOperation[], baseVersions: change.baseVersions ?? {} };
    expect(changeDigest({ ...parts, dryRun: dryRunForDigest(dryRun) })).toBe(digest);
    expect(changeDigest({ ...parts, dryRun: null })).not.toBe(digest);
    const story = await inScope(sys(), (tx) => tx.select().from(auditEvents).where(and(eq(auditEvents.resourceId, id), eq(auditEvents.action, 'change.previewed'))));
    expect(story[0]!.details).toMatchObject({ digest, dryRun: 'answered' });
  });

  it('refuses approvals while the dry run is outstanding, and records it as unavailable after the deadline', async () => {
    const ctx = contextFor(t.db, requester);
    const id = await draft(ctx, silent.tenantId, silent.clusterId, 'Quiet deny', policy('deny', 'quiet'));
    await submitChange(ctx, { changeId: id });
    const job = await waitForJob(id, ['dry-run']);
    expect(job.dryRunCommandId).toBeTruthy();
    const [pending] = await inScope(sys(), (tx) => tx.select().from(changeRequests).where(eq(changeRequests.id, id)));
    expect(pending).toMatchObject({ status: 'pending', digest: null });
    expect((pending!.preview as { dryRun: DryRunRecord }).dryRun).toMatchObject({ state: 'pending' });
    const actx = contextFor(t.db, approver);
    expect((await listChanges(actx, { view: 'inbox' })).map((c) => c.id)).not.toContain(id);
    await expect(decideChange(actx, { changeId: id, decision: 'approve', reason: 'too early', digest: 'a'.repeat(64), totpCode: totpCodeAt(approverSecret, new Date()) })).rejects.toMatchObject({
      code: 'CONFLICT',
      message: expect.stringContaining('preview is not complete'),
    });
    // Before the deadline nothing expires; after it, the preview says there was no dry run.
    expect(await expireDryRuns(systemContext(t.db, () => new Date(Date.now() + 1_000)))).toBe(0);
    const later = new Date(Date.now() + DRY_RUN_TIMEOUT_MS + 1_000);
    expect(await expireDryRuns(systemContext(t.db, () => later))).toBeGreaterThanOrEqual(1);
    const change = await getChange(ctx, { changeId: id });
    expect((change.preview as { dryRun: DryRunRecord }).dryRun).toMatchObject({ state: 'unavailable', reason: expect.stringContaining('did not answer') });
    expect(change.digest).toMatch(/^[0-9a-f]{64}$/);
    expect(change.previewJob).toMatchObject({ state: 'ready' });
    // A late answer changes nothing.
    const late = await recordCommandResult(contextFor(t.db, { kind: 'agent', agentId: silent.agentId, clusterId: silent.clusterId, label: 'quiet' }), { commandId: job.dryRunCommandId!, status: 'dry-run', results: [] });
    expect(late.duplicate).toBe(false);
    expect((await getChange(ctx, { changeId: id })).digest).toBe(change.digest);
    // Approvable now, on a digest that says "no dry run".
    const decided = await decideChange({ ...actx, now: () => later }, { changeId: id, decision: 'approve', reason: 'no dry run, reviewed by hand', digest: change.digest!, totpCode: totpCodeAt(approverSecret, later) });
    expect(decided.status).toBe('applying');
  });

  it('a dry run the API server refuses blocks approval, with its reason', async () => {
    const ctx = contextFor(t.db, requester);
    const id = await draft(ctx, silent.tenantId, silent.clusterId, 'Refused', policy('refused', 'quiet'));
    await submitChange(ctx, { changeId: id });
    const job = await waitForJob(id, ['dry-run']);
    const agentCtx = contextFor(t.db, { kind: 'agent', agentId: silent.agentId, clusterId: silent.clusterId, label: 'quiet' });
    const ref = { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', namespace: 'quiet', name: 'refused' };
    await recordCommandResult(agentCtx, {
      commandId: job.dryRunCommandId!,
      status: 'failed',
      message: 'operation 1 of 1 failed',
      results: [{ ref, outcome: 'failed', message: 'admission webhook "policy.example" denied the request: podSelector {} is not allowed in quiet' }],
    });
    const change = await getChange(ctx, { changeId: id });
    const dryRun = (change.preview as { dryRun: FinalDryRun }).dryRun;
    expect(dryRun).toMatchObject({ state: 'rejected', reason: expect.stringContaining('admission webhook') });
    expect(change).toMatchObject({ status: 'pending', digest: null, previewJob: { state: 'blocked' } });
    await expect(
      decideChange(contextFor(t.db, approver), { changeId: id, decision: 'approve', reason: 'anyway', digest: 'b'.repeat(64), totpCode: totpCodeAt(approverSecret, new Date(Date.now() + 90_000)) }),
    ).rejects.toMatchObject({ code: 'CONFLICT' });
    // The requester edits it: back to draft, a new revision, the blocked preview superseded.
    await saveDraft(ctx, { changeId: id, tenantId: silent.tenantId, clusterId: silent.clusterId, title: 'Refused (fixed)', description: '', sourceText: policy('refused', 'quiet', '  policyTypes: [Ingress]\n'), deletes: [] });
    expect((await getChange(ctx, { changeId: id })).status).toBe('draft');
  });

  it('without a connected agent the preview says so at once, and can be approved on that basis', async () => {
    const ctx = contextFor(t.db, requester);
    const id = await draft(ctx, absent.tenantId, absent.clusterId, 'Lonely', policy('deny', 'lonely'));
    await submitChange(ctx, { changeId: id });
    await previewDigest(ctx, id);
    const change = await getChange(ctx, { changeId: id });
    expect((change.preview as { dryRun: DryRunRecord }).dryRun).toMatchObject({ state: 'unavailable', reason: expect.stringContaining('no agent') });
    expect(change.previewJob?.stages).toMatchObject({ 'dry-run': { state: 'skipped' } });
    const commands = await inScope(sys(), (tx) => tx.select().from(agentCommands).where(eq(agentCommands.changeId, id)));
    expect(commands).toHaveLength(0);
  });

  it('flags two open changes touching the same object on both', async () => {
    const ctx = contextFor(t.db, requester);
    const a = await draft(ctx, live.tenantId, live.clusterId, 'First on shared', policy('shared', 'payments'));
    const b = await draft(ctx, live.tenantId, live.clusterId, 'Second on shared', policy('shared', 'payments', '  policyTypes: [Egress]\n'));
    const c = await draft(ctx, live.tenantId, live.clusterId, 'Elsewhere', policy('other', 'payments'));
    expect((await getChange(ctx, { changeId: a })).overlapping).toEqual([{ id: b, title: 'Second on shared', objects: ['NetworkPolicy/payments/shared'] }]);
    expect((await getChange(ctx, { changeId: b })).overlapping).toEqual([{ id: a, title: 'First on shared', objects: ['NetworkPolicy/payments/shared'] }]);
    expect((await getChange(ctx, { changeId: c })).overlapping).toEqual([]);
  });
});
