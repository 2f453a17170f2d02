import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FIELD_MANAGER, type ClusterDriver, type InventoryDelta } from '../cluster-driver';
import type { BundleOperation } from '../../protocol/messages';
import { InventoryItem, OperationResult, WorkloadObject } from '../../protocol/messages';
import { createKubernetesDriver } from './kubernetes-driver';
import { DEFAULT_RESOURCES, FakeKubeApiServer, ISTIO_PEER_AUTHENTICATION } from './testing/fake-api-server';
import { frontendPod, seedCluster } from './testing/fixtures';

let server: FakeKubeApiServer;
let driver: ClusterDriver;

async function startWith(resources = DEFAULT_RESOURCES) {
  server = await new FakeKubeApiServer(resources).start();
  seedCluster(server);
  driver = createKubernetesDriver({ kubeconfigPath: server.writeKubeconfig(), pageSize: 2, watchBackoff: { initialMs: 20, maxMs: 100 } });
}

beforeEach(async () => startWith());
afterEach(async () => {
  await driver.close();
  await server.close();
});

async function eventually<T>(fn: () => T | undefined, what: string, timeoutMs = 3000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = fn();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

const netpol = (name: string, extra: Record<string, unknown> = {}) => ({
  apiVersion: 'networking.k8s.io/v1',
  kind: 'NetworkPolicy',
  metadata: { name, namespace: 'payments' },
  spec: { podSelector: { matchLabels: { app: 'frontend' } }, policyTypes: ['Ingress'], ingress: [{ ports: [{ port: 8080 }] }] },
  ...extra,
});
const apply = (object: Record<string, unknown>, expectedResourceVersion: string | null = null): BundleOperation => ({ action: 'apply', object, expectedResourceVersion });

describe('snapshot', () => {
  it('groups pods into workloads by their top-level owner', async () => {
    const items = await driver.snapshot();
    for (const item of items) InventoryItem.parse(item);
    const workloads = items.filter((i) => i.kind === 'Workload').map((i) => WorkloadObject.parse(i.object));
    expect(workloads.map((w) => `${w.ownerKind}/${w.name}`).sort()).toEqual(['CronJob/nightly', 'Deployment/frontend', 'Pod/debug']);

    const frontend = workloads.find((w) => w.name === 'frontend')!;
    expect(frontend).toMatchObject({
      namespace: 'payments',
      labels: { app: 'frontend', tier: 'web' },
      ips: ['10.0.0.11', '10.0.0.12'],
      serviceAccount: 'frontend',
      replicas: 2,
      readyReplicas: 1,
      resources: { requests: { cpu: '350m', memory: '192Mi' }, limits: { cpu: '1', memory: '256Mi' } },
    });
    expect(frontend.labels).not.toHaveProperty('pod-template-hash');
    expect(frontend.ports).toEqual([
      { name: 'http', port: 8080, protocol: 'TCP' },
      { port: 15090, protocol: 'TCP' },
    ]);
    expect(workloads.find((w) => w.name === 'debug')).toMatchObject({ serviceAccount: 'default', ips: ['10.0.0.99'], replicas: 1 });
    expect(workloads.find((w) => w.name === 'nightly')).toMatchObject({ serviceAccount: 'reports', labels: { app: 'nightly', 'job-name': 'nightly-28000000' } });
  });

  it('returns every inventory kind with its resourceVersion, managedFields stripped, and never reads Secrets', async () => {
    const items = await driver.snapshot();
    const kinds = new Set(items.map((i) => i.kind));
    for (const k of ['Namespace', 'ServiceAccount', 'NetworkPolicy', 'Role', 'ClusterRole', 'RoleBinding', 'ClusterRoleBinding', 'ResourceQuota', 'Workload']) expect(kinds).toContain(k);
    for (const item of items) expect(item.resourceVersion).toBeTruthy();
    expect(JSON.stringify(items)).not.toContain('managedFields');
    expect(JSON.stringify(items)).not.toContain('aHVudGVyMg');

    const ns = items.find((i) => i.kind === 'Namespace' && i.name === 'payments')!;
    expect(ns).toMatchObject({ namespace: null, object: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'payments', labels: { tenant: 'payments' } } } });
    const quota = items.find((i) => i.kind === 'ResourceQuota')!;
    expect(quota.object).toMatchObject({ status: { hard: { 'requests.cpu': '4' }, used: { 'requests.cpu': '700m' } } });
    expect(items.find((i) => i.kind === 'ClusterRoleBinding')).toMatchObject({ namespace: null, name: 'view-all' });

    expect(server.requests.some((r) => r.path.includes('secrets'))).toBe(false);
    // pageSize 2: lists with more items follow the continue token.
    expect(server.requests.some((r) => r.path === '/api/v1/pods' && r.query.continue)).toBe(true);
    expect(server.requests.every((r) => r.headers.authorization === 'Bearer test-token')).toBe(true);
  });

  it('treats an absent Istio as no PeerAuthentications, not an error', async () => {
    const items = await driver.snapshot();
    expect(items.some((i) => i.kind === 'PeerAuthentication')).toBe(false);
    expect(server.requests.some((r) => r.path === '/apis/security.istio.io/v1')).toBe(true);
    expect(server.requests.some((r) => r.path === '/apis/security.istio.io/v1beta1')).toBe(true);
  });

  it('lists PeerAuthentications when Istio is installed', async () => {
    await driver.close();
    await server.close();
    await startWith([...DEFAULT_RESOURCES, ISTIO_PEER_AUTHENTICATION]);
    server.put({ apiVersion: 'security.istio.io/v1', kind: 'PeerAuthentication', metadata: { name: 'default', namespace: 'payments' }, spec: { mtls: { mode: 'STRICT' } } });
    const items = await driver.snapshot();
    expect(items.find((i) => i.kind === 'PeerAuthentication')).toMatchObject({ namespace: 'payments', name: 'default', object: { spec: { mtls: { mode: 'STRICT' } } } });
  });

  it('falls back to security.istio.io/v1beta1 when v1 is not served', async () => {
    await driver.close();
    await server.close();
    await startWith([...DEFAULT_RESOURCES, { ...ISTIO_PEER_AUTHENTICATION, apiVersion: 'security.istio.io/v1beta1' }]);
    server.put({ apiVersion: 'security.istio.io/v1beta1', kind: 'PeerAuthentication', metadata: { name: 'default', namespace: 'payments' }, spec: { mtls: { mode: 'PERMISSIVE' } } });
    const items = await driver.snapshot();
    expect(items.find((i) => i.kind === 'PeerAuthentication')).toMatchObject({ object: { apiVersion: 'security.istio.io/v1beta1', spec: { mtls: { mode: 'PERMISSIVE' } } } });
  });
});

describe('execute: server-side apply', () => {
  it('sends PATCH application/apply-patch+yaml with fieldManager and force, and captures Audit-Id', async () => {
    const result = OperationResult.parse(await driver.execute(apply(netpol('allow-web')), { dryRun: false, fieldManager: FIELD_MANAGER }));
    const patch = server.requests.filter((r) => r.method === 'PATCH');
    expect(patch).toHaveLength(1);
    expect(patch[0]).toMatchObject({
      path: '/apis/networking.k8s.io/v1/namespaces/payments/networkpolicies/allow-web',
      query: { fieldManager: 'verity-agent', force: 'true' },
      headers: { 'content-type': 'application/apply-patch+yaml' },
    });
    expect(patch[0]!.query).not.toHaveProperty('dryRun');
    expect(result).toMatchObject({ outcome: 'applied', message: 'created', auditId: patch[0]!.auditId, ref: { kind: 'NetworkPolicy', namespace: 'payments', name: 'allow-web' } });
    expect(result.object).toMatchObject({ kind: 'NetworkPolicy', spec: { ingress: [{ ports: [{ port: 8080 }] }] } });
    expect(result.object).not.toHaveProperty('metadata.managedFields');
    expect(server.get('networking.k8s.io/v1', 'NetworkPolicy', 'payments', 'allow-web')).toBeDefined();
  });

  it('sends a NetworkPolicy exactly as approved, peers included (the typed model names `from` `_from`)', async () => {
    const policy = netpol('allow-from-web', {
      spec: {
        podSelector: { matchLabels: { app: 'db' } },
        policyTypes: ['Ingress', 'Egress'],
        ingress: [{ from: [{ namespaceSelector: { matchLabels: { tenant: 'payments' } }, podSelector: { matchLabels: { app: 'frontend' } } }, { ipBlock: { cidr: '10.0.0.0/8', except: ['10.9.0.0/16'] } }], ports: [{ port: 'pg', protocol: 'TCP' }] }],
        egress: [{ to: [{ podSelector: {} }], ports: [{ port: 53, endPort: 54, protocol: 'UDP' }] }],
      },
    });
    const result = await driver.execute(apply(policy), { dryRun: false, fieldManager: FIELD_MANAGER });
    expect(result.outcome).toBe('applied');
    const sent = JSON.parse(server.requests.find((r) => r.method === 'PATCH')!.body) as Record<string, unknown>;
    expect(sent).toEqual(policy);
    expect(server.get('networking.k8s.io/v1', 'NetworkPolicy', 'payments', 'allow-from-web')!.spec).toEqual(policy.spec);
  });

  it('reports an apply that changes nothing as unchanged', async () => {
    const first = await driver.execute(apply(netpol('allow-web')), { dryRun: false, fieldManager: FIELD_MANAGER });
    const again = await driver.execute(apply(netpol('allow-web'), (first.object as { metadata: { resourceVersion: string } }).metadata.resourceVersion), { dryRun: false, fieldManager: FIELD_MANAGER });
    expect(again.outcome).toBe('unchanged');
  });

  it('dry runs with dryRun=All and stores nothing', async () => {
    const result = await driver.execute(apply(netpol('preview')), { dryRun: true, fieldManager: FIELD_MANAGER });
    const patch = server.requests.find((r) => r.method === 'PATCH')!;
    expect(patch.query).toMatchObject({ dryRun: 'All', fieldManager: 'verity-agent', force: 'true' });
    expect(result).toMatchObject({ outcome: 'applied', message: 'dry run: would create', object: { metadata: { name: 'preview' } } });
    expect(server.get('networking.k8s.io/v1', 'NetworkPolicy', 'payments', 'preview')).toBeUndefined();

    const live = server.get('networking.k8s.io/v1', 'NetworkPolicy', 'payments', 'default-deny')!;
    const same = await driver.execute(apply({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'default-deny', namespace: 'payments' }, spec: live.spec as Record<string, unknown> }), {
      dryRun: true,
      fieldManager: FIELD_MANAGER,
    });
    expect(same).toMatchObject({ outcome: 'unchanged', message: 'dry run: no change' });
  });

  it('maps a 409 conflict to a failed result that says so, with the Audit-Id', async () => {
    server.failNext('PATCH', 'networkpolicies/allow-web', 409, 'Conflict', 'Apply failed with 1 conflict: conflict with "kubectl"');
    const result = OperationResult.parse(await driver.execute(apply(netpol('allow-web')), { dryRun: false, fieldManager: FIELD_MANAGER }));
    expect(result.outcome).toBe('failed');
    expect(result.message).toMatch(/^409 conflict/);
    expect(result.message).toContain('conflict with "kubectl"');
    expect(result.auditId).toBe(server.requests.find((r) => r.method === 'PATCH')!.auditId);
  });

  it('makes the expected resourceVersion a precondition, so a concurrent change fails with 409', async () => {
    const live = server.get('networking.k8s.io/v1', 'NetworkPolicy', 'payments', 'default-deny')!;
    const expected = live.metadata.resourceVersion!;
    server.put({ ...live, spec: { podSelector: {}, policyTypes: ['Ingress', 'Egress'] } }); // someone else changed it
    const result = await driver.execute(apply(netpol('default-deny'), expected), { dryRun: false, fieldManager: FIELD_MANAGER });
    expect(result.outcome).toBe('failed');
    expect(result.message).toMatch(/^409 conflict.*has been modified/);
    expect(server.requests.find((r) => r.method === 'PATCH')!.body).toContain(`"resourceVersion":"${expected}"`);
  });

  it('maps 403 forbidden and 422 invalid to failed results that name them', async () => {
    server.failNext('PATCH', 'networkpolicies', 403, 'Forbidden', 'networkpolicies.networking.k8s.io "allow-web" is forbidden: User "system:serviceaccount:verity:agent" cannot patch resource');
    const forbidden = await driver.execute(apply(netpol('allow-web')), { dryRun: false, fieldManager: FIELD_MANAGER });
    expect(forbidden).toMatchObject({ outcome: 'failed' });
    expect(forbidden.message).toMatch(/^403 forbidden: .*cannot patch resource/);

    server.failNext('PATCH', 'networkpolicies', 422, 'Invalid', 'NetworkPolicy.networking.k8s.io "allow-web" is invalid');
    const invalid = await driver.execute(apply(netpol('allow-web')), { dryRun: false, fieldManager: FIELD_MANAGER });
    expect(invalid.message).toMatch(/^422 invalid: .*is invalid/);
  });

  it('refuses an object with fields the client would silently drop', async () => {
    const result = await driver.execute(apply(netpol('typo', { spec: { podSelector: {}, polcyTypes: ['Ingress'] } })), { dryRun: false, fieldManager: FIELD_MANAGER });
    expect(result).toMatchObject({ outcome: 'failed' });
    expect(result.message).toContain('spec.polcyTypes');
    expect(server.requests.some((r) => r.method === 'PATCH')).toBe(false);
  });

  it('reports a kind the cluster does not serve as failed', async () => {
    const result = await driver.execute(apply({ apiVersion: 'security.istio.io/v1', kind: 'PeerAuthentication', metadata: { name: 'default', namespace: 'payments' }, spec: {} }), {
      dryRun: false,
      fieldManager: FIELD_MANAGER,
    });
    expect(result.outcome).toBe('failed');
    expect(result.message).toMatch(/404/);
  });
});

describe('execute: delete', () => {
  const ref = { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', namespace: 'payments', name: 'default-deny' };

  it('deletes, with dryRun=All for previews, and says when there was nothing to delete', async () => {
    const preview = await driver.execute({ action: 'delete', ref, expectedResourceVersion: null }, { dryRun: true, fieldManager: FIELD_MANAGER });
    expect(preview).toMatchObject({ outcome: 'deleted', message: 'dry run: would delete' });
    expect(server.requests.at(-1)).toMatchObject({ method: 'DELETE', path: '/apis/networking.k8s.io/v1/namespaces/payments/networkpolicies/default-deny', query: { dryRun: 'All' } });
    expect(server.get('networking.k8s.io/v1', 'NetworkPolicy', 'payments', 'default-deny')).toBeDefined();

    const expected = server.get('networking.k8s.io/v1', 'NetworkPolicy', 'payments', 'default-deny')!.metadata.resourceVersion!;
    const done = await driver.execute({ action: 'delete', ref, expectedResourceVersion: expected }, { dryRun: false, fieldManager: FIELD_MANAGER });
    expect(done).toMatchObject({ outcome: 'deleted', auditId: server.requests.at(-1)!.auditId });
    expect(JSON.parse(server.requests.at(-1)!.body)).toMatchObject({ preconditions: { resourceVersion: expected } });
    expect(server.get('networking.k8s.io/v1', 'NetworkPolicy', 'payments', 'default-deny')).toBeUndefined();

    const again = await driver.execute({ action: 'delete', ref, expectedResourceVersion: null }, { dryRun: false, fieldManager: FIELD_MANAGER });
    expect(again).toMatchObject({ outcome: 'unchanged', message: 'not found: nothing to delete' });
  });

  it('fails a delete whose object changed since the change was computed', async () => {
    const result = await driver.execute({ action: 'delete', ref, expectedResourceVersion: '1' }, { dryRun: false, fieldManager: FIELD_MANAGER });
    expect(result.outcome).toBe('failed');
    expect(result.message).toMatch(/^409 conflict/);
    expect(server.get('networking.k8s.io/v1', 'NetworkPolicy', 'payments', 'default-deny')).toBeDefined();
  });
});

describe('liveVersions', () => {
  it('returns the live resourceVersion, or null for a missing object or an unserved kind', async () => {
    const live = server.get('networking.k8s.io/v1', 'NetworkPolicy', 'payments', 'default-deny')!;
    const refs = [
      { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', namespace: 'payments', name: 'default-deny' },
      { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', namespace: 'payments', name: 'nope' },
      { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', namespace: null, name: 'view' },
      { apiVersion: 'security.istio.io/v1', kind: 'PeerAuthentication', namespace: 'payments', name: 'default' },
    ];
    const versions = await driver.liveVersions(refs);
    expect(versions.map((v) => v.resourceVersion)).toEqual([live.metadata.resourceVersion, null, server.get('rbac.authorization.k8s.io/v1', 'ClusterRole', undefined, 'view')!.metadata.resourceVersion, null]);
    expect(versions[0]!.ref).toEqual(refs[0]);
  });

  it('throws on errors other than not found, so the agent does not mistake them for absence', async () => {
    server.failNext('GET', 'networkpolicies/default-deny', 403, 'Forbidden', 'cannot get');
    await expect(driver.liveVersions([{ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', namespace: 'payments', name: 'default-deny' }])).rejects.toThrow();
  });
});

describe('watch', () => {
  async function watching() {
    await driver.snapshot();
    const deltas: InventoryDelta[] = [];
    const errors: Error[] = [];
    const stop = driver.watch(
      (d) => deltas.push(d),
      (e) => errors.push(e),
    );
    await eventually(() => server.openWatches() >= 11, 'all watches open');
    return { deltas, errors, stop };
  }

  it('watches from the snapshot resourceVersion and turns events into deltas', async () => {
    const { deltas, errors } = await watching();
    const netpolWatch = server.requests.find((r) => r.path === '/apis/networking.k8s.io/v1/networkpolicies' && r.query.watch === 'true')!;
    expect(netpolWatch.query.resourceVersion).toBeTruthy();
    expect(server.requests.some((r) => r.path.includes('secrets'))).toBe(false);

    server.put({ ...netpol('allow-web'), metadata: { name: 'allow-web', namespace: 'payments', managedFields: [{ manager: 'x' }] } } as never);
    const up = await eventually(() => deltas.flatMap((d) => d.upserts).find((u) => u.kind === 'NetworkPolicy' && u.name === 'allow-web'), 'netpol upsert');
    expect(up.resourceVersion).toBeTruthy();
    expect(up.object).not.toHaveProperty('metadata.managedFields');

    server.remove('rbac.authorization.k8s.io/v1', 'Role', 'payments', 'reader');
    await eventually(() => deltas.flatMap((d) => d.deletes).find((d) => d.kind === 'Role' && d.name === 'reader'), 'role delete');
    expect(errors).toEqual([]);
  });

  it('re-derives the workload when its pods change, and deletes it with its last pod', async () => {
    const { deltas } = await watching();
    server.put(frontendPod('frontend-7d9f-ccccc', '10.0.0.13', true));
    const frontend = await eventually(() => deltas.flatMap((d) => d.upserts).find((u) => u.kind === 'Workload' && u.name === 'frontend'), 'workload upsert');
    expect(frontend.object).toMatchObject({ ownerKind: 'Deployment', replicas: 3, readyReplicas: 2, ips: ['10.0.0.11', '10.0.0.12', '10.0.0.13'] });

    server.remove('v1', 'Pod', 'payments', 'debug');
    await eventually(() => deltas.flatMap((d) => d.deletes).find((d) => d.kind === 'Workload' && d.name === 'debug'), 'workload delete');
  });

  it('relists when the watch resourceVersion expires (410) and reconnects when the server ends a watch', async () => {
    const { deltas, errors } = await watching();
    const lists = () => server.requests.filter((r) => r.path === '/api/v1/serviceaccounts' && r.query.watch !== 'true').length;
    const before = lists();
    server.sendWatchLine('v1', 'ServiceAccount', { type: 'ERROR', object: { kind: 'Status', apiVersion: 'v1', status: 'Failure', code: 410, reason: 'Expired', message: 'too old resource version' } });
    await eventually(() => lists() > before, 'relist after 410');

    server.endWatches();
    await eventually(() => server.openWatches() >= 11, 'watches reopened');
    server.put({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'late', namespace: 'payments' } });
    await eventually(() => deltas.flatMap((d) => d.upserts).find((u) => u.kind === 'ServiceAccount' && u.name === 'late'), 'upsert after reconnect');
    expect(errors).toEqual([]);
  });

  it('reports a forbidden watch through onError and stops', async () => {
    await driver.snapshot();
    server.failNext('GET', '/api/v1/namespaces', 403, 'Forbidden', 'cannot watch namespaces');
    const errors: Error[] = [];
    driver.watch(
      () => undefined,
      (e) => errors.push(e),
    );
    const err = await eventually(() => errors[0], 'onError');
    expect(err.message).toContain('403');
    await eventually(() => server.openWatches() === 0, 'watches closed');
  });

  it('without a snapshot first, lists everything and sends it as upserts before watching', async () => {
    const deltas: InventoryDelta[] = [];
    driver.watch(
      (d) => deltas.push(d),
      () => undefined,
    );
    await eventually(() => server.openWatches() >= 11, 'all watches open');
    const upserts = deltas.flatMap((d) => d.upserts);
    expect(upserts.filter((u) => u.kind === 'Workload').map((u) => u.name).sort()).toEqual(['debug', 'frontend', 'nightly']);
    expect(upserts.some((u) => u.kind === 'Namespace' && u.name === 'payments')).toBe(true);
  });

  it('stops watching when the returned function is called', async () => {
    const { stop } = await watching();
    stop();
    await eventually(() => server.openWatches() === 0, 'watches closed');
  });
});

describe('usage from metrics.k8s.io', () => {
  const POD_METRICS = { apiVersion: 'metrics.k8s.io/v1beta1', kind: 'PodMetrics', plural: 'pods', namespaced: true };

  it('sums PodMetrics per owning workload with the same pods’ requests and limits, exactly', async () => {
    await driver.close();
    await server.close();
    await startWith([...DEFAULT_RESOURCES, POD_METRICS]);
    const metrics = (pod: string, web: Record<string, string>, proxy: Record<string, string>) => ({
      apiVersion: 'metrics.k8s.io/v1beta1',
      kind: 'PodMetrics',
      metadata: { name: pod, namespace: 'payments' },
      timestamp: '2031-03-04T12:00:00Z',
      window: '30s',
      containers: [
        { name: 'web', usage: web },
        { name: 'proxy', usage: proxy },
      ],
    });
    server.put(metrics('frontend-7d9f-aaaaa', { cpu: '123456789n', memory: '100Mi' }, { cpu: '1m', memory: '20Mi' }));
    server.put(metrics('frontend-7d9f-bbbbb', { cpu: '0.5', memory: '1Gi' }, { cpu: '2500u', memory: '4Ki' }));
    await driver.snapshot();
    const sample = await driver.sampleUsage!(new Date('2031-03-04T12:00:00Z'));
    const frontend = sample.workloads.find((w) => w.workload === 'frontend')!;
    // 123456789n + 1m + 0.5 + 2500u = 0.626956789 cores, kept in nanocores; memory in Ki (the first value was binary).
    expect(frontend).toEqual({
      minute: '2031-03-04T12:00:00.000Z',
      namespace: 'payments',
      workload: 'frontend',
      kind: 'Deployment',
      replicas: 2,
      usage: { cpu: '626956789n', memory: `${(100 * 2 ** 20 + 20 * 2 ** 20 + 2 ** 30 + 4 * 1024) / 1024}Ki` },
      requests: { cpu: '700m', memory: '384Mi' },
      limits: { cpu: '2', memory: '512Mi' },
    });
    expect(sample.quotas).toEqual([{ minute: '2031-03-04T12:00:00.000Z', namespace: 'payments', name: 'compute', hard: { 'requests.cpu': '4' }, used: { 'requests.cpu': '700m' } }]);
  });

  it('without metrics-server sends quotas only', async () => {
    await driver.snapshot();
    const sample = await driver.sampleUsage!(new Date('2031-03-04T12:00:00Z'));
    expect(sample.workloads).toEqual([]);
    expect(sample.quotas).toHaveLength(1);
  });
});
