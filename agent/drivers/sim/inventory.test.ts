// The sim's starting inventory is what the protocol promises and what the engines accept.
import { describe, expect, it } from 'vitest';
import { InventoryItem, WorkloadObject } from '../../protocol/messages';
import { readNetworkPolicy, readPeerAuthentication } from '../../../server/domain/netpol/index';
import { buildRbacIndex, riskFindings, validateObject, type RbacObject } from '../../../server/domain/rbac/index';
import { createSimDriver } from './sim-driver';
import { manualClock, manualScheduler } from './sim-test-support';

async function snapshot() {
  const clock = manualClock('2025-03-04T14:00:00Z');
  const driver = createSimDriver({ seed: 7, now: clock.now, schedule: manualScheduler().schedule });
  const items = await driver.snapshot();
  await driver.close();
  return items;
}

const ofKind = (items: InventoryItem[], kind: string) => items.filter((i) => i.kind === kind);

describe('sim inventory', () => {
  it('matches the protocol schema, workloads included', async () => {
    const items = await snapshot();
    for (const item of items) expect(() => InventoryItem.parse(item)).not.toThrow();
    for (const w of ofKind(items, 'Workload')) expect(WorkloadObject.safeParse(w.object).success).toBe(true);
    const keys = items.map((i) => `${i.kind}/${i.namespace}/${i.name}`);
    expect(new Set(keys).size).toBe(keys.length);
  });

  it('has the tenants, system namespaces and services the demo needs', async () => {
    const items = await snapshot();
    const namespaces = ofKind(items, 'Namespace');
    expect(namespaces.map((n) => n.name).sort()).toEqual(['analytics', 'default', 'istio-system', 'kube-system', 'payments', 'sandbox-students', 'storefront']);
    for (const ns of namespaces) {
      const labels = (ns.object.metadata as { labels: Record<string, string> }).labels;
      expect(labels['kubernetes.io/metadata.name']).toBe(ns.name);
    }
    const workloads = ofKind(items, 'Workload').map((w) => `${w.namespace}/${w.name}`);
    expect(workloads).toEqual(
      expect.arrayContaining([
        'payments/frontend',
        'payments/order-service',
        'payments/payment-service',
        'payments/postgres',
        'storefront/web',
        'storefront/checkout',
        'storefront/catalog',
        'analytics/ingest',
        'analytics/spark-worker',
        'analytics/dashboards',
        'sandbox-students/cuda-trainer',
        'kube-system/coredns',
      ]),
    );
    const postgres = ofKind(items, 'Workload').find((w) => w.name === 'postgres')!.object as WorkloadObject;
    expect(postgres.ownerKind).toBe('StatefulSet');
    expect(postgres.ports).toEqual([{ name: 'postgres', port: 5432, protocol: 'TCP' }]);
    expect(postgres.ips.every((ip) => ip.startsWith('10.244.'))).toBe(true);
    const dns = ofKind(items, 'Workload').find((w) => w.name === 'coredns')!.object as WorkloadObject;
    expect(dns.ports).toEqual(expect.arrayContaining([{ name: 'dns', port: 53, protocol: 'UDP' }, { name: 'dns-tcp', port: 53, protocol: 'TCP' }]));
    const allIps = ofKind(items, 'Workload').flatMap((w) => (w.object as WorkloadObject).ips);
    expect(new Set(allIps).size).toBe(allIps.length);
  });

  it('gives every Kubernetes object real metadata', async () => {
    const items = await snapshot();
    for (const item of items.filter((i) => i.kind !== 'Workload')) {
      const o = item.object as { apiVersion: string; kind: string; metadata: Record<string, unknown> };
      expect(o.kind).toBe(item.kind);
      expect(o.apiVersion).toMatch(/^(v1|[a-z0-9.]+\/v1)$/);
      expect(o.metadata.name).toBe(item.name);
      expect(o.metadata.uid).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      expect(o.metadata.resourceVersion).toBe(item.resourceVersion);
      expect(String(o.metadata.creationTimestamp)).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
      expect(o.metadata.managedFields).toBeUndefined();
    }
  });

  it('holds NetworkPolicies the netpol engine reads without a problem', async () => {
    const items = await snapshot();
    const policies = ofKind(items, 'NetworkPolicy');
    expect(policies.map((p) => `${p.namespace}/${p.name}`)).toEqual(expect.arrayContaining(['payments/default-deny-all', 'payments/allow-dns-egress']));
    expect(policies.filter((p) => p.namespace === 'storefront')).toEqual([]);
    for (const p of policies) expect(readNetworkPolicy(p.object).problems).toEqual([]);
  });

  it('holds RBAC objects the rbac engine reads, with the risky bindings it should find', async () => {
    const items = await snapshot();
    const objects: RbacObject[] = [];
    for (const item of items.filter((i) => ['Role', 'ClusterRole', 'RoleBinding', 'ClusterRoleBinding'].includes(i.kind))) {
      const result = validateObject(item.object);
      expect(result.issues).toEqual([]);
      objects.push(result.object!);
    }
    const index = buildRbacIndex(objects);
    expect(index.problems).toEqual([]);
    const findings = riskFindings(index, {});
    const ids = findings.map((f) => f.id);
    expect(ids).toEqual(expect.arrayContaining([expect.stringMatching(/^cluster-admin-binding\/ClusterRoleBinding\/teaching-assistants-admin/), expect.stringMatching(/^secrets-read\/ClusterRole\/secret-reader/)]));
  });

  it('holds PeerAuthentications: permissive mesh, strict payments, plaintext postgres port', async () => {
    const items = await snapshot();
    const pas = ofKind(items, 'PeerAuthentication');
    for (const pa of pas) expect(readPeerAuthentication(pa.object).problems).toEqual([]);
    const modes = Object.fromEntries(pas.map((p) => [`${p.namespace}/${p.name}`, p.object.spec]));
    expect(modes['istio-system/default']).toEqual({ mtls: { mode: 'PERMISSIVE' } });
    expect(modes['payments/default']).toEqual({ mtls: { mode: 'STRICT' } });
    expect(modes['payments/postgres']).toMatchObject({ portLevelMtls: { '5432': { mode: 'DISABLE' } } });
  });

  it('reports quotas with hard and used, the sandbox pinned at its CPU limit', async () => {
    const items = await snapshot();
    const quotas = ofKind(items, 'ResourceQuota');
    expect(quotas.map((q) => q.namespace).sort()).toEqual(['analytics', 'payments', 'sandbox-students', 'storefront']);
    for (const q of quotas) {
      const status = q.object.status as { hard: Record<string, string>; used: Record<string, string> };
      expect(Object.keys(status.used).sort()).toEqual(Object.keys(status.hard).sort());
    }
    const sandbox = quotas.find((q) => q.namespace === 'sandbox-students')!.object.status as { hard: Record<string, string>; used: Record<string, string> };
    expect(sandbox.used['limits.cpu']).toBe(sandbox.hard['limits.cpu']);
  });
});
