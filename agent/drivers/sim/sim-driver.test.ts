// The ClusterDriver contract as the sim fulfils it: determinism, ticks from the injected
// scheduler, watch deltas, live versions for stale detection, and server-side apply.
import { describe, expect, it } from 'vitest';
import { FIELD_MANAGER, type FlowObservation, type InventoryDelta } from '../cluster-driver';
import type { BundleOperation, ObjectRef, WorkloadObject } from '../../protocol/messages';
import { UsageBatch } from '../../protocol/messages';
import { AUTOSCALER_MANAGER } from './sim-cluster';
import { createSimDriver } from './sim-driver';
import { manualClock, manualScheduler, on } from './sim-test-support';

const START = '2025-03-04T09:00:00Z';
const apply = (object: Record<string, unknown>): BundleOperation => ({ action: 'apply', object, expectedResourceVersion: null });
const del = (ref: ObjectRef): BundleOperation => ({ action: 'delete', ref, expectedResourceVersion: null });
const asAgent = { dryRun: false, fieldManager: FIELD_MANAGER };
const dryRun = { dryRun: true, fieldManager: FIELD_MANAGER };

function setup(seed: string | number = 11, start = START) {
  const clock = manualClock(start);
  const timers = manualScheduler();
  const driver = createSimDriver({ seed, now: clock.now, schedule: timers.schedule });
  return { clock, timers, driver };
}

const policyRef = (namespace: string, name: string): ObjectRef => ({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', namespace, name });
const allowSandboxToPostgres = {
  apiVersion: 'networking.k8s.io/v1',
  kind: 'NetworkPolicy',
  metadata: { name: 'allow-debug', namespace: 'payments' },
  spec: {
    podSelector: { matchLabels: { app: 'postgres' } },
    policyTypes: ['Ingress'],
    ingress: [{ from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'sandbox-students' } } }], ports: [{ port: 5432 }] }],
  },
};

/** Runs `ticks` ticks 2 s apart and collects what the driver reports. */
function run(ctx: ReturnType<typeof setup>, ticks: number) {
  const flows: FlowObservation[][] = [];
  const deltas: InventoryDelta[] = [];
  const stopFlows = ctx.driver.observeFlows((o) => flows.push(o));
  const stopWatch = ctx.driver.watch((d) => deltas.push(d), (e) => {
    throw e;
  });
  for (let i = 0; i < ticks; i++) {
    ctx.clock.advance(2_000);
    ctx.timers.fire();
  }
  stopFlows();
  stopWatch();
  return { flows, deltas };
}

describe('sim driver determinism', () => {
  it('gives the same snapshot, flows, deltas and ids for the same seed and clock', async () => {
    const a = setup(99);
    const b = setup(99);
    expect(await a.driver.snapshot()).toEqual(await b.driver.snapshot());
    const ra = run(a, 40);
    const rb = run(b, 40);
    expect(ra.flows.length).toBe(40);
    expect(JSON.stringify(ra.flows)).toBe(JSON.stringify(rb.flows));
    expect(JSON.stringify(ra.deltas)).toBe(JSON.stringify(rb.deltas));
    const resA = await a.driver.execute(apply(allowSandboxToPostgres), asAgent);
    const resB = await b.driver.execute(apply(allowSandboxToPostgres), asAgent);
    expect(resA).toEqual(resB);
    expect(a.driver.usage()).toEqual(b.driver.usage());
  });

  it('differs for another seed', async () => {
    const a = setup(1);
    const b = setup(2);
    const fa = a.driver.flowsAt(a.clock.now());
    const fb = b.driver.flowsAt(b.clock.now());
    expect(JSON.stringify(fa)).not.toBe(JSON.stringify(fb));
    const uids = async (d: typeof a.driver) => (await d.snapshot()).map((i) => (i.object.metadata as { uid?: string } | undefined)?.uid);
    expect(await uids(a.driver)).not.toEqual(await uids(b.driver));
  });
});

describe('sim driver timers', () => {
  it('ticks on the injected scheduler only while someone listens, and close stops it', async () => {
    const clock = manualClock(START);
    const timers = manualScheduler();
    const driver = createSimDriver({ seed: 3, now: clock.now, tickMs: 5_000, schedule: timers.schedule });
    await driver.snapshot();
    expect(timers.active).toBe(0);
    const batches: FlowObservation[][] = [];
    const stop = driver.observeFlows((o) => batches.push(o));
    expect(timers.periods()).toEqual([5_000]);
    const unwatch = driver.watch(() => {}, () => {});
    expect(timers.active).toBe(1);
    clock.advance(5_000);
    timers.fire();
    expect(batches).toHaveLength(1);
    expect(batches[0]!.every((o) => o.time.getTime() === clock.now().getTime())).toBe(true);
    stop();
    expect(timers.active).toBe(1);
    await driver.close();
    expect(timers.active).toBe(0);
    unwatch();
    await expect(driver.snapshot()).rejects.toThrow(/closed/);
  });
});

describe('sim driver watch', () => {
  it('emits the objects an apply and a delete change', async () => {
    const { driver } = setup();
    const deltas: InventoryDelta[] = [];
    driver.watch((d) => deltas.push(d), () => {});
    const result = await driver.execute(apply(allowSandboxToPostgres), asAgent);
    expect(deltas).toHaveLength(1);
    expect(deltas[0]!.upserts.map((u) => `${u.kind}/${u.namespace}/${u.name}`)).toEqual(['NetworkPolicy/payments/allow-debug']);
    expect(deltas[0]!.upserts[0]!.resourceVersion).toBe((result.object!.metadata as { resourceVersion: string }).resourceVersion);

    await driver.execute(del(policyRef('payments', 'allow-debug')), asAgent);
    expect(deltas[1]).toEqual({ upserts: [], deletes: [{ kind: 'NetworkPolicy', namespace: 'payments', name: 'allow-debug' }] });

    await driver.execute(apply(allowSandboxToPostgres), dryRun);
    expect(deltas).toHaveLength(2);
  });

  it('emits replica and quota changes as time passes', async () => {
    const ctx = setup(5, '2025-03-04T04:00:00Z');
    const before = await ctx.driver.snapshot();
    const frontendReplicas = (items: typeof before) => (items.find((i) => i.kind === 'Workload' && i.name === 'frontend')!.object as WorkloadObject).replicas;
    const { deltas } = run(ctx, 0);
    expect(deltas).toEqual([]);
    const seen: InventoryDelta[] = [];
    ctx.driver.watch((d) => seen.push(d), () => {});
    ctx.clock.advance(8 * 3_600_000);
    ctx.timers.fire();
    const kinds = seen.flatMap((d) => d.upserts.map((u) => `${u.kind}/${u.namespace}/${u.name}`));
    expect(kinds).toEqual(expect.arrayContaining(['Workload/payments/frontend', 'ResourceQuota/payments/compute-quota']));
    const after = await ctx.driver.snapshot();
    expect(frontendReplicas(after)).toBeGreaterThan(frontendReplicas(before));
    const used = (items: typeof before) => (items.find((i) => i.kind === 'ResourceQuota' && i.namespace === 'payments')!.object.status as { used: Record<string, string> }).used.pods;
    expect(Number(used(after))).toBeGreaterThan(Number(used(before)));
  });
});

describe('sim driver liveVersions', () => {
  it('reports live resourceVersions, null for missing objects, and sees a change', async () => {
    const { driver } = setup();
    const refs: ObjectRef[] = [
      policyRef('payments', 'default-deny-all'),
      policyRef('payments', 'no-such-policy'),
      { apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'payments', name: 'frontend' },
      { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRoleBinding', namespace: null, name: 'spark-secret-reader' },
      { apiVersion: 'v1', kind: 'Secret', namespace: 'payments', name: 'psp-api-key' },
    ];
    const live = await driver.liveVersions(refs);
    expect(live.map((l) => l.ref)).toEqual(refs);
    expect(live[0]!.resourceVersion).toMatch(/^\d+$/);
    expect(live[1]!.resourceVersion).toBeNull();
    expect(live[2]!.resourceVersion).toMatch(/^\d+$/);
    expect(live[3]!.resourceVersion).toMatch(/^\d+$/);
    expect(live[4]!.resourceVersion).toBeNull();
    const snapshot = await driver.snapshot();
    expect(snapshot.find((i) => i.kind === 'Workload' && i.name === 'frontend')!.resourceVersion).toBe(live[2]!.resourceVersion);

    const deny = (await driver.snapshot()).find((i) => i.kind === 'NetworkPolicy' && i.name === 'default-deny-all')!;
    await driver.execute(apply({ ...deny.object, metadata: { name: 'default-deny-all', namespace: 'payments', labels: { reviewed: 'yes' } } }), asAgent);
    const again = await driver.liveVersions(refs.slice(0, 1));
    expect(Number(again[0]!.resourceVersion)).toBeGreaterThan(Number(live[0]!.resourceVersion));
  });
});

describe('sim driver execute', () => {
  it('creates, reports unchanged on the same apply, updates with a higher resourceVersion, and deletes', async () => {
    const { driver } = setup();
    const created = await driver.execute(apply(allowSandboxToPostgres), asAgent);
    expect(created.outcome).toBe('applied');
    expect(created.ref).toEqual(policyRef('payments', 'allow-debug'));
    expect(created.auditId).toMatch(/^[0-9a-f-]{36}$/);
    const meta = created.object!.metadata as Record<string, unknown>;
    expect(meta).toMatchObject({ name: 'allow-debug', namespace: 'payments', generation: 1 });
    expect(meta.managedFields).toBeUndefined();
    expect(meta.uid).toBeTypeOf('string');

    const same = await driver.execute(apply(allowSandboxToPostgres), asAgent);
    expect(same.outcome).toBe('unchanged');
    expect((same.object!.metadata as Record<string, unknown>).resourceVersion).toBe(meta.resourceVersion);

    const changed = { ...allowSandboxToPostgres, spec: { ...allowSandboxToPostgres.spec, ingress: [{ ...allowSandboxToPostgres.spec.ingress[0], ports: [{ port: 'postgres' }] }] } };
    const updated = await driver.execute(apply(changed), asAgent);
    const updatedMeta = updated.object!.metadata as Record<string, unknown>;
    expect(updated.outcome).toBe('applied');
    expect(Number(updatedMeta.resourceVersion)).toBeGreaterThan(Number(meta.resourceVersion));
    expect(updatedMeta.generation).toBe(2);
    expect(updatedMeta.uid).toBe(meta.uid);

    const gone = await driver.execute(del(policyRef('payments', 'allow-debug')), asAgent);
    expect(gone.outcome).toBe('deleted');
    expect((await driver.liveVersions([policyRef('payments', 'allow-debug')]))[0]!.resourceVersion).toBeNull();
    const again = await driver.execute(del(policyRef('payments', 'allow-debug')), asAgent);
    expect(again).toMatchObject({ outcome: 'failed', message: 'networkpolicies.networking.k8s.io "allow-debug" not found' });

    const ids = [created, same, updated, gone, again].map((r) => r.auditId);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('changes nothing in a dry run, for applies and deletes', async () => {
    const { driver, clock } = setup();
    const before = await driver.snapshot();
    const flowsBefore = driver.flowsAt(clock.now());
    const created = await driver.execute(apply(allowSandboxToPostgres), dryRun);
    expect(created.outcome).toBe('applied');
    expect((created.object!.metadata as Record<string, unknown>).resourceVersion).toBeUndefined();
    const deleted = await driver.execute(del(policyRef('payments', 'default-deny-all')), dryRun);
    expect(deleted.outcome).toBe('deleted');
    expect(deleted.object).toMatchObject({ kind: 'NetworkPolicy', metadata: { name: 'default-deny-all' } });
    expect(await driver.snapshot()).toEqual(before);
    expect(driver.flowsAt(clock.now())).toEqual(flowsBefore);
  });

  it('lets a later policy change the verdicts of later traffic', async () => {
    const { driver, clock } = setup();
    const scan = 'sandbox-students/cuda-trainer -> payments/postgres:5432/TCP';
    const minute = () => Array.from({ length: 30 }, (_, i) => driver.flowsAt(new Date(clock.now().getTime() + i * 2_000))).flat();
    expect(new Set(on(minute(), scan).map((o) => o.verdict))).toEqual(new Set(['denied']));
    await driver.execute(apply(allowSandboxToPostgres), asAgent);
    // Ingress is allowed now, but the plaintext scan meets postgres' sidecar... on a DISABLE port: it gets through.
    expect(new Set(on(minute(), scan).map((o) => `${o.verdict}/${o.mtls}`))).toEqual(new Set(['allowed/plaintext']));
  });

  it('refuses unsupported kinds, bad apiVersions and missing namespaces with clear messages', async () => {
    const { driver } = setup();
    const secret = await driver.execute(apply({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 's', namespace: 'payments' }, data: {} }), asAgent);
    expect(secret.outcome).toBe('failed');
    expect(secret.message).toMatch(/does not support kind "Secret"/);
    expect(secret.ref).toEqual({ apiVersion: 'v1', kind: 'Secret', namespace: 'payments', name: 's' });
    const old = await driver.execute(apply({ ...allowSandboxToPostgres, apiVersion: 'extensions/v1beta1' }), asAgent);
    expect(old).toMatchObject({ outcome: 'failed', message: expect.stringMatching(/unsupported apiVersion "extensions\/v1beta1"/) });
    const nowhere = await driver.execute(apply({ ...allowSandboxToPostgres, metadata: { name: 'x', namespace: 'nowhere' } }), asAgent);
    expect(nowhere).toMatchObject({ outcome: 'failed', message: 'namespaces "nowhere" not found' });
    const noNs = await driver.execute(apply({ ...allowSandboxToPostgres, metadata: { name: 'x' } }), asAgent);
    expect(noNs.outcome).toBe('failed');
    const kubeSystem = await driver.execute(del({ apiVersion: 'v1', kind: 'Namespace', namespace: null, name: 'kube-system' }), asAgent);
    expect(kubeSystem).toMatchObject({ outcome: 'failed', message: expect.stringMatching(/may not be deleted/) });
  });

  it('validates NetworkPolicies with the netpol engine and RBAC with the rbac engine', async () => {
    const { driver } = setup();
    const badPolicy = await driver.execute(
      apply({ ...allowSandboxToPostgres, spec: { podSelector: {}, ingress: [{ from: [{ ipBlock: { cidr: '10.0.0.0/33' } }], ports: [{ port: 70000 }] }] } }),
      asAgent,
    );
    expect(badPolicy.outcome).toBe('failed');
    expect(badPolicy.message).toMatch(/spec\.ingress\[0\]\.from\[0\]\.ipBlock\.cidr/);
    expect(badPolicy.message).toMatch(/spec\.ingress\[0\]\.ports\[0\]\.port/);

    const badBinding = await driver.execute(
      apply({
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'ClusterRoleBinding',
        metadata: { name: 'oops' },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'x' },
        subjects: [{ kind: 'ServiceAccount', name: 'web' }],
      }),
      asAgent,
    );
    expect(badBinding.outcome).toBe('failed');
    expect(badBinding.message).toMatch(/ClusterRoleBinding oops/);
    expect((await driver.liveVersions([{ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRoleBinding', namespace: null, name: 'oops' }]))[0]!.resourceVersion).toBeNull();

    const retarget = await driver.execute(
      apply({
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'ClusterRoleBinding',
        metadata: { name: 'spark-secret-reader' },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'tenant-view' },
        subjects: [{ kind: 'ServiceAccount', name: 'spark', namespace: 'analytics' }],
      }),
      asAgent,
    );
    expect(retarget).toMatchObject({ outcome: 'failed', message: expect.stringMatching(/cannot change roleRef/) });

    const badPa = await driver.execute(
      apply({ apiVersion: 'security.istio.io/v1', kind: 'PeerAuthentication', metadata: { name: 'x', namespace: 'payments' }, spec: { mtls: { mode: 'SOMETIMES' } } }),
      asAgent,
    );
    expect(badPa).toMatchObject({ outcome: 'failed', message: expect.stringMatching(/unsupported mode "SOMETIMES"/) });
  });

  it('refuses an apply whose metadata.resourceVersion is not the live one', async () => {
    const { driver } = setup();
    const stale = await driver.execute(apply({ ...allowSandboxToPostgres, metadata: { ...allowSandboxToPostgres.metadata, resourceVersion: '3' } }), asAgent);
    expect(stale).toMatchObject({ outcome: 'failed', message: expect.stringMatching(/the object has been modified/) });
  });

  it('keeps fields other managers own and drops the ones the agent stopped sending', async () => {
    const { driver } = setup();
    // payments/frontend was created by kubectl; the agent adds a label only.
    const labelled = await driver.execute(apply({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'frontend', namespace: 'payments', labels: { 'verity.io/change': 'c-1' } } }), asAgent);
    expect(labelled.outcome).toBe('applied');
    expect(labelled.object).toMatchObject({ metadata: { labels: { 'verity.io/change': 'c-1' } }, spec: { podSelector: { matchLabels: { app: 'frontend' } } } });
    expect((labelled.object!.spec as { egress: unknown[] }).egress).toHaveLength(1);

    // The agent owns all of allow-debug, so leaving a field out removes it.
    await driver.execute(apply({ ...allowSandboxToPostgres, metadata: { ...allowSandboxToPostgres.metadata, labels: { a: 'b' } } }), asAgent);
    const trimmed = await driver.execute(apply(allowSandboxToPostgres), asAgent);
    expect((trimmed.object!.metadata as { labels?: unknown }).labels).toBeUndefined();
  });

  it('scales a workload through a Deployment apply, which the autoscaler then leaves alone', async () => {
    const { driver, clock } = setup();
    const deltas: InventoryDelta[] = [];
    driver.watch((d) => deltas.push(d), () => {});
    const sleep = await driver.execute(apply({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'cuda-trainer', namespace: 'sandbox-students', annotations: { 'verity.io/slept-replicas': '2' } }, spec: { replicas: 0 } }), asAgent);
    expect(sleep.outcome).toBe('applied');
    expect(sleep.object).toMatchObject({ kind: 'Deployment', spec: { replicas: 0, template: { spec: { serviceAccountName: 'default' } } }, status: { replicas: 0 } });
    const upserts = deltas.flatMap((d) => d.upserts);
    const workload = upserts.find((u) => u.kind === 'Workload' && u.name === 'cuda-trainer')!.object as WorkloadObject;
    expect(workload).toMatchObject({ replicas: 0, ips: [] });
    const quota = upserts.find((u) => u.kind === 'ResourceQuota' && u.namespace === 'sandbox-students')!.object.status as { used: Record<string, string> };
    expect(quota.used['limits.cpu']).toBe('2');
    expect(on(driver.flowsAt(clock.now()), 'sandbox-students/cuda-trainer -> 198.51.100.23:3333/TCP')).toEqual([]);
    expect(driver.usage().find((u) => u.workload === 'cuda-trainer')!.cpuMillicores).toBe(0);

    // Frontend is autoscaled; once the agent sets replicas, the autoscaler no longer owns them.
    await driver.execute(apply({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'frontend', namespace: 'payments' }, spec: { replicas: 1 } }), asAgent);
    clock.advance(6 * 3_600_000);
    const items = await driver.snapshot();
    expect((items.find((i) => i.kind === 'Workload' && i.name === 'frontend')!.object as WorkloadObject).replicas).toBe(1);
    expect(AUTOSCALER_MANAGER).toBe('horizontal-pod-autoscaler');
  });
});

describe('sim usage', () => {
  it('pins the miner at its CPU limit and lets dashboards idle at night', () => {
    const { driver } = setup();
    const day = driver.usage(new Date('2025-03-04T14:00:00Z'));
    const night = driver.usage(new Date('2025-03-05T02:00:00Z'));
    const find = (u: typeof day, name: string) => u.find((x) => x.workload === name)!;
    for (const u of [day, night]) {
      const miner = find(u, 'cuda-trainer');
      expect(miner.cpuMillicores).toBeGreaterThanOrEqual(0.97 * miner.cpuLimitMillicores);
      expect(miner.cpuMillicores).toBeLessThanOrEqual(miner.cpuLimitMillicores);
    }
    expect(find(night, 'dashboards').cpuMillicores).toBeLessThan(0.05 * find(night, 'dashboards').cpuRequestMillicores);
    expect(find(day, 'dashboards').cpuMillicores).toBeGreaterThan(10 * find(night, 'dashboards').cpuMillicores);
    for (const u of day) {
      expect(u.memoryBytes).toBeGreaterThan(0);
      expect(u.memoryBytes).toBeLessThanOrEqual(u.memoryLimitBytes);
    }
    expect(driver.usage(new Date('2025-03-04T14:00:00Z'))).toEqual(day);
  });
});

describe('sim usage samples for the console', () => {
  it('sends every workload and ResourceQuota as protocol samples with exact quantities', async () => {
    const { driver } = setup();
    const minute = new Date('2025-03-04T14:00:00Z');
    const sample = await driver.sampleUsage(minute);
    const batch = UsageBatch.parse({ batchId: 'sim-usage-1', ...sample });
    const miner = batch.workloads.find((w) => w.workload === 'cuda-trainer')!;
    expect(miner).toMatchObject({ minute: minute.toISOString(), namespace: 'sandbox-students', kind: 'Deployment' });
    const usage = driver.usage(minute).find((u) => u.workload === 'cuda-trainer')!;
    expect(miner.usage.cpu).toBe(`${usage.cpuMillicores}m`);
    expect(miner.limits.cpu).toBe(`${usage.cpuLimitMillicores}m`);
    const students = batch.quotas.find((q) => q.namespace === 'sandbox-students')!;
    expect(Object.keys(students.hard).sort()).toEqual(Object.keys(students.used).sort());
    expect(students.used['limits.cpu']).toBeDefined();
  });
});
