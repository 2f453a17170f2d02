import fc from 'fast-check';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { readNetworkPolicy } from '../netpol/validate-policy';
import { readPeerAuthentication } from '../netpol/mesh-posture';
import { formToObject, objectToForm, type NetworkPolicyForm, type PeerAuthenticationForm, type PeerForm, type PolicyForm, type SelectorForm } from './policy-form';
import { appendFormToText, applyFormToText, readPolicyDocuments, removeDocument } from './policy-yaml';

// Arbitraries for valid policies (names, labels, CIDRs and ports the API server accepts), and
// for any strings at all where the conversion must still be exact.
const dnsLabel = fc.stringMatching(/^[a-z]([a-z0-9-]{0,8}[a-z0-9])?$/);
const labelKey = fc.oneof(dnsLabel, fc.tuple(dnsLabel, dnsLabel).map(([a, b]) => `${a}.io/${b}`));
const labelValue = fc.oneof(fc.constant(''), fc.stringMatching(/^[A-Za-z0-9]([A-Za-z0-9._-]{0,6}[A-Za-z0-9])?$/));
const uniqueBy = <T>(arb: fc.Arbitrary<T>, key: (t: T) => string, max = 3) => fc.uniqueArray(arb, { selector: key, maxLength: max });
const selector: fc.Arbitrary<SelectorForm> = fc.record({
  labels: uniqueBy(fc.record({ key: labelKey, value: labelValue }), (l) => l.key),
  expressions: fc.array(
    fc.oneof(
      fc.record({ key: labelKey, operator: fc.constantFrom('In' as const, 'NotIn' as const), values: fc.array(labelValue, { minLength: 1, maxLength: 3 }) }),
      fc.record({ key: labelKey, operator: fc.constantFrom('Exists' as const, 'DoesNotExist' as const), values: fc.constant([] as string[]) }),
    ),
    { maxLength: 2 },
  ),
});
const empty: SelectorForm = { labels: [], expressions: [] };
const octet = fc.integer({ min: 0, max: 255 });
const peer: fc.Arbitrary<PeerForm> = fc.oneof(
  selector.map((s) => ({ kind: 'pods' as const, podSelector: s, namespaceSelector: empty, cidr: '', except: [] })),
  selector.map((s) => ({ kind: 'namespaces' as const, podSelector: empty, namespaceSelector: s, cidr: '', except: [] })),
  fc.tuple(selector, selector).map(([p, n]) => ({ kind: 'both' as const, podSelector: p, namespaceSelector: n, cidr: '', except: [] })),
  fc.tuple(octet, octet, fc.boolean()).map(([a, b, withExcept]) => ({ kind: 'ipBlock' as const, podSelector: empty, namespaceSelector: empty, cidr: `10.${a}.0.0/16`, except: withExcept ? [`10.${a}.${b}.0/24`] : [] })),
);
const port = fc.oneof(
  fc.record({ protocol: fc.constantFrom('' as const, 'TCP' as const, 'UDP' as const, 'SCTP' as const), port: fc.constant(''), endPort: fc.constant('') }),
  fc.record({ protocol: fc.constantFrom('' as const, 'TCP' as const, 'UDP' as const), port: fc.integer({ min: 1, max: 65535 }).map(String), endPort: fc.constant('') }),
  fc.tuple(fc.integer({ min: 1, max: 60000 }), fc.integer({ min: 0, max: 5000 })).map(([p, d]) => ({ protocol: 'TCP' as const, port: String(p), endPort: String(p + d) })),
  fc.record({ protocol: fc.constantFrom('' as const, 'UDP' as const), port: fc.stringMatching(/^[a-z]([a-z0-9]{0,6}[a-z])?$/), endPort: fc.constant('') }),
);
const rule = fc.record({ peers: fc.array(peer, { maxLength: 3 }), ports: fc.array(port, { maxLength: 3 }) });
const networkPolicy: fc.Arbitrary<NetworkPolicyForm> = fc.record({
  kind: fc.constant('NetworkPolicy' as const),
  name: dnsLabel,
  namespace: dnsLabel,
  podSelector: selector,
  policyTypes: fc.constantFrom([] as ('Ingress' | 'Egress')[], ['Ingress' as const], ['Egress' as const], ['Ingress' as const, 'Egress' as const]),
  ingress: fc.array(rule, { maxLength: 3 }),
  egress: fc.array(rule, { maxLength: 3 }),
});
const mode = fc.constantFrom('UNSET' as const, 'DISABLE' as const, 'PERMISSIVE' as const, 'STRICT' as const);
const peerAuthentication: fc.Arbitrary<PeerAuthenticationForm> = fc
  .record({
    kind: fc.constant('PeerAuthentication' as const),
    name: dnsLabel,
    namespace: dnsLabel,
    selector: uniqueBy(fc.record({ key: labelKey, value: labelValue }), (l) => l.key),
    mode,
    portLevelMtls: uniqueBy(fc.record({ port: fc.integer({ min: 1, max: 65535 }).map(String), mode }), (p) => p.port),
  })
  // port-level mTLS needs a workload selector (istiod refuses it otherwise)
  .map((f) => (f.selector.length === 0 ? { ...f, portLevelMtls: [] } : f))
  // a map keyed by port numbers: JavaScript (and so every reader) orders integer keys ascending
  .map((f) => ({ ...f, portLevelMtls: [...f.portLevelMtls].sort((x, y) => Number(x.port) - Number(y.port)) }));
const anyForm: fc.Arbitrary<PolicyForm> = fc.oneof(networkPolicy, peerAuthentication);

// Any text where a string goes: the conversion must be exact even for values the validator refuses.
const anyText = fc.string({ maxLength: 12 });
const looseNetworkPolicy: fc.Arbitrary<NetworkPolicyForm> = fc.record({
  kind: fc.constant('NetworkPolicy' as const),
  name: anyText,
  namespace: anyText,
  podSelector: fc.record({ labels: uniqueBy(fc.record({ key: anyText.filter((k) => !/^(0|[1-9]\d*)$/.test(k)), value: anyText }), (l) => l.key), expressions: fc.constant([]) }),
  policyTypes: fc.constant([]),
  ingress: fc.array(fc.record({ peers: fc.array(fc.record({ kind: fc.constant('ipBlock' as const), podSelector: fc.constant(empty), namespaceSelector: fc.constant(empty), cidr: anyText, except: fc.array(anyText, { maxLength: 2 }) }), { maxLength: 2 }), ports: fc.array(fc.record({ protocol: fc.constant('' as const), port: anyText, endPort: fc.constant('') }), { maxLength: 2 }) }), { maxLength: 2 }),
  egress: fc.constant([]),
});

const yamlOf = (o: unknown) => (readPolicyDocuments(appendFormToText('', objectToForm(o))), appendFormToText('', objectToForm(o)));

describe('policy form ↔ object ↔ YAML', () => {
  it('a valid form renders an object the engines accept, and reads back as the same form through YAML', () => {
    fc.assert(
      fc.property(anyForm, (form) => {
        const object = formToObject(form);
        const problems = form.kind === 'NetworkPolicy' ? readNetworkPolicy(object).problems : readPeerAuthentication(object).problems;
        expect(problems.filter((p) => p.severity === 'error')).toEqual([]);
        const text = appendFormToText('', form);
        const docs = readPolicyDocuments(text);
        expect(docs).toHaveLength(1);
        expect(docs[0]!.form).toEqual(form);
        expect(parse(text)).toEqual(object);
      }),
      { numRuns: 300 },
    );
  });

  it('the conversion is exact for any strings, valid or not', () => {
    fc.assert(
      fc.property(looseNetworkPolicy, (form) => {
        expect(readPolicyDocuments(appendFormToText('', form))[0]!.form).toEqual(form);
      }),
      { numRuns: 200 },
    );
  });

  it('editing through the form leaves the YAML holding exactly the edited form, other documents and comments untouched', () => {
    fc.assert(
      fc.property(anyForm, anyForm, (a, b) => {
        const other = '# the quota stays as written\napiVersion: v1\nkind: ResourceQuota\nmetadata: {name: q, namespace: x}\nspec:\n  hard: {pods: "10"}\n';
        const text = `${other}---\n# why this policy exists\n${appendFormToText('', a)}`;
        const next = applyFormToText(text, 1, a, b);
        const docs = readPolicyDocuments(next);
        expect(docs).toHaveLength(2);
        expect(docs[1]!.form).toEqual(b);
        expect(next.startsWith(other)).toBe(true);
        if (a.kind === b.kind) expect(next).toContain('# why this policy exists');
      }),
      { numRuns: 300 },
    );
  });

  it('keeps comments, flow style elsewhere and fields the form does not render', () => {
    const text = `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: api
  namespace: shop
  labels: {team: web} # owned by the web team
spec:
  podSelector:
    matchLabels:
      app: api # the API pods
  policyTypes: [Ingress, Egress]
  ingress: []
  egress:
    # DNS
    - to:
        - namespaceSelector: {}
      ports: [{port: 53, protocol: UDP}]
`;
    const before = readPolicyDocuments(text)[0]!.form as NetworkPolicyForm;
    expect(before.ingress).toEqual([]);
    const after: NetworkPolicyForm = { ...before, podSelector: { ...before.podSelector, labels: [...before.podSelector.labels, { key: 'tier', value: 'api' }] } };
    const next = applyFormToText(text, 0, before, after);
    expect(next).toContain('app: api # the API pods');
    expect(next).toContain('labels: {team: web} # owned by the web team');
    expect(next).toContain('ingress: []');
    expect(next).toContain('# DNS');
    expect(next).toContain('tier: api');
    expect(readPolicyDocuments(next)[0]!.form).toEqual(after);

    // A new ingress rule replaces the explicit empty list.
    const withRule: NetworkPolicyForm = { ...after, ingress: [{ peers: [{ kind: 'pods', podSelector: { labels: [{ key: 'app', value: 'web' }], expressions: [] }, namespaceSelector: { labels: [], expressions: [] }, cidr: '', except: [] }], ports: [{ protocol: '', port: 'http', endPort: '' }] }] };
    const third = applyFormToText(next, 0, after, withRule);
    expect(readPolicyDocuments(third)[0]!.form).toEqual(withRule);
    expect(third).toContain('# DNS');
  });

  it('a label value typed after its key is written plain, as one typed at once would be', () => {
    const text = 'apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: a\n  namespace: b\nspec:\n  podSelector: {}\n';
    const start = readPolicyDocuments(text)[0]!.form as NetworkPolicyForm;
    const label = (value: string): NetworkPolicyForm => ({ ...start, podSelector: { labels: [{ key: 'app', value }], expressions: [] } });
    const empty = applyFormToText(text, 0, start, label(''));
    expect(empty).toContain('app: ""');
    const typed = applyFormToText(empty, 0, label(''), label('web'));
    expect(typed).toContain('app: web');
    expect(readPolicyDocuments(typed)[0]!.form).toEqual(label('web'));
  });

  it('YAML that does not parse, or has a shape no form has, is named with its line', () => {
    const docs = readPolicyDocuments('kind: NetworkPolicy\nmetadata: {name: a, namespace: b}\nspec:\n  podSelector: {}\n  ingress: 5\n---\nkind: NetworkPolicy\nspec: [\n');
    expect(docs[0]!.problem).toEqual({ line: 5, message: 'spec.ingress: must be a list' });
    expect(docs[1]!.form).toBeNull();
    expect(docs[1]!.problem?.message).toMatch(/^YAML: /);
    expect(docs[1]!.problem?.line).toBeGreaterThanOrEqual(7);
  });

  it('a document that stops parsing keeps its kind and name, so the editor still knows which policy is broken', () => {
    const valid = 'kind: NetworkPolicy\nmetadata:\n  name: catalog\n  namespace: storefront\nspec:\n  podSelector: {}\n';
    const [tab] = readPolicyDocuments(`${valid}\n\tegress: 1\n`);
    expect(tab).toMatchObject({ kind: 'NetworkPolicy', name: 'catalog', namespace: 'storefront', form: null, problem: { line: 8 } });
    expect(tab!.problem!.message).toMatch(/^YAML: Tabs are not allowed as indentation at line 8, column 1$/);
    // Nothing readable before the error: nothing is guessed.
    expect(readPolicyDocuments('kind: [\n')[0]).toMatchObject({ kind: null, name: null, form: null });
    expect(readPolicyDocuments('kind: 7\nmetadata: {name: 8}\n')[0]).toMatchObject({ kind: null, name: null, problem: null });
  });

  it('reads every kind of peer and port the API knows', () => {
    const form = objectToForm(
      parse(`apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: p, namespace: n}
spec:
  podSelector: {matchExpressions: [{key: tier, operator: In, values: [api, web]}]}
  egress:
    - to:
        - ipBlock: {cidr: 0.0.0.0/0, except: [10.0.0.0/8]}
        - namespaceSelector: {matchLabels: {team: a}}
          podSelector: {matchLabels: {app: b}}
      ports:
        - {protocol: TCP, port: 32000, endPort: 32768}
        - {port: dns, protocol: UDP}
`),
    ) as NetworkPolicyForm;
    expect(form.podSelector.expressions).toEqual([{ key: 'tier', operator: 'In', values: ['api', 'web'] }]);
    expect(form.egress[0]!.peers.map((p) => p.kind)).toEqual(['ipBlock', 'both']);
    expect(form.egress[0]!.peers[0]!.except).toEqual(['10.0.0.0/8']);
    expect(form.egress[0]!.ports).toEqual([
      { protocol: 'TCP', port: '32000', endPort: '32768' },
      { protocol: 'UDP', port: 'dns', endPort: '' },
    ]);
  });

  it('appends and removes documents', () => {
    const a = objectToForm({ kind: 'PeerAuthentication', metadata: { name: 'default', namespace: 'shop' }, spec: { mtls: { mode: 'STRICT' } } });
    let text = appendFormToText('# header\n', a);
    expect(text.startsWith('# header\n')).toBe(true);
    text = appendFormToText(text, { ...(a as PeerAuthenticationForm), name: 'second' });
    expect(readPolicyDocuments(text).map((d) => d.name)).toEqual(['default', 'second']);
    expect(readPolicyDocuments(removeDocument(text, 0)).map((d) => d.name)).toEqual(['second']);
    expect(readPolicyDocuments(removeDocument(text, 1)).map((d) => d.name)).toEqual(['default']);
    expect(yamlOf(formToObject(a))).toContain('mode: STRICT');
  });
});
