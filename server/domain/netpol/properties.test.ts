// Laws the engine must obey whatever the policies are, checked on random small clusters.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { NetpolEngine, type Connection } from './evaluate-connection';
import type { ClusterMember, Namespace, NetworkPolicy, Protocol } from './model';
import { readNetworkPolicy } from './validate-policy';

const KEYS = ['app', 'tier', 'env'] as const;
const VALUES = ['a', 'b', 'c'] as const;
const NAMESPACES = ['ns1', 'ns2', 'ns3'] as const;

const labelsArb = fc.dictionary(fc.constantFrom(...KEYS), fc.constantFrom(...VALUES), { maxKeys: 3 });
const selectorArb = fc.record(
  {
    matchLabels: fc.dictionary(fc.constantFrom(...KEYS), fc.constantFrom(...VALUES), { maxKeys: 2 }),
    matchExpressions: fc.array(
      fc.oneof(
        fc.record({ key: fc.constantFrom(...KEYS), operator: fc.constantFrom('In', 'NotIn'), values: fc.uniqueArray(fc.constantFrom(...VALUES), { minLength: 1, maxLength: 2 }) }),
        fc.record({ key: fc.constantFrom(...KEYS), operator: fc.constantFrom('Exists', 'DoesNotExist') }),
      ),
      { maxLength: 2 },
    ),
  },
  { requiredKeys: [] },
);
const peerArb = fc.oneof(
  fc.record({ podSelector: selectorArb }),
  fc.record({ namespaceSelector: selectorArb }),
  fc.record({ podSelector: selectorArb, namespaceSelector: selectorArb }),
  fc.constantFrom({ ipBlock: { cidr: '10.0.0.0/24' } }, { ipBlock: { cidr: '10.0.0.0/16', except: ['10.0.0.0/25'] } }, { ipBlock: { cidr: '0.0.0.0/0' } }),
);
const portArb = fc.oneof(
  fc.record({ port: fc.constantFrom(80, 443, 53), protocol: fc.constantFrom('TCP', 'UDP') }, { requiredKeys: ['port'] }),
  fc.record({ port: fc.constant(80), endPort: fc.constantFrom(80, 443, 8080) }),
  fc.record({ port: fc.constantFrom('http', 'dns') }),
  fc.record({ protocol: fc.constantFrom('TCP', 'UDP', 'SCTP') }),
);
const ruleArb = (key: 'from' | 'to') =>
  fc.record({ [key]: fc.array(peerArb, { maxLength: 3 }), ports: fc.array(portArb, { maxLength: 2 }) }, { requiredKeys: [] });
const specArb = fc.record(
  {
    podSelector: selectorArb,
    policyTypes: fc.subarray(['Ingress', 'Egress']),
    ingress: fc.array(ruleArb('from'), { maxLength: 2 }),
    egress: fc.array(ruleArb('to'), { maxLength: 2 }),
  },
  { requiredKeys: ['podSelector'] },
);

let counter = 0;
function toPolicy(namespace: string, spec: unknown): NetworkPolicy {
  const { policy, problems } = readNetworkPolicy({ metadata: { name: `p${counter++}`, namespace }, spec });
  if (!policy) throw new Error(JSON.stringify(problems));
  return policy;
}

const policyArb = fc.tuple(fc.constantFrom(...NAMESPACES), specArb).map(([ns, spec]) => toPolicy(ns, spec));

const memberArb = fc.record({
  namespace: fc.constantFrom(...NAMESPACES),
  labels: labelsArb,
  ip: fc.integer({ min: 0, max: 300 }),
  ports: fc.subarray([
    { name: 'http', port: 80, protocol: 'TCP' as Protocol },
    { name: 'dns', port: 53, protocol: 'UDP' as Protocol },
    { name: 'https', port: 443, protocol: 'TCP' as Protocol },
  ]),
});

const worldArb = fc.record({
  namespaces: fc.tuple(labelsArb, labelsArb, labelsArb).map((ls) => ls.map((labels, i) => ({ name: NAMESPACES[i]!, labels }) as Namespace)),
  members: fc.array(memberArb, { minLength: 1, maxLength: 6 }).map((ms) =>
    ms.map((m, i): ClusterMember => ({ namespace: m.namespace, name: `pod${i}`, labels: m.labels, ips: [`10.0.${m.ip >> 8}.${m.ip & 255}`], ports: m.ports })),
  ),
  policies: fc.array(policyArb, { maxLength: 5 }),
});

const connArb = (members: number) =>
  fc.record({
    source: fc.oneof(fc.integer({ min: 0, max: members - 1 }).map((member) => ({ member })), fc.constantFrom({ ip: '10.0.0.200' }, { ip: '192.0.2.1' })),
    destination: fc.oneof(fc.integer({ min: 0, max: members - 1 }).map((member) => ({ member })), fc.constant({ ip: '192.0.2.1' })),
    port: fc.constantFrom(53, 80, 443, 8080),
    protocol: fc.constantFrom('TCP', 'UDP', 'SCTP') as fc.Arbitrary<Protocol>,
  }) as fc.Arbitrary<Connection>;

const scenarioArb = worldArb.chain((w) => fc.tuple(fc.constant(w), fc.array(connArb(w.members.length), { minLength: 1, maxLength: 8 })));

const engine = (w: { namespaces: Namespace[]; members: ClusterMember[] }, policies: NetworkPolicy[]) =>
  new NetpolEngine({ namespaces: w.namespaces, members: w.members, policies });

describe('NetworkPolicy laws', () => {
  it('adding an ingress rule to a policy that already isolates ingress never denies an allowed connection', () => {
    fc.assert(
      fc.property(scenarioArb, fc.nat(), ruleArb('from'), ([w, conns], which, rule) => {
        const candidates = w.policies.filter((p) => p.ingressIsolation);
        fc.pre(candidates.length > 0);
        const target = candidates[which % candidates.length]!;
        const src = target.source as { metadata: unknown; spec: Record<string, unknown> };
        const grown = toPolicy(target.namespace, { ...src.spec, policyTypes: src.spec.policyTypes, ingress: [...((src.spec.ingress as unknown[]) ?? []), rule] });
        // The grown policy must isolate exactly as before: only then is the law about rules alone.
        fc.pre(grown.ingressIsolation && grown.egressIsolation === target.egressIsolation);
        const before = engine(w, w.policies);
        const after = engine(w, w.policies.map((p) => (p === target ? grown : p)));
        for (const c of conns) if (before.allows(c)) expect(after.allows(c)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('a policy that selects no pod changes nothing', () => {
    fc.assert(
      fc.property(scenarioArb, specArb, fc.constantFrom(...NAMESPACES), ([w, conns], spec, ns) => {
        const p = toPolicy(ns, { ...spec, podSelector: { matchLabels: { 'selects-nothing': 'yes' } } });
        const before = engine(w, w.policies);
        const after = engine(w, [...w.policies, p]);
        for (const c of conns) expect(after.allows(c)).toBe(before.allows(c));
      }),
      { numRuns: 300 },
    );
  });

  it('policy order does not matter (the union is commutative)', () => {
    fc.assert(
      fc.property(scenarioArb, ([w, conns]) => {
        const a = engine(w, w.policies);
        const b = engine(w, [...w.policies].reverse());
        for (const c of conns) expect(b.allows(c)).toBe(a.allows(c));
      }),
      { numRuns: 200 },
    );
  });

  it('without policies everything is allowed; the fast path agrees with the explained one', () => {
    fc.assert(
      fc.property(scenarioArb, ([w, conns]) => {
        const none = engine(w, []);
        const some = engine(w, w.policies);
        for (const c of conns) {
          expect(none.allows(c)).toBe(true);
          const v = some.evaluate(c);
          expect(v.allowed).toBe(some.allows(c));
          expect(v.allowed).toBe(v.egress.allowed && v.ingress.allowed);
          // An allowed isolated side always names the rule that allowed it.
          for (const side of [v.egress, v.ingress]) if (side.isolated && side.allowed) expect(side.allowedBy.length).toBeGreaterThan(0);
        }
      }),
      { numRuns: 200 },
    );
  });

  it('a connection is allowed exactly when each direction alone is allowed', () => {
    fc.assert(
      fc.property(scenarioArb, ([w, conns]) => {
        const e = engine(w, w.policies);
        for (const c of conns) expect(e.allows(c)).toBe(e.allowsDirection(c, 'egress') && e.allowsDirection(c, 'ingress'));
      }),
      { numRuns: 100 },
    );
  });

  it('adding a peer to a rule never denies an allowed connection', () => {
    fc.assert(
      fc.property(scenarioArb, fc.nat(), peerArb, ([w, conns], which, peer) => {
        const withRules = w.policies.filter((p) => p.ingressIsolation && p.ingress.some((r) => r.peers !== null));
        fc.pre(withRules.length > 0);
        const target = withRules[which % withRules.length]!;
        const spec = (target.source as { spec: { ingress: { from?: unknown[] }[] } }).spec;
        const ingress = spec.ingress.map((r) => (r.from && r.from.length > 0 ? { ...r, from: [...r.from, peer] } : r));
        const grown = toPolicy(target.namespace, { ...spec, ingress });
        const before = engine(w, w.policies);
        const after = engine(w, w.policies.map((p) => (p === target ? grown : p)));
        for (const c of conns) if (before.allows(c)) expect(after.allows(c)).toBe(true);
      }),
      { numRuns: 200 },
    );
  });
});
