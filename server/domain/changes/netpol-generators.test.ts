import { describe, expect, it } from 'vitest';
import { NetpolEngine } from '../netpol/evaluate-connection';
import type { NetworkPolicy, Protocol, Workload } from '../netpol/model';
import { readNetworkPolicy } from '../netpol/validate-policy';
import { readPeerAuthentication } from '../netpol/mesh-posture';
import { parseChangeObjects } from './change-objects';
import { allowEdge, allowObserved, defaultDeny, GeneratorError, removePath, requireStrict, selectorFor, type ClusterView, type ObservedConnection } from './netpol-generators';

const wl = (namespace: string, name: string, labels: Record<string, string>, ports: Workload['ports'] = []): Workload => ({ id: `${namespace}/${name}`, kind: 'Deployment', namespace, name, labels, ips: [], ports });
const workloads = [
  wl('shop', 'web', { app: 'web', tier: 'front' }, [{ name: 'http', port: 8080, protocol: 'TCP' }]),
  wl('shop', 'api', { app: 'api' }, [{ name: 'http', port: 8080, protocol: 'TCP' }]),
  wl('shop', 'db', { app: 'db' }, [{ name: 'pg', port: 5432, protocol: 'TCP' }]),
  wl('ops', 'scraper', { app: 'scraper' }),
  wl('kube-system', 'coredns', { 'k8s-app': 'kube-dns' }, [{ name: 'dns', port: 53, protocol: 'UDP' }]),
];
const namespaces = ['shop', 'ops', 'kube-system'].map((name) => ({ name, labels: {} }));
const policy = (o: unknown) => {
  const r = readNetworkPolicy(o);
  if (!r.policy) throw new Error(JSON.stringify(r.problems));
  return r.policy;
};
const np = (name: string, spec: Record<string, unknown>) => ({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name, namespace: 'shop', resourceVersion: '7' }, spec });
const view = (policies: NetworkPolicy[]): ClusterView => ({ namespaces, workloads, policies });
const parsed = (objects: Record<string, unknown>[]) => objects.map(policy);
const allowed = (policies: NetworkPolicy[], from: string, to: string, port: number, protocol: Protocol = 'TCP') => {
  const engine = new NetpolEngine({ namespaces, members: workloads, policies });
  const i = (id: string) => workloads.findIndex((w) => w.id === id);
  return engine.allows({ source: { member: i(from) }, destination: { member: i(to) }, port, protocol });
};
const conn = (source: string, destination: string, port: number, protocol: Protocol = 'TCP'): ObservedConnection => ({ source: { workload: source }, destination: { workload: destination }, port, protocol, count: 10 });
/** Objects as a change would carry them: they must pass the same checks as typed YAML. */
const acceptable = (objects: Record<string, unknown>[]) => {
  const text = objects.map((o) => JSON.stringify(o)).join('\n---\n');
  expect(parseChangeObjects(text, [], { namespaces: null, clusterScoped: true }).problems).toEqual([]);
};

describe('drafts from the graph', () => {
  it('default-deny isolates the namespace in the asked direction, keeping DNS on request', () => {
    const d = defaultDeny('shop', 'both', { keepDns: true });
    acceptable(d.objects);
    const after = parsed(d.objects);
    expect(allowed(after, 'shop/web', 'shop/api', 8080)).toBe(false);
    expect(allowed(after, 'shop/web', 'kube-system/coredns', 53, 'UDP')).toBe(true);
    expect(allowed(after, 'ops/scraper', 'shop/api', 8080)).toBe(false);
    const ingressOnly = parsed(defaultDeny('shop', 'ingress', { keepDns: true }).objects);
    expect(ingressOnly).toHaveLength(1);
    expect(allowed(ingressOnly, 'shop/web', 'ops/scraper', 9000)).toBe(true);
    expect(allowed(parsed(defaultDeny('shop', 'egress', { keepDns: false }).objects), 'shop/web', 'kube-system/coredns', 53, 'UDP')).toBe(false);
  });

  it('picks the smallest selector that names only the workload', () => {
    expect(selectorFor(view([]), workloads[0]!)).toEqual({ matchLabels: { app: 'web' } });
    const twins = { namespaces, workloads: [wl('a', 'x', { app: 'same', v: '1' }), wl('a', 'y', { app: 'same', v: '2' })], policies: [] };
    expect(selectorFor(twins, twins.workloads[0]!)).toEqual({ matchLabels: { app: 'same', v: '1' } });
    expect(() => selectorFor({ ...twins, workloads: [wl('a', 'x', {}), wl('a', 'y', {})] }, wl('a', 'x', {}))).toThrow(GeneratorError);
  });

  it('allowing an edge survives a default-deny of both ends, and only that edge opens', () => {
    const deny = parsed([...defaultDeny('shop', 'both', { keepDns: true }).objects, { ...np('ops-deny', { podSelector: {}, policyTypes: ['Egress'] }), metadata: { name: 'deny', namespace: 'ops' } }]);
    const d = allowEdge(view(deny), { workload: 'ops/scraper' }, { workload: 'shop/api' }, [{ port: 8080, protocol: 'TCP' }]);
    acceptable(d.objects);
    expect(d.objects).toHaveLength(2); // ingress on api, egress on the (isolated) scraper
    const after = [...deny, ...parsed(d.objects)];
    expect(allowed(after, 'ops/scraper', 'shop/api', 8080)).toBe(true);
    expect(allowed(after, 'ops/scraper', 'shop/api', 9090)).toBe(false);
    expect(allowed(after, 'ops/scraper', 'shop/web', 8080)).toBe(false);
    expect(allowed(after, 'shop/web', 'shop/api', 8080)).toBe(false);
    // A source that is not isolated for egress gets no egress policy.
    const one = allowEdge(view([]), { workload: 'shop/web' }, { workload: 'shop/api' }, [{ port: 8080, protocol: 'TCP' }]);
    expect(one.objects).toHaveLength(1);
    expect(one.description).toContain('allowed today');
    expect(() => allowEdge(view([]), { ip: '1.2.3.4' }, { ip: '5.6.7.8' }, [{ port: 1, protocol: 'TCP' }])).toThrow(GeneratorError);
  });

  it('removing an allowed path drops the matching peer and names the rule that allowed it', () => {
    const policies = [
      policy(np('api', { podSelector: { matchLabels: { app: 'api' } }, policyTypes: ['Ingress'], ingress: [{ from: [{ podSelector: { matchLabels: { app: 'web' } } }, { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'ops' } } }], ports: [{ port: 'http' }] }] })),
      policy(np('db', { podSelector: { matchLabels: { app: 'db' } }, policyTypes: ['Ingress'], ingress: [{ ports: [{ port: 5432 }] }] })),
    ];
    const d = removePath(view(policies), { workload: 'ops/scraper' }, { workload: 'shop/api' }, [{ port: 8080, protocol: 'TCP' }], []);
    expect(d.allowedBy).toEqual(['shop/api ingress[0] from[1] ports[0]']);
    acceptable(d.objects);
    const after = [policies[1]!, ...parsed(d.objects)];
    expect(allowed(after, 'ops/scraper', 'shop/api', 8080)).toBe(false);
    expect(allowed(after, 'shop/web', 'shop/api', 8080)).toBe(true);
    expect((d.objects[0]!.metadata as Record<string, unknown>).resourceVersion).toBeUndefined();

    // A rule with no peers ("any peer") can only be removed; its list is written even when empty.
    const all = removePath(view(policies), { workload: 'shop/web' }, { workload: 'shop/db' }, [{ port: 5432, protocol: 'TCP' }], []);
    expect(all.allowedBy).toEqual(['shop/db ingress[0] (no from: any peer) ports[0]']);
    expect((all.objects[0]!.spec as Record<string, unknown>).ingress).toEqual([]);
    expect(allowed([policies[0]!, ...parsed(all.objects)], 'shop/web', 'shop/db', 5432)).toBe(false);

    expect(() => removePath(view(parsed(all.objects)), { workload: 'shop/web' }, { workload: 'shop/db' }, [{ port: 5432, protocol: 'TCP' }], [])).toThrow(/not allowed/);
  });

  it('removing a path between unisolated ends isolates the destination and keeps every other observed source', () => {
    const seen = [conn('shop/web', 'shop/api', 8080), conn('ops/scraper', 'shop/api', 8080), conn('shop/api', 'shop/db', 5432)];
    const d = removePath(view([]), { workload: 'ops/scraper' }, { workload: 'shop/api' }, [{ port: 8080, protocol: 'TCP' }], seen);
    acceptable(d.objects);
    const after = parsed(d.objects);
    expect(allowed(after, 'ops/scraper', 'shop/api', 8080)).toBe(false);
    expect(allowed(after, 'shop/web', 'shop/api', 8080)).toBe(true);
  });

  it('allowing what was observed gives exactly the observed connections and DNS', () => {
    const seen = [conn('shop/web', 'shop/api', 8080), conn('ops/scraper', 'shop/api', 9090), conn('shop/api', 'shop/db', 5432), conn('shop/api', 'kube-system/coredns', 53, 'UDP'), { source: { workload: 'shop/api' }, destination: { ip: '203.0.113.9' }, port: 443, protocol: 'TCP' as const, count: 2 }];
    const d = allowObserved(view([]), 'shop/api', seen, { label: 'the last 24 hours' }, 3);
    acceptable(d.objects);
    expect(d.description).toContain('3 observed connections with a workload of another tenant are not included');
    const after = parsed(d.objects);
    for (const c of seen.slice(0, 4)) expect(allowed(after, (c.source as { workload: string }).workload, (c.destination as { workload: string }).workload, c.port, c.protocol)).toBe(true);
    expect(allowed(after, 'shop/web', 'shop/api', 9090)).toBe(false);
    expect(allowed(after, 'shop/api', 'shop/web', 8080)).toBe(false);
    expect(allowed(after, 'shop/api', 'shop/db', 5433)).toBe(false);
    expect(allowed(after, 'shop/api', 'kube-system/coredns', 53, 'TCP')).toBe(true);
    const spec = d.objects[0]!.spec as { egress: { to: { ipBlock?: { cidr: string } }[] }[] };
    expect(spec.egress.some((r) => r.to[0]!.ipBlock?.cidr === '203.0.113.9/32')).toBe(true);
  });

  it('requiring STRICT switches the namespace-wide PeerAuthentication or creates one', () => {
    const pa = readPeerAuthentication({ apiVersion: 'security.istio.io/v1', kind: 'PeerAuthentication', metadata: { name: 'mesh-mode', namespace: 'shop' }, spec: { mtls: { mode: 'PERMISSIVE' } } }).policy!;
    const raw = { apiVersion: 'security.istio.io/v1', kind: 'PeerAuthentication', metadata: { name: 'mesh-mode', namespace: 'shop', uid: 'x', labels: { team: 'a' } }, spec: { mtls: { mode: 'PERMISSIVE' } } };
    const d = requireStrict('shop', [pa], new Map([['shop/mesh-mode', raw]]));
    acceptable(d.objects);
    expect(d.objects[0]).toEqual({ apiVersion: 'security.istio.io/v1', kind: 'PeerAuthentication', metadata: { name: 'mesh-mode', namespace: 'shop', labels: { team: 'a' } }, spec: { mtls: { mode: 'STRICT' } } });
    expect(d.description).toContain('from PERMISSIVE to STRICT');
    expect((requireStrict('ops', [pa], new Map()).objects[0]!.metadata as { name: string }).name).toBe('default');
  });
});
