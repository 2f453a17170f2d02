// The agent API end to end, in process: a real agent (signing, queue, executor) talks to
// the real handler on a real database. Enrollment, signature refusals, idempotent batches,
// inventory, flows, Kubernetes audit events and commands with their results.
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { and, eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AGENT_API_PREFIX } from '@/agent/protocol/messages';
import { bodyDigest, HEADERS, signRequest } from '@/agent/protocol/request-signing';
import { AgentStateDir } from '@/agent/agent-state';
import { startAgent, type RunningAgent } from '@/agent/run-agent';
import { agentCommands, auditEvents, flowMinutes, inventoryObjects } from '@/db/schema';
import { contextFor, seedTenant, seedUser, systemContext } from '@/db/seed/factories';
import { issueCommand } from '@/server/services/agents/commands';
import { registerCluster } from '@/server/services/clusters/register-cluster';
import { revokeAgent } from '@/server/services/clusters/list-clusters';
import { inScope } from '@/server/services/scope';
import { FakeDriver } from '@/test/helpers/fake-driver';
import { openTestDatabase, type TestDatabase, testDrivers } from '@/test/helpers/test-database';
import { until } from '@/test/helpers/until';
import { handleAgentRequest } from './agent-api';

const CONSOLE = 'http://console.test';


describe.each(testDrivers())('agent API (%s)', (driver) => {
  let t: TestDatabase;
  let clusterId: string;
  const fetchVia = (now?: () => Date) => (async (url: string | URL | Request, init?: RequestInit) => handleAgentRequest(t, new Request(url, init), now)) as typeof fetch;
  const sys = () => systemContext(t.db);
  const newToken = async () => (await registerCluster(sys(), { name: 'prod-eu-1' })).token;
  const stateDir = () => mkdtempSync(path.join(os.tmpdir(), 'verity-agent-'));
  const events = (action: string) => inScope(sys(), (tx) => tx.select().from(auditEvents).where(eq(auditEvents.action, action)));

  beforeAll(async () => {
    t = await openTestDatabase(driver);
    clusterId = (await registerCluster(sys(), { name: 'prod-eu-1' })).cluster.id;
    await seedTenant(t.db, 'payments', { cluster: 'prod-eu-1', namespaces: ['payments'] });
  });
  afterAll(() => t?.dispose());

  describe('enrollment', () => {
    it('a token enrolls one agent, once, and stores its identity with a private key only its owner can read', async () => {
      const token = await newToken();
      const dir = stateDir();
      const agent = await startAgent({ stateDir: dir, consoleUrl: CONSOLE, enrollToken: token, driver: new FakeDriver(), fetch: fetchVia(), log: () => {}, pollWaitS: 0 });
      expect(agent.clusterId).toBe(clusterId);
      const { statSync } = await import('node:fs');
      expect(statSync(path.join(dir, 'agent.key')).mode & 0o777).toBe(0o600);
      await agent.stop();
      // The same token again is refused.
      await expect(startAgent({ stateDir: stateDir(), consoleUrl: CONSOLE, enrollToken: token, driver: new FakeDriver(), fetch: fetchVia(), log: () => {} })).rejects.toThrow(/invalid, already used or expired/);
      // A restart needs no token.
      const again = await startAgent({ stateDir: dir, driver: new FakeDriver(), fetch: fetchVia(), log: () => {}, pollWaitS: 0 });
      expect(again.agentId).toBe(agent.agentId);
      await again.stop();
    });

    it('an expired token is refused, and the refusal is audited', async () => {
      const token = await newToken();
      const later = () => new Date(Date.now() + 61 * 60_000);
      await expect(startAgent({ stateDir: stateDir(), consoleUrl: CONSOLE, enrollToken: token, driver: new FakeDriver(), fetch: fetchVia(later), log: () => {} })).rejects.toThrow(/expired/);
      expect((await events('agent.enrolled')).some((e) => e.outcome === 'failure' && e.details.reason === 'expired-token')).toBe(true);
    });
  });

  describe('signed requests', () => {
    let identity: { agentId: string };
    let dir: string;
    beforeAll(async () => {
      dir = stateDir();
      const agent = await startAgent({ stateDir: dir, consoleUrl: CONSOLE, enrollToken: await newToken(), driver: new FakeDriver(), fetch: fetchVia(), log: () => {}, pollWaitS: 0 });
      identity = { agentId: agent.agentId };
      await agent.stop();
    });

    function signed(body: string, opts: { timestamp?: number; nonce?: string; tamper?: string; path?: string } = {}) {
      const { privateKey } = new AgentStateDir(dir).keyPair();
      const p = opts.path ?? `${AGENT_API_PREFIX}/heartbeat`;
      const timestamp = String(opts.timestamp ?? Date.now());
      const nonce = opts.nonce ?? Math.random().toString(36).slice(2);
      const signature = signRequest(privateKey, { method: 'POST', path: p, timestamp, nonce, bodyDigest: bodyDigest(body) });
      return new Request(`${CONSOLE}${p}`, {
        method: 'POST',
        body: opts.tamper ?? body,
        headers: { [HEADERS.agent]: identity.agentId, [HEADERS.timestamp]: timestamp, [HEADERS.nonce]: nonce, [HEADERS.signature]: signature },
      });
    }
    const beat = JSON.stringify({ agentVersion: '0.1.0', driver: 'sim', queue: { pending: 0, dropped: 0 } });

    it('accepts a correctly signed request', async () => {
      expect((await handleAgentRequest(t, signed(beat))).status).toBe(200);
    });
    it('refuses a tampered body, a replay, a stale or future timestamp, and says why', async () => {
      const tampered = await handleAgentRequest(t, signed(beat, { tamper: beat.replace('0.1.0', '9.9.9') }));
      expect(tampered.status).toBe(401);
      expect(await tampered.text()).toContain('bad signature');
      const once = signed(beat, { nonce: 'fixed-nonce-1' });
      const twice = signed(beat, { nonce: 'fixed-nonce-1' });
      expect((await handleAgentRequest(t, once)).status).toBe(200);
      const replay = await handleAgentRequest(t, twice);
      expect(replay.status).toBe(401);
      expect(await replay.text()).toContain('replayed');
      const old = await handleAgentRequest(t, signed(beat, { timestamp: Date.now() - 61_000 }));
      expect(await old.text()).toContain('clock skew');
      const future = await handleAgentRequest(t, signed(beat, { timestamp: Date.now() + 61_000 }));
      expect(future.status).toBe(401);
      const rejected = await events('agent.request_rejected');
      expect(rejected.map((e) => e.details.reason)).toEqual(expect.arrayContaining(['bad signature', 'replayed request']));
    });
    it('refuses a request signed for another endpoint', async () => {
      const moved = signed(beat, { path: `${AGENT_API_PREFIX}/flows` });
      const res = await handleAgentRequest(t, new Request(`${CONSOLE}${AGENT_API_PREFIX}/heartbeat`, { method: 'POST', body: beat, headers: moved.headers }));
      expect(res.status).toBe(401);
    });
    it('refuses an unknown agent and a revoked one', async () => {
      const req = signed(beat);
      const headers = new Headers(req.headers);
      headers.set(HEADERS.agent, '00000000-0000-4000-8000-000000000000');
      expect(await (await handleAgentRequest(t, new Request(req.url, { method: 'POST', body: beat, headers }))).text()).toContain('unknown agent');
      await revokeAgent(sys(), { agentId: identity.agentId });
      const revoked = await handleAgentRequest(t, signed(beat));
      expect(revoked.status).toBe(401);
      expect(await revoked.text()).toContain('revoked');
    });
  });

  describe('uplink and downlink', () => {
    let agent: RunningAgent;
    const fake = new FakeDriver([
      { kind: 'Namespace', namespace: null, name: 'payments', resourceVersion: '1', object: { metadata: { name: 'payments', labels: { team: 'pay' } } } },
      { kind: 'Namespace', namespace: null, name: 'analytics', resourceVersion: '2', object: { metadata: { name: 'analytics' } } },
      {
        kind: 'Workload',
        namespace: 'payments',
        name: 'payment-service',
        resourceVersion: '3',
        object: { namespace: 'payments', name: 'payment-service', ownerKind: 'Deployment', labels: { app: 'payment' }, ips: ['10.1.0.5'], ports: [{ name: 'https', port: 8443, protocol: 'TCP' }], serviceAccount: 'payment', replicas: 2 },
      },
      { kind: 'Workload', namespace: 'analytics', name: 'spark', resourceVersion: '4', object: { namespace: 'analytics', name: 'spark', ownerKind: 'StatefulSet', labels: {}, ips: [], ports: [], serviceAccount: 'default', replicas: 1 } },
    ]);

    beforeAll(async () => {
      agent = await startAgent({ stateDir: stateDir(), consoleUrl: CONSOLE, enrollToken: await newToken(), driver: fake, fetch: fetchVia(), log: () => {}, pollWaitS: 1, flushMs: 60_000 });
    });
    afterAll(() => agent?.stop());

    it('stores the inventory snapshot and later deltas, and tenants see only their namespaces', async () => {
      await until(async () => (await inScope(sys(), (tx) => tx.select().from(inventoryObjects).where(eq(inventoryObjects.clusterId, clusterId)))).length === 4);
      fake.emitDelta({ upserts: [], deletes: [{ kind: 'Workload', namespace: 'analytics', name: 'spark' }] });
      await until(async () => (await inScope(sys(), (tx) => tx.select().from(inventoryObjects).where(eq(inventoryObjects.clusterId, clusterId)))).length === 3);
      const tenant = await seedTenant(t.db, 'ledger', { cluster: 'prod-eu-1', namespaces: ['ledger'] });
      const user = await seedUser(t.db, { email: 'pay-admin@example.test' });
      const payments = (await inScope(sys(), (tx) => tx.query.tenants.findFirst({ where: (x, { eq: e }) => e(x.slug, 'payments') })))!;
      const scoped = contextFor(t.db, { kind: 'user', userId: user.id, email: user.email, grants: [{ role: 'tenant_admin', tenantId: payments.id }], mfaVerified: false, sessionId: null });
      const seen = await inScope(scoped, (tx) => tx.select().from(inventoryObjects));
      // Only the payments namespace's workload: namespaces themselves are cluster-scoped rows.
      expect(seen.map((r) => `${r.kind}:${r.namespace}/${r.name}`)).toEqual(['Workload:payments/payment-service']);
      expect(tenant.slug).toBe('ledger');
    });

    it('aggregates flows per minute and stores a retried batch once', async () => {
      const minute = new Date('2026-11-23T10:15:00Z');
      const obs = (s: number) => ({ time: new Date(minute.getTime() + s * 1000), source: { namespace: 'payments', workload: 'order-service' }, destination: { namespace: 'payments', workload: 'payment-service' }, port: 8443, protocol: 'TCP' as const, mtls: 'mutual' as const, verdict: 'allowed' as const, count: 2 });
      agent.observeFlows([obs(1), obs(20), obs(59), { ...obs(30), destination: { ip: '203.0.113.7' }, port: 443, mtls: 'plaintext' }]);
      agent.flush();
      const rows = await until(async () => {
        const r = await inScope(sys(), (tx) => tx.select().from(flowMinutes).where(eq(flowMinutes.clusterId, clusterId)));
        return r.length === 2 ? r : null;
      });
      expect(rows.find((r) => r.dstWorkload === 'payment-service')).toMatchObject({ count: 6, minute, mtls: 'mutual', srcWorkload: 'order-service' });
      expect(rows.find((r) => r.dstIp === '203.0.113.7')).toMatchObject({ count: 2, dstWorkload: '' });
      // Rows land in their day's partition, so retention can drop whole days.
      const parts = await inScope(sys(), (tx) => tx.selectDistinct({ part: sql<string>`tableoid::regclass::text` }).from(flowMinutes));
      expect(parts).toEqual([{ part: 'flow_minutes_20261123' }]);

      // The same batch id sent twice (a retry after a lost answer) is stored once.
      const dir = stateDir();
      const second = await startAgent({ stateDir: dir, consoleUrl: CONSOLE, enrollToken: await newToken(), driver: new FakeDriver(), fetch: fetchVia(), log: () => {}, pollWaitS: 0 });
      const { privateKey } = new AgentStateDir(dir).keyPair();
      const body = JSON.stringify({ batchId: 'retry-batch-0001', records: [{ minute: minute.toISOString(), source: { ip: '198.51.100.1' }, destination: { namespace: 'payments', workload: 'payment-service' }, port: 8443, protocol: 'TCP', mtls: 'plaintext', verdict: 'denied', count: 5 }] });
      const send = () => {
        const timestamp = String(Date.now());
        const nonce = Math.random().toString(36);
        const p = `${AGENT_API_PREFIX}/flows`;
        return handleAgentRequest(t, new Request(`${CONSOLE}${p}`, { method: 'POST', body, headers: { [HEADERS.agent]: second.agentId, [HEADERS.timestamp]: timestamp, [HEADERS.nonce]: nonce, [HEADERS.signature]: signRequest(privateKey, { method: 'POST', path: p, timestamp, nonce, bodyDigest: bodyDigest(body) }) } }));
      };
      expect(await (await send()).json()).toEqual({ duplicate: false, stored: 1 });
      expect(await (await send()).json()).toEqual({ duplicate: true, stored: 0 });
      const denied = await inScope(sys(), (tx) => tx.select().from(flowMinutes).where(and(eq(flowMinutes.srcIp, '198.51.100.1'))));
      expect(denied.map((r) => r.count)).toEqual([5]);
      await second.stop();
    });

    it('rejects a malformed batch with the field named, storing nothing', async () => {
      const before = await inScope(sys(), (tx) => tx.select().from(flowMinutes));
      agent.observeFlows([{ time: new Date(), source: { namespace: 'payments', workload: 'x' }, destination: { ip: '1.2.3.4' }, port: 70000, protocol: 'TCP', mtls: 'unknown', verdict: 'allowed', count: 1 }]);
      agent.flush();
      await new Promise((r) => setTimeout(r, 300));
      expect((await inScope(sys(), (tx) => tx.select().from(flowMinutes))).length).toBe(before.length);
    });

    it('forwards Kubernetes audit events into the trail, without Secret bodies, under the owning tenant', async () => {
      agent.forwardAudit([
        { auditID: 'a-1', stage: 'ResponseComplete', verb: 'get', requestURI: '/api/v1/namespaces/payments/secrets/db', user: { username: 'mallory' }, objectRef: { resource: 'secrets', namespace: 'payments', name: 'db' }, responseStatus: { code: 200 }, responseObject: { data: { password: 'c2VjcmV0' } }, annotations: { 'authorization.k8s.io/decision': 'allow', 'authorization.k8s.io/reason': 'RBAC: allowed by RoleBinding "x"' } },
        { auditID: 'a-2', verb: 'create', requestURI: '/api/v1/namespaces/payments/pods/p/exec', user: { username: 'bob' }, objectRef: { resource: 'pods', subresource: 'exec', namespace: 'payments', name: 'p' }, responseStatus: { code: 403 } },
      ]);
      const rows = await until(async () => {
        const r = await inScope(sys(), (tx) => tx.select().from(auditEvents).where(eq(auditEvents.source, 'kubernetes')));
        return r.length === 2 ? r : null;
      });
      const secret = rows.find((r) => r.details.auditID === 'a-1')!;
      expect(secret).toMatchObject({ action: 'k8s.get', outcome: 'success', actorType: 'kube-user', actorLabel: 'mallory', resourceType: 'secrets', resourceId: 'payments/db', clusterId });
      expect(secret.tenantId).not.toBeNull();
      expect(JSON.stringify(secret)).not.toContain('c2VjcmV0');
      expect(secret.details.reason).toContain('RoleBinding');
      expect(rows.find((r) => r.details.auditID === 'a-2')).toMatchObject({ action: 'k8s.create', outcome: 'denied', resourceType: 'pods/exec' });
    });

    it('delivers a signed command, applies it once, refuses stale ones, and records every result', async () => {
      const policy = { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'deny-all', namespace: 'payments' }, spec: { podSelector: {} } };
      const approvals = [{ userId: 'u1', email: 'approver@example.test', at: new Date().toISOString() }];
      const { commandId } = await issueCommand(sys(), { clusterId, type: 'apply', operations: [{ action: 'apply', object: policy, expectedResourceVersion: null }], approvals, approvalsDigest: 'd'.repeat(64), changeId: 'chg-1' });
      const done = await until(async () => {
        const [c] = await inScope(sys(), (tx) => tx.select().from(agentCommands).where(eq(agentCommands.id, commandId)));
        return c?.completedAt ? c : null;
      });
      expect(done.status).toBe('applied');
      expect(fake.executed.filter((e) => !e.dryRun)).toHaveLength(1);
      expect(fake.executed[0]).toMatchObject({ fieldManager: 'verity-agent', dryRun: false });
      const result = (await events('agent.command_result')).find((e) => e.resourceId === commandId)!;
      expect(result.details).toMatchObject({ changeId: 'chg-1', status: 'applied', results: [{ outcome: 'applied', auditId: 'audit-1' }] });

      // Approved against "absent", but it exists now: stale, nothing applied.
      const stale = await issueCommand(sys(), { clusterId, type: 'apply', operations: [{ action: 'apply', object: policy, expectedResourceVersion: null }], approvals, approvalsDigest: 'e'.repeat(64) });
      const staleDone = await until(async () => {
        const [c] = await inScope(sys(), (tx) => tx.select().from(agentCommands).where(eq(agentCommands.id, stale.commandId)));
        return c?.completedAt ? c : null;
      });
      expect(staleDone.status).toBe('stale');
      expect(fake.executed.filter((e) => !e.dryRun)).toHaveLength(1);

      // An apply without approvals is refused by the agent.
      const bare = await issueCommand(sys(), { clusterId, type: 'apply', operations: [{ action: 'delete', ref: { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', namespace: 'payments', name: 'deny-all' }, expectedResourceVersion: null }] });
      const refused = await until(async () => {
        const [c] = await inScope(sys(), (tx) => tx.select().from(agentCommands).where(eq(agentCommands.id, bare.commandId)));
        return c?.completedAt ? c : null;
      });
      expect(refused.status).toBe('refused');

      // A dry run goes through the driver with dryRun set and changes nothing.
      const dry = await issueCommand(sys(), { clusterId, type: 'dry-run', operations: [{ action: 'apply', object: { ...policy, metadata: { name: 'other', namespace: 'payments' } }, expectedResourceVersion: null }] });
      await until(async () => {
        const [c] = await inScope(sys(), (tx) => tx.select().from(agentCommands).where(eq(agentCommands.id, dry.commandId)));
        return c?.status === 'dry-run' ? c : null;
      });
      expect(fake.executed.at(-1)).toMatchObject({ dryRun: true });
      expect(fake.objects.has('NetworkPolicy/payments/other')).toBe(false);
    });
  });
});
