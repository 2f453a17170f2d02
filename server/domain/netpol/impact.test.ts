// Impact analysis: which observed flows flip when a policy set is replaced, with both
// explanations, checked against a brute-force re-evaluation on random inputs.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { NetpolEngine } from './evaluate-connection';
import { policy } from './fixtures/builders';
import { analyzeImpact, diffPolicies, type ObservedFlow } from './impact';
import type { Namespace, NetworkPolicy, Protocol, Workload } from './model';

const namespaces: Namespace[] = [
  { name: 'shop', labels: { team: 'shop' } },
  { name: 'ops', labels: { team: 'ops' } },
];
const wl = (namespace: string, name: string, labels: Record<string, string>, ip: string, ports: Workload['ports'] = []): Workload => ({
  id: `${namespace}/${name}`,
  kind: 'Deployment',
  namespace,
  name,
  labels,
  ips: [ip],
  ports,
});
const workloads: Workload[] = [
  wl('shop', 'web', { app: 'web' }, '10.0.0.1'),
  wl('shop', 'api', { app: 'api' }, '10.0.0.2', [{ name: 'http', port: 8080, protocol: 'TCP' }]),
  wl('shop', 'db', { app: 'db' }, '10.0.0.3', [{ name: 'pg', port: 5432, protocol: 'TCP' }]),
  wl('ops', 'prom', { app: 'prom' }, '10.0.1.1'),
];
const flow = (from: string, to: string, port: number, count = 1, protocol: Protocol = 'TCP'): ObservedFlow => ({
  source: from.includes('/') ? { workload: from } : { ip: from },
  destination: to.includes('/') ? { workload: to } : { ip: to },
  port,
  protocol,
  count,
});

const current = [
  policy('shop', 'api-in', { podSelector: { matchLabels: { app: 'api' } }, ingress: [{ from: [{ podSelector: { matchLabels: { app: 'web' } } }, { namespaceSelector: { matchLabels: { team: 'ops' } } }], ports: [{ port: 'http' }] }] }),
];

describe('analyzeImpact', () => {
  it('reports flows that a new default deny would block, with before/after explanations', () => {
    const proposed = [...current, policy('shop', 'deny-egress', { podSelector: {}, policyTypes: ['Egress'] })];
    const flows = [flow('shop/web', 'shop/api', 8080, 10), flow('shop/web', 'shop/api', 8080, 5), flow('ops/prom', 'shop/api', 8080, 7), flow('shop/api', '8.8.8.8', 53, 2, 'UDP')];
    const r = analyzeImpact({ namespaces, workloads, current, proposed, flows });
    expect(r.policyChanges).toEqual({ added: [{ namespace: 'shop', name: 'deny-egress' }], removed: [], modified: [] });
    expect(r.changes.map((c) => [c.index, c.change])).toEqual([
      [0, 'allowed-to-denied'],
      [1, 'allowed-to-denied'],
      [3, 'allowed-to-denied'],
    ]);
    expect(r.summary).toMatchObject({ flows: 4, untouched: 1, distinctEvaluated: 2, newlyDenied: { flows: 3, count: 17 }, newlyAllowed: { flows: 0, count: 0 } });
    const first = r.changes[0]!;
    expect(first.before.allowed).toBe(true);
    expect(first.after.egress).toMatchObject({ isolated: true, allowed: false, isolatingPolicies: [{ namespace: 'shop', name: 'deny-egress' }] });
    expect(first.after.ingress.allowedBy).toEqual([{ policy: { namespace: 'shop', name: 'api-in' }, rule: 0, peer: 0, port: 0 }]);
    // Identical keys share one explanation.
    expect(r.changes[1]!.after).toBe(first.after);
  });

  it('reports flows a removed policy would open, and modifications', () => {
    const proposed = [policy('shop', 'api-in', { podSelector: { matchLabels: { app: 'api' } }, ingress: [{ from: [{ podSelector: { matchLabels: { app: 'web' } } }, { podSelector: { matchLabels: { app: 'db' } } }], ports: [{ port: 'http' }] }] })];
    const flows = [flow('shop/db', 'shop/api', 8080), flow('ops/prom', 'shop/api', 8080), flow('shop/web', 'shop/api', 8080)];
    const r = analyzeImpact({ namespaces, workloads, current, proposed, flows });
    expect(r.policyChanges.modified).toEqual([{ namespace: 'shop', name: 'api-in' }]);
    expect(r.changes.map((c) => [c.index, c.change])).toEqual([
      [0, 'denied-to-allowed'],
      [1, 'allowed-to-denied'],
    ]);
    const removed = analyzeImpact({ namespaces, workloads, current, proposed: [], flows });
    expect(removed.policyChanges.removed).toEqual([{ namespace: 'shop', name: 'api-in' }]);
    expect(removed.changes.map((c) => c.change)).toEqual(['denied-to-allowed']);
  });

  it('treats an address that belongs to a workload as that workload', () => {
    const proposed = [...current, policy('shop', 'deny-egress', { podSelector: {}, policyTypes: ['Egress'] })];
    const r = analyzeImpact({ namespaces, workloads, current, proposed, flows: [flow('10.0.0.1', '10.0.0.2', 8080)] });
    expect(r.changes).toHaveLength(1);
    expect(r.changes[0]!.before.source).toBe('shop/web');
    expect(r.changes[0]!.after.egress.isolatingPolicies).toEqual([{ namespace: 'shop', name: 'deny-egress' }]);
  });

  it('a renamed or rewritten policy with the same rules touches no flow', () => {
    const spec = (current[0]!.source as { spec: Record<string, unknown> }).spec;
    const renamed = [policy('shop', 'api-ingress', { ...spec, podSelector: { matchExpressions: [{ key: 'app', operator: 'In', values: ['api'] }] } })];
    const r = analyzeImpact({ namespaces, workloads, current, proposed: renamed, flows: [flow('shop/web', 'shop/api', 8080), flow('ops/prom', 'shop/api', 8080)] });
    expect(r.policyChanges).toMatchObject({ added: [{ name: 'api-ingress' }], removed: [{ name: 'api-in' }] });
    expect(r.summary).toMatchObject({ untouched: 2, distinctEvaluated: 0 });
    expect(r.changes).toEqual([]);
  });

  it('counts flows naming unknown workloads instead of failing', () => {
    const r = analyzeImpact({ namespaces, workloads, current, proposed: [], flows: [flow('shop/gone', 'shop/api', 8080), flow('shop/web', 'shop/ghost', 1)] });
    expect(r.summary.unresolved).toEqual({ flows: 2, workloads: ['shop/ghost', 'shop/gone'] });
  });

  it('an identical proposal changes nothing and evaluates nothing', () => {
    const same = [policy('shop', 'api-in', (current[0]!.source as { spec: Record<string, unknown> }).spec)];
    expect(diffPolicies(current, same)).toEqual({ added: [], removed: [], modified: [] });
    const r = analyzeImpact({ namespaces, workloads, current, proposed: same, flows: [flow('shop/web', 'shop/api', 8080)] });
    expect(r.summary).toMatchObject({ untouched: 1, distinctEvaluated: 0 });
  });

  it('agrees with evaluating every flow from scratch (random policy sets)', () => {
    const selector = fc.constantFrom({}, { matchLabels: { app: 'web' } }, { matchLabels: { app: 'api' } }, { matchExpressions: [{ key: 'app', operator: 'NotIn', values: ['db'] }] });
    const spec = fc.record({
      podSelector: selector,
      policyTypes: fc.subarray(['Ingress', 'Egress']),
      ingress: fc.array(fc.record({ from: fc.array(fc.oneof(fc.record({ podSelector: selector }), fc.record({ namespaceSelector: fc.constantFrom({}, { matchLabels: { team: 'ops' } }) }), fc.constant({ ipBlock: { cidr: '10.0.0.0/31' } }))), ports: fc.array(fc.constantFrom({ port: 8080 }, { port: 'http' }, { protocol: 'UDP' })) }, { requiredKeys: [] }), { maxLength: 2 }),
      egress: fc.array(fc.record({ to: fc.array(fc.oneof(fc.record({ podSelector: selector }), fc.constant({ ipBlock: { cidr: '0.0.0.0/0', except: ['10.0.0.0/8'] } }))), ports: fc.array(fc.constantFrom({ port: 53, protocol: 'UDP' }, { port: 5432 })) }, { requiredKeys: [] }), { maxLength: 2 }),
    }, { requiredKeys: ['podSelector'] });
    const policies = fc.uniqueArray(fc.tuple(fc.constantFrom('a', 'b', 'c', 'd'), fc.constantFrom('shop', 'ops'), spec), { selector: ([n, ns]) => `${ns}/${n}`, maxLength: 4 }).map((ps) => ps.map(([n, ns, s]) => policy(ns, n, s)));
    const endpoint = fc.constantFrom('shop/web', 'shop/api', 'shop/db', 'ops/prom', '8.8.8.8', '10.0.0.1');
    const flows = fc.array(fc.tuple(endpoint, endpoint, fc.constantFrom(53, 5432, 8080), fc.constantFrom<Protocol>('TCP', 'UDP')).map(([a, b, port, protocol]) => flow(a, b, port, 1, protocol)), { maxLength: 30 });
    fc.assert(
      fc.property(policies, policies, flows, (cur: NetworkPolicy[], prop: NetworkPolicy[], fs: ObservedFlow[]) => {
        const r = analyzeImpact({ namespaces, workloads, current: cur, proposed: prop, flows: fs });
        const b = new NetpolEngine({ namespaces, members: workloads, policies: cur });
        const a = new NetpolEngine({ namespaces, members: workloads, policies: prop });
        const expected: number[] = [];
        fs.forEach((f, i) => {
          const ep = (e: ObservedFlow['source']) => {
            if ('workload' in e) return { member: workloads.findIndex((w) => w.id === e.workload) };
            const owner = workloads.findIndex((w) => w.ips.includes(e.ip));
            return owner >= 0 ? { member: owner } : { ip: e.ip };
          };
          const conn = { source: ep(f.source), destination: ep(f.destination), port: f.port, protocol: f.protocol };
          if (b.allows(conn) !== a.allows(conn)) expected.push(i);
        });
        expect(r.changes.map((c) => c.index)).toEqual(expected);
        for (const c of r.changes) expect(c.before.allowed).toBe(c.change === 'allowed-to-denied');
      }),
      { numRuns: 300 },
    );
  });
});
