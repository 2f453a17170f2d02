// The API server's validation rules for NetworkPolicy, each with the object and JSON path it
// must name, and the promise that valid objects are accepted and bad input never throws.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parsePolicies } from './parse-policies';
import { readNetworkPolicy } from './validate-policy';

const base = (spec: Record<string, unknown>, metadata: Record<string, unknown> = { name: 'p', namespace: 'prod' }) => ({
  apiVersion: 'networking.k8s.io/v1',
  kind: 'NetworkPolicy',
  metadata,
  spec: { podSelector: {}, ...spec },
});
const ingressPeer = (peer: unknown) => base({ ingress: [{ from: [{ podSelector: {} }, peer] }] });
const ingressPort = (port: unknown) => base({ ingress: [{ ports: [port] }] });

const invalid: { name: string; object: unknown; path: string; message: RegExp }[] = [
  { name: 'bad CIDR', object: ingressPeer({ ipBlock: { cidr: '10.0.0.0/33' } }), path: 'spec.ingress[0].from[1].ipBlock.cidr', message: /not a valid CIDR/ },
  { name: 'CIDR without prefix', object: ingressPeer({ ipBlock: { cidr: '10.0.0.1' } }), path: 'spec.ingress[0].from[1].ipBlock.cidr', message: /not a valid CIDR/ },
  { name: 'IPv4 octet over 255', object: ingressPeer({ ipBlock: { cidr: '10.0.0.256/32' } }), path: 'spec.ingress[0].from[1].ipBlock.cidr', message: /not a valid CIDR/ },
  { name: 'missing cidr', object: ingressPeer({ ipBlock: { except: ['10.0.0.0/8'] } }), path: 'spec.ingress[0].from[1].ipBlock.cidr', message: /required/ },
  { name: 'except outside cidr', object: ingressPeer({ ipBlock: { cidr: '10.0.0.0/16', except: ['10.0.1.0/24', '10.1.0.0/24'] } }), path: 'spec.ingress[0].from[1].ipBlock.except[1]', message: /strict subset/ },
  { name: 'except equal to cidr is not a strict subset', object: ingressPeer({ ipBlock: { cidr: '10.0.0.0/16', except: ['10.0.0.0/16'] } }), path: 'spec.ingress[0].from[1].ipBlock.except[0]', message: /strict subset/ },
  { name: 'except of the other family', object: ingressPeer({ ipBlock: { cidr: '10.0.0.0/8', except: ['fd00::/64'] } }), path: 'spec.ingress[0].from[1].ipBlock.except[0]', message: /strict subset/ },
  { name: 'except not a CIDR', object: ingressPeer({ ipBlock: { cidr: '10.0.0.0/8', except: ['banana'] } }), path: 'spec.ingress[0].from[1].ipBlock.except[0]', message: /not a valid CIDR/ },
  { name: 'ipBlock with another peer field', object: ingressPeer({ ipBlock: { cidr: '10.0.0.0/8' }, podSelector: {} }), path: 'spec.ingress[0].from[1]', message: /both ipBlock and another peer/ },
  { name: 'empty peer', object: ingressPeer({}), path: 'spec.ingress[0].from[1]', message: /must specify a peer/ },
  { name: 'port 0', object: ingressPort({ port: 0 }), path: 'spec.ingress[0].ports[0].port', message: /between 1 and 65535/ },
  { name: 'port 65536', object: ingressPort({ port: 65536 }), path: 'spec.ingress[0].ports[0].port', message: /between 1 and 65535/ },
  { name: 'endPort below port', object: ingressPort({ port: 9000, endPort: 8000 }), path: 'spec.ingress[0].ports[0].endPort', message: /greater than or equal to `port`/ },
  { name: 'endPort out of range', object: ingressPort({ port: 9000, endPort: 70000 }), path: 'spec.ingress[0].ports[0].endPort', message: /between 1 and 65535/ },
  { name: 'endPort with a named port', object: ingressPort({ port: 'http', endPort: 9000 }), path: 'spec.ingress[0].ports[0].endPort', message: /non-numeric/ },
  { name: 'endPort without port', object: ingressPort({ endPort: 9000 }), path: 'spec.ingress[0].ports[0].endPort', message: /not specified/ },
  { name: 'quoted number is a (bad) port name', object: ingressPort({ port: '80' }), path: 'spec.ingress[0].ports[0].port', message: /at least one letter/ },
  { name: 'port name too long', object: ingressPort({ port: 'a-very-long-port-name' }), path: 'spec.ingress[0].ports[0].port', message: /1 to 15/ },
  { name: 'lowercase protocol', object: ingressPort({ port: 80, protocol: 'tcp' }), path: 'spec.ingress[0].ports[0].protocol', message: /supported values/ },
  { name: 'ICMP protocol', object: ingressPort({ protocol: 'ICMP' }), path: 'spec.ingress[0].ports[0].protocol', message: /supported values/ },
  { name: 'unknown policyType', object: base({ policyTypes: ['Ingress', 'Outgress'] }), path: 'spec.policyTypes[1]', message: /supported values/ },
  { name: 'three policyTypes', object: base({ policyTypes: ['Ingress', 'Egress', 'Ingress'] }), path: 'spec.policyTypes', message: /more than two/ },
  { name: 'bad selector operator', object: base({ podSelector: { matchExpressions: [{ key: 'app', operator: 'Equals', values: ['a'] }] } }), path: 'spec.podSelector.matchExpressions[0].operator', message: /not a valid selector operator/ },
  { name: 'node-selector operator Gt is not a label selector operator', object: ingressPeer({ namespaceSelector: { matchExpressions: [{ key: 'n', operator: 'Gt', values: ['1'] }] } }), path: 'spec.ingress[0].from[1].namespaceSelector.matchExpressions[0].operator', message: /not a valid selector operator/ },
  { name: 'In with empty values', object: base({ egress: [{ to: [{ podSelector: { matchExpressions: [{ key: 'app', operator: 'In', values: [] }] } }] }] }), path: 'spec.egress[0].to[0].podSelector.matchExpressions[0].values', message: /must be specified/ },
  { name: 'NotIn without values', object: base({ podSelector: { matchExpressions: [{ key: 'app', operator: 'NotIn' }] } }), path: 'spec.podSelector.matchExpressions[0].values', message: /must be specified/ },
  { name: 'Exists with values', object: base({ podSelector: { matchExpressions: [{ key: 'app', operator: 'Exists', values: ['x'] }] } }), path: 'spec.podSelector.matchExpressions[0].values', message: /may not be specified/ },
  { name: 'DoesNotExist with values', object: base({ podSelector: { matchExpressions: [{ key: 'app', operator: 'DoesNotExist', values: ['x'] }] } }), path: 'spec.podSelector.matchExpressions[0].values', message: /may not be specified/ },
  { name: 'bad label key', object: base({ podSelector: { matchLabels: { 'a/b/c': 'x' } } }), path: 'spec.podSelector.matchLabels.a/b/c', message: /qualified name/ },
  { name: 'bad label value', object: base({ podSelector: { matchLabels: { app: '-x' } } }), path: 'spec.podSelector.matchLabels.app', message: /label value/ },
  { name: 'non-string label value', object: base({ podSelector: { matchLabels: { version: 2 } } }), path: 'spec.podSelector.matchLabels.version', message: /must be a string/ },
  { name: 'missing name', object: base({}, { namespace: 'prod' }), path: 'metadata.name', message: /required/ },
  { name: 'bad name', object: base({}, { name: 'Bad_Name' }), path: 'metadata.name', message: /DNS subdomain/ },
  { name: 'wrong apiVersion', object: { ...base({}), apiVersion: 'extensions/v1beta1' }, path: 'apiVersion', message: /unsupported apiVersion/ },
  { name: 'missing spec', object: { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'x' } }, path: 'spec', message: /required/ },
  { name: 'rule that is not an object', object: base({ ingress: ['allow'] }), path: 'spec.ingress[0]', message: /rule object/ },
];

describe('readNetworkPolicy rejects what the API server rejects', () => {
  it.each(invalid)('$name', ({ object, path, message }) => {
    const { policy, problems } = readNetworkPolicy(object);
    expect(policy).toBeNull();
    const errors = problems.filter((p) => p.severity === 'error');
    expect(errors.map((e) => e.path)).toContain(path);
    expect(errors.find((e) => e.path === path)!.message).toMatch(message);
    expect(errors[0]!.object.kind).toBe('NetworkPolicy');
  });

  it('names the object in every problem', () => {
    const { problems } = readNetworkPolicy(ingressPort({ port: 0 }), { source: 'a.yaml' });
    expect(problems[0]!.object).toEqual({ kind: 'NetworkPolicy', namespace: 'prod', name: 'p', source: 'a.yaml' });
  });

  it('reports every problem, not just the first', () => {
    const { problems } = readNetworkPolicy(
      base({ policyTypes: ['Nope'], ingress: [{ ports: [{ port: 0 }, { port: 'x', endPort: 3 }] }] }),
    );
    expect(problems.filter((p) => p.severity === 'error').map((p) => p.path)).toEqual([
      'spec.ingress[0].ports[0].port',
      'spec.ingress[0].ports[1].endPort',
      'spec.policyTypes[0]',
    ]);
  });
});

describe('readNetworkPolicy accepts valid objects', () => {
  const valid: { name: string; object: unknown }[] = [
    { name: 'minimal deny all', object: base({}) },
    { name: 'no namespace (defaults)', object: base({}, { name: 'p' }) },
    { name: 'host bits set in CIDR', object: ingressPeer({ ipBlock: { cidr: '10.0.0.1/24', except: ['10.0.0.128/25'] } }) },
    { name: 'IPv6 ipBlock', object: ingressPeer({ ipBlock: { cidr: '2001:db8::/32', except: ['2001:db8:1::/48'] } }) },
    { name: 'leading zeros are decimal', object: ingressPeer({ ipBlock: { cidr: '010.000.0.0/8' } }) },
    { name: 'endPort equal to port', object: ingressPort({ port: 80, endPort: 80 }) },
    { name: 'named port', object: ingressPort({ port: 'http-alt', protocol: 'TCP' }) },
    { name: 'null fields are absent fields', object: base({ ingress: [{ from: null, ports: null }], egress: null, policyTypes: null }) },
    { name: 'duplicate policy types', object: base({ policyTypes: ['Egress', 'Egress'] }) },
    { name: 'empty policyTypes defaults', object: base({ policyTypes: [] }) },
    { name: 'prefixed label keys', object: base({ podSelector: { matchLabels: { 'app.kubernetes.io/name': 'x', 'k8s-app': 'kube-dns' } } }) },
    { name: 'empty label value', object: base({ podSelector: { matchLabels: { app: '' } } }) },
    { name: 'status and unknown fields only warn', object: { ...base({}), status: {} } },
  ];
  it.each(valid)('$name', ({ object }) => {
    const { policy, problems } = readNetworkPolicy(object);
    expect(problems.filter((p) => p.severity === 'error')).toEqual([]);
    expect(policy).not.toBeNull();
  });

  it('defaults policyTypes as the API server does', () => {
    const ingressOnly = readNetworkPolicy(base({ ingress: [{}] })).policy!;
    expect([ingressOnly.ingressIsolation, ingressOnly.egressIsolation, ingressOnly.policyTypesDefaulted]).toEqual([true, false, true]);
    const withEgress = readNetworkPolicy(base({ egress: [{}] })).policy!;
    expect([withEgress.ingressIsolation, withEgress.egressIsolation]).toEqual([true, true]);
    const explicit = readNetworkPolicy(base({ policyTypes: ['Egress'], ingress: [{}] }));
    expect([explicit.policy!.ingressIsolation, explicit.policy!.egressIsolation]).toEqual([false, true]);
    expect(explicit.problems).toContainEqual(expect.objectContaining({ severity: 'warning', path: 'spec.ingress' }));
  });

  it('warns about a missing podSelector and unknown fields without rejecting', () => {
    const { policy, problems } = readNetworkPolicy({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'x' }, spec: { podselector: { matchLabels: { app: 'a' } } } });
    expect(policy).not.toBeNull();
    expect(problems.map((p) => [p.severity, p.path])).toEqual([
      ['warning', 'spec.podselector'],
      ['warning', 'spec.podSelector'],
    ]);
  });
});

describe('parsePolicies', () => {
  it('reads multi-document YAML, Lists, and skips other kinds', () => {
    const text = `
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: a, namespace: prod}
spec: {podSelector: {}}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
---
apiVersion: v1
kind: List
items:
- apiVersion: networking.k8s.io/v1
  kind: NetworkPolicy
  metadata: {name: b, namespace: prod}
  spec: {podSelector: {}, policyTypes: [Egress]}
---
`;
    const r = parsePolicies(text, 'm.yaml');
    expect(r.problems).toEqual([]);
    expect(r.policies.map((p) => p.name)).toEqual(['a', 'b']);
    expect(r.skipped).toEqual([{ kind: 'Deployment', source: 'm.yaml#1' }]);
  });

  it('reads JSON', () => {
    const r = parsePolicies(JSON.stringify(base({ ingress: [{}] })), 'p.json');
    expect(r.policies).toHaveLength(1);
  });

  it('reports YAML syntax errors and duplicate objects as problems', () => {
    expect(parsePolicies('a: [1, 2', 'bad.yaml').problems[0]).toMatchObject({ severity: 'error', object: { kind: 'file', source: 'bad.yaml' } });
    expect(parsePolicies('a: 1\na: 2\n', 'dup-key.yaml').problems).toHaveLength(1);
    const twice = `${JSON.stringify(base({}))}\n---\n${JSON.stringify(base({}))}`;
    expect(parsePolicies(twice, 'twice.yaml').problems[0]!.message).toMatch(/duplicate: prod\/p/);
  });

  it('survives alias bombs', () => {
    const bomb = ['a: &a ["x","x","x","x","x","x","x","x","x"]', ...Array.from({ length: 9 }, (_, i) => `${String.fromCharCode(98 + i)}: &${String.fromCharCode(98 + i)} [*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)}]`)].join('\n');
    const r = parsePolicies(bomb, 'bomb.yaml');
    expect(r.policies).toEqual([]);
    expect(r.problems.length).toBeGreaterThan(0);
  });
});

describe('bad input never throws', () => {
  it('arbitrary JSON values', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (v) => {
        readNetworkPolicy(v);
        readNetworkPolicy({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'x' }, spec: v });
      }),
      { numRuns: 500 },
    );
  });

  it('arbitrary values in every field of a rule', () => {
    const anything = fc.oneof(fc.jsonValue(), fc.constantFrom(null, undefined, [], {}, '', -1, 1.5, 'Exists'));
    fc.assert(
      fc.property(anything, anything, anything, anything, anything, (peer, ports, sel, cidr, except) => {
        readNetworkPolicy(base({ podSelector: sel, ingress: [{ from: [peer, { ipBlock: { cidr, except } }], ports }], egress: [{ to: peer, ports: [ports] }] }));
        readNetworkPolicy(base({ podSelector: { matchExpressions: [{ key: sel, operator: peer, values: except }] } }));
      }),
      { numRuns: 500 },
    );
  });

  it('arbitrary text', () => {
    fc.assert(
      fc.property(fc.string(), (s) => {
        parsePolicies(s, 'x');
      }),
      { numRuns: 300 },
    );
  });
});
