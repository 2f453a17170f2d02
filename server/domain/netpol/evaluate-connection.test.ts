// Table-driven checks of every corner of NetworkPolicy semantics, each case written from the
// Kubernetes documentation (concepts/services-networking/network-policies and the v1 API reference).
import { describe, expect, it } from 'vitest';
import { explainVerdict } from './explain-verdict';
import { policy, pod, World } from './fixtures/builders';
import type { NetworkPolicy, Protocol } from './model';

const world = new World(
  [
    { name: 'prod', labels: { env: 'prod', team: 'pay' } },
    { name: 'dev', labels: { env: 'dev' } },
    { name: 'monitoring', labels: { purpose: 'observability' } },
  ],
  [
    pod('prod', 'web', { app: 'web', tier: 'frontend' }, '10.0.0.1', [{ name: 'http', port: 8080 }]),
    pod('prod', 'api', { app: 'api', tier: 'backend' }, '10.0.0.2', [
      { name: 'http', port: 9000 },
      { name: 'metrics', port: 9090 },
      { name: 'dns', port: 53, protocol: 'UDP' },
    ]),
    pod('prod', 'db', { app: 'db', tier: 'backend', role: 'primary' }, '10.0.0.3', [{ name: 'pg', port: 5432 }]),
    pod('dev', 'web', { app: 'web', tier: 'frontend' }, '10.0.1.1', [{ name: 'http', port: 8080 }]),
    pod('dev', 'tool', { app: 'tool' }, '10.0.1.2'),
    pod('monitoring', 'prom', { app: 'prometheus' }, '10.0.2.1'),
    pod('prod', 'v6', { app: 'v6' }, 'fd00::10', [{ name: 'http', port: 80 }]),
  ],
);

type Case = {
  name: string;
  policies: NetworkPolicy[];
  from: string;
  to: string;
  port: number;
  protocol?: Protocol;
  allowed: boolean;
  options?: { ipBlockMatchesPods?: boolean };
};

const denyAllIngress = (ns: string) => policy(ns, 'deny-ingress', { podSelector: {}, policyTypes: ['Ingress'] });
const denyAllEgress = (ns: string) => policy(ns, 'deny-egress', { podSelector: {}, policyTypes: ['Egress'] });
const allowToApi = (from: unknown[], ports?: unknown[]) =>
  policy('prod', 'api-in', { podSelector: { matchLabels: { app: 'api' } }, ingress: [{ from, ...(ports ? { ports } : {}) }] });

const cases: Case[] = [
  // Isolation and defaults
  { name: 'no policies: everything allowed', policies: [], from: 'prod/web', to: 'prod/api', port: 9000, allowed: true },
  { name: 'default deny ingress isolates every pod of the namespace', policies: [denyAllIngress('prod')], from: 'prod/web', to: 'prod/api', port: 9000, allowed: false },
  { name: 'default deny ingress leaves other namespaces alone', policies: [denyAllIngress('prod')], from: 'prod/web', to: 'dev/web', port: 8080, allowed: true },
  { name: 'default deny ingress does not touch egress', policies: [denyAllIngress('dev')], from: 'dev/web', to: 'prod/api', port: 9000, allowed: true },
  { name: 'allow all ingress: ingress [{}]', policies: [denyAllIngress('prod'), policy('prod', 'all', { podSelector: {}, ingress: [{}] })], from: 'dev/tool', to: 'prod/api', port: 1234, allowed: true },
  { name: 'default deny egress', policies: [denyAllEgress('prod')], from: 'prod/web', to: 'dev/web', port: 8080, allowed: false },
  { name: 'default deny egress blocks external too', policies: [denyAllEgress('prod')], from: 'prod/web', to: '8.8.8.8', port: 53, protocol: 'UDP', allowed: false },
  { name: 'allow all egress: egress [{}]', policies: [denyAllEgress('prod'), policy('prod', 'all-out', { podSelector: {}, policyTypes: ['Egress'], egress: [{}] })], from: 'prod/web', to: '1.1.1.1', port: 443, allowed: true },
  { name: 'policyTypes defaulting: egress rules only still isolate ingress', policies: [policy('prod', 'egress-only', { podSelector: { matchLabels: { app: 'api' } }, egress: [{}] })], from: 'prod/web', to: 'prod/api', port: 9000, allowed: false },
  { name: 'policyTypes defaulting: egress rules present isolate egress', policies: [policy('prod', 'egress-dns', { podSelector: { matchLabels: { app: 'api' } }, egress: [{ ports: [{ port: 53, protocol: 'UDP' }] }] })], from: 'prod/api', to: 'prod/db', port: 5432, allowed: false },
  { name: 'policyTypes defaulting: ingress only does not isolate egress', policies: [policy('prod', 'in', { podSelector: {}, ingress: [] })], from: 'prod/api', to: 'dev/web', port: 8080, allowed: true },
  { name: 'egress: [] without policyTypes does not isolate egress', policies: [policy('prod', 'e', { podSelector: {}, ingress: [{}], egress: [] })], from: 'prod/api', to: 'dev/web', port: 8080, allowed: true },
  { name: 'explicit policyTypes [Egress] ignores ingress rules and leaves ingress open', policies: [policy('prod', 'eg', { podSelector: {}, policyTypes: ['Egress'], ingress: [{ from: [{ podSelector: { matchLabels: { app: 'nothing' } } }] }], egress: [{}] })], from: 'dev/tool', to: 'prod/api', port: 9000, allowed: true },
  { name: 'explicit policyTypes [Ingress, Egress] with no rules denies both', policies: [policy('prod', 'deny-all', { podSelector: {}, policyTypes: ['Ingress', 'Egress'] })], from: 'prod/web', to: 'prod/api', port: 9000, allowed: false },
  { name: 'policy with non-matching podSelector does not isolate', policies: [policy('prod', 'x', { podSelector: { matchLabels: { app: 'nope' } }, policyTypes: ['Ingress'] })], from: 'prod/web', to: 'prod/api', port: 9000, allowed: true },
  // Union and both ends
  { name: 'union: a deny-all plus an allow policy allows', policies: [denyAllIngress('prod'), allowToApi([{ podSelector: { matchLabels: { app: 'web' } } }])], from: 'prod/web', to: 'prod/api', port: 9000, allowed: true },
  { name: 'both ends: destination allows, source egress denies', policies: [denyAllEgress('prod'), allowToApi([{ podSelector: { matchLabels: { app: 'web' } } }])], from: 'prod/web', to: 'prod/api', port: 9000, allowed: false },
  { name: 'both ends: source egress allows, destination ingress denies', policies: [policy('prod', 'out', { podSelector: {}, policyTypes: ['Egress'], egress: [{}] }), denyAllIngress('prod')], from: 'prod/web', to: 'prod/api', port: 9000, allowed: false },
  // Peers
  { name: 'podSelector peer alone: same namespace matches', policies: [allowToApi([{ podSelector: { matchLabels: { app: 'web' } } }])], from: 'prod/web', to: 'prod/api', port: 9000, allowed: true },
  { name: 'podSelector peer alone: same labels in another namespace do not match', policies: [allowToApi([{ podSelector: { matchLabels: { app: 'web' } } }])], from: 'dev/web', to: 'prod/api', port: 9000, allowed: false },
  { name: 'podSelector {} peer: every pod of the policy namespace', policies: [allowToApi([{ podSelector: {} }])], from: 'prod/db', to: 'prod/api', port: 9000, allowed: true },
  { name: 'podSelector {} peer: not other namespaces', policies: [allowToApi([{ podSelector: {} }])], from: 'dev/tool', to: 'prod/api', port: 9000, allowed: false },
  { name: 'namespaceSelector alone: every pod of matching namespaces', policies: [allowToApi([{ namespaceSelector: { matchLabels: { purpose: 'observability' } } }])], from: 'monitoring/prom', to: 'prod/api', port: 9000, allowed: true },
  { name: 'namespaceSelector alone: non-matching namespace', policies: [allowToApi([{ namespaceSelector: { matchLabels: { purpose: 'observability' } } }])], from: 'dev/tool', to: 'prod/api', port: 9000, allowed: false },
  { name: 'namespaceSelector {}: all namespaces', policies: [allowToApi([{ namespaceSelector: {} }])], from: 'dev/tool', to: 'prod/api', port: 9000, allowed: true },
  { name: 'namespaceSelector {}: never external addresses', policies: [allowToApi([{ namespaceSelector: {} }])], from: '203.0.113.9', to: 'prod/api', port: 9000, allowed: false },
  { name: 'namespaceSelector AND podSelector in one peer: both hold', policies: [allowToApi([{ namespaceSelector: { matchLabels: { env: 'dev' } }, podSelector: { matchLabels: { app: 'web' } } }])], from: 'dev/web', to: 'prod/api', port: 9000, allowed: true },
  { name: 'namespaceSelector AND podSelector: pod label missing', policies: [allowToApi([{ namespaceSelector: { matchLabels: { env: 'dev' } }, podSelector: { matchLabels: { app: 'web' } } }])], from: 'dev/tool', to: 'prod/api', port: 9000, allowed: false },
  { name: 'namespaceSelector AND podSelector: right pod, wrong namespace', policies: [allowToApi([{ namespaceSelector: { matchLabels: { env: 'dev' } }, podSelector: { matchLabels: { app: 'web' } } }])], from: 'prod/web', to: 'prod/api', port: 9000, allowed: false },
  { name: 'two peers are OR: second peer matches', policies: [allowToApi([{ namespaceSelector: { matchLabels: { env: 'dev' } } }, { podSelector: { matchLabels: { app: 'web' } } }])], from: 'prod/web', to: 'prod/api', port: 9000, allowed: true },
  { name: 'automatic kubernetes.io/metadata.name namespace label', policies: [allowToApi([{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } } }])], from: 'monitoring/prom', to: 'prod/api', port: 9000, allowed: true },
  { name: 'from: [] allows every source', policies: [allowToApi([])], from: '198.51.100.1', to: 'prod/api', port: 9000, allowed: true },
  { name: 'absent from allows every source', policies: [policy('prod', 'any', { podSelector: { matchLabels: { app: 'api' } }, ingress: [{ ports: [{ port: 9000 }] }] })], from: 'dev/tool', to: 'prod/api', port: 9000, allowed: true },
  { name: 'ingress: [] denies everything', policies: [policy('prod', 'none', { podSelector: { matchLabels: { app: 'api' } }, ingress: [] })], from: 'prod/api', to: 'prod/api', port: 9000, allowed: false },
  // Selectors
  { name: 'matchExpressions In', policies: [allowToApi([{ podSelector: { matchExpressions: [{ key: 'tier', operator: 'In', values: ['frontend', 'x'] }] } }])], from: 'prod/web', to: 'prod/api', port: 9000, allowed: true },
  { name: 'matchExpressions NotIn matches when the key is absent', policies: [allowToApi([{ podSelector: { matchExpressions: [{ key: 'role', operator: 'NotIn', values: ['primary'] }] } }])], from: 'prod/web', to: 'prod/api', port: 9000, allowed: true },
  { name: 'matchExpressions NotIn excludes the value', policies: [allowToApi([{ podSelector: { matchExpressions: [{ key: 'role', operator: 'NotIn', values: ['primary'] }] } }])], from: 'prod/db', to: 'prod/api', port: 9000, allowed: false },
  { name: 'matchExpressions Exists', policies: [allowToApi([{ podSelector: { matchExpressions: [{ key: 'role', operator: 'Exists' }] } }])], from: 'prod/db', to: 'prod/api', port: 9000, allowed: true },
  { name: 'matchExpressions DoesNotExist', policies: [allowToApi([{ podSelector: { matchExpressions: [{ key: 'role', operator: 'DoesNotExist' }] } }])], from: 'prod/db', to: 'prod/api', port: 9000, allowed: false },
  { name: 'matchLabels AND matchExpressions', policies: [allowToApi([{ podSelector: { matchLabels: { tier: 'backend' }, matchExpressions: [{ key: 'role', operator: 'DoesNotExist' }] } }])], from: 'prod/api', to: 'prod/api', port: 9000, allowed: true },
  // ipBlock
  { name: 'ipBlock allows an external source in the CIDR', policies: [allowToApi([{ ipBlock: { cidr: '203.0.113.0/24' } }])], from: '203.0.113.7', to: 'prod/api', port: 9000, allowed: true },
  { name: 'ipBlock except carves out', policies: [allowToApi([{ ipBlock: { cidr: '203.0.113.0/24', except: ['203.0.113.0/28'] } }])], from: '203.0.113.7', to: 'prod/api', port: 9000, allowed: false },
  { name: 'ipBlock except boundary: just outside except', policies: [allowToApi([{ ipBlock: { cidr: '203.0.113.0/24', except: ['203.0.113.0/28'] } }])], from: '203.0.113.16', to: 'prod/api', port: 9000, allowed: true },
  { name: 'ipBlock outside the CIDR', policies: [allowToApi([{ ipBlock: { cidr: '203.0.113.0/24' } }])], from: '203.0.114.1', to: 'prod/api', port: 9000, allowed: false },
  { name: 'ipBlock 0.0.0.0/0 does not match IPv6', policies: [allowToApi([{ ipBlock: { cidr: '0.0.0.0/0' } }])], from: '2001:db8::1', to: 'prod/api', port: 9000, allowed: false },
  { name: 'ipBlock IPv6 with except', policies: [allowToApi([{ ipBlock: { cidr: '2001:db8::/32', except: ['2001:db8:bad::/48'] } }])], from: '2001:db8:1::5', to: 'prod/api', port: 9000, allowed: true },
  { name: 'ipBlock IPv6 except hit', policies: [allowToApi([{ ipBlock: { cidr: '2001:db8::/32', except: ['2001:db8:bad::/48'] } }])], from: '2001:db8:bad::5', to: 'prod/api', port: 9000, allowed: false },
  { name: 'egress ipBlock to an external address', policies: [policy('prod', 'out', { podSelector: {}, policyTypes: ['Egress'], egress: [{ to: [{ ipBlock: { cidr: '0.0.0.0/0', except: ['10.0.0.0/8'] } }] }] })], from: 'prod/web', to: '93.184.216.34', port: 443, allowed: true },
  { name: 'egress ipBlock except covering pods: pod destination denied', policies: [policy('prod', 'out', { podSelector: {}, policyTypes: ['Egress'], egress: [{ to: [{ ipBlock: { cidr: '0.0.0.0/0', except: ['10.0.0.0/8'] } }] }] })], from: 'prod/web', to: 'dev/web', port: 8080, allowed: false },
  { name: 'ipBlock matches pod IPs by default', policies: [allowToApi([{ ipBlock: { cidr: '10.0.1.0/24' } }])], from: 'dev/tool', to: 'prod/api', port: 9000, allowed: true },
  { name: 'ipBlock ignores pod IPs when configured like Cilium', policies: [allowToApi([{ ipBlock: { cidr: '10.0.1.0/24' } }])], from: 'dev/tool', to: 'prod/api', port: 9000, allowed: false, options: { ipBlockMatchesPods: false } },
  { name: 'an external source is not subject to policies (only the destination decides)', policies: [denyAllEgress('prod')], from: '198.51.100.1', to: 'prod/api', port: 9000, allowed: true },
  // Ports
  { name: 'ports: numeric port matches', policies: [allowToApi([], [{ port: 9000 }])], from: 'prod/web', to: 'prod/api', port: 9000, allowed: true },
  { name: 'ports: other port denied', policies: [allowToApi([], [{ port: 9000 }])], from: 'prod/web', to: 'prod/api', port: 9001, allowed: false },
  { name: 'ports: protocol defaults to TCP, UDP not allowed', policies: [allowToApi([], [{ port: 9000 }])], from: 'prod/web', to: 'prod/api', port: 9000, protocol: 'UDP', allowed: false },
  { name: 'ports: SCTP', policies: [allowToApi([], [{ port: 9000, protocol: 'SCTP' }])], from: 'prod/web', to: 'prod/api', port: 9000, protocol: 'SCTP', allowed: true },
  { name: 'ports: protocol without port is every port of it', policies: [allowToApi([], [{ protocol: 'UDP' }])], from: 'prod/web', to: 'prod/api', port: 5353, protocol: 'UDP', allowed: true },
  { name: 'ports: protocol without port excludes other protocols', policies: [allowToApi([], [{ protocol: 'UDP' }])], from: 'prod/web', to: 'prod/api', port: 5353, allowed: false },
  { name: 'endPort: lower bound inclusive', policies: [allowToApi([], [{ port: 32000, endPort: 32768 }])], from: 'prod/web', to: 'prod/api', port: 32000, allowed: true },
  { name: 'endPort: upper bound inclusive', policies: [allowToApi([], [{ port: 32000, endPort: 32768 }])], from: 'prod/web', to: 'prod/api', port: 32768, allowed: true },
  { name: 'endPort: above range', policies: [allowToApi([], [{ port: 32000, endPort: 32768 }])], from: 'prod/web', to: 'prod/api', port: 32769, allowed: false },
  { name: 'endPort: below range', policies: [allowToApi([], [{ port: 32000, endPort: 32768 }])], from: 'prod/web', to: 'prod/api', port: 31999, allowed: false },
  { name: 'named port resolves on the destination pod', policies: [allowToApi([], [{ port: 'metrics' }])], from: 'monitoring/prom', to: 'prod/api', port: 9090, allowed: true },
  { name: 'named port: another port number of the destination is not allowed', policies: [allowToApi([], [{ port: 'metrics' }])], from: 'monitoring/prom', to: 'prod/api', port: 9000, allowed: false },
  { name: 'named port: protocol must match the container port', policies: [allowToApi([], [{ port: 'dns' }])], from: 'prod/web', to: 'prod/api', port: 53, protocol: 'UDP', allowed: false },
  { name: 'named port: UDP container port with UDP rule', policies: [allowToApi([], [{ port: 'dns', protocol: 'UDP' }])], from: 'prod/web', to: 'prod/api', port: 53, protocol: 'UDP', allowed: true },
  { name: 'egress named port resolves on the destination (not the source)', policies: [policy('prod', 'web-out', { podSelector: { matchLabels: { app: 'web' } }, policyTypes: ['Egress'], egress: [{ ports: [{ port: 'http' }] }] })], from: 'prod/web', to: 'prod/api', port: 9000, allowed: true },
  { name: "egress named port: the source's own port number is not used", policies: [policy('prod', 'web-out', { podSelector: { matchLabels: { app: 'web' } }, policyTypes: ['Egress'], egress: [{ ports: [{ port: 'http' }] }] })], from: 'prod/web', to: 'prod/api', port: 8080, allowed: false },
  { name: 'egress named port never matches an external destination', policies: [policy('prod', 'web-out', { podSelector: { matchLabels: { app: 'web' } }, policyTypes: ['Egress'], egress: [{ ports: [{ port: 'http' }] }] })], from: 'prod/web', to: '93.184.216.34', port: 8080, allowed: false },
  { name: 'IPv6 pod with named port', policies: [policy('prod', 'v6', { podSelector: { matchLabels: { app: 'v6' } }, ingress: [{ from: [{ ipBlock: { cidr: 'fd00::/64' } }], ports: [{ port: 'http' }] }] })], from: 'fd00::99', to: 'prod/v6', port: 80, allowed: true },
  { name: 'peers and ports must both match in one rule', policies: [allowToApi([{ podSelector: { matchLabels: { app: 'web' } } }], [{ port: 9000 }]), policy('prod', 'other', { podSelector: { matchLabels: { app: 'api' } }, ingress: [{ from: [{ podSelector: { matchLabels: { app: 'db' } } }], ports: [{ port: 9090 }] }] })], from: 'prod/web', to: 'prod/api', port: 9090, allowed: false },
];

describe('evaluateConnection (Kubernetes NetworkPolicy semantics)', () => {
  it.each(cases)('$name', (c) => {
    const engine = world.engine(c.policies, c.options);
    const conn = world.conn(c.from, c.to, c.port, c.protocol ?? 'TCP');
    const verdict = engine.evaluate(conn);
    expect(verdict.allowed, explainVerdict(verdict).join('\n')).toBe(c.allowed);
    expect(engine.allows(conn)).toBe(c.allowed);
  });
});

describe('explanations', () => {
  it('names the isolating policies and the rule, peer and port that allowed', () => {
    const engine = world.engine([
      denyAllIngress('prod'),
      allowToApi([{ podSelector: { matchLabels: { app: 'db' } } }, { podSelector: { matchLabels: { app: 'web' } } }], [{ port: 9090 }, { port: 9000 }]),
    ]);
    const v = engine.evaluate(world.conn('prod/web', 'prod/api', 9000));
    expect(v.allowed).toBe(true);
    expect(v.egress).toMatchObject({ inCluster: true, isolated: false, allowed: true, allowedBy: [] });
    expect(v.ingress.isolatingPolicies).toEqual([
      { namespace: 'prod', name: 'deny-ingress' },
      { namespace: 'prod', name: 'api-in' },
    ]);
    expect(v.ingress.allowedBy).toEqual([{ policy: { namespace: 'prod', name: 'api-in' }, rule: 0, peer: 1, port: 1 }]);
    const text = explainVerdict(v).join('\n');
    expect(text).toContain('egress from prod/web: allowed, not isolated for egress');
    expect(text).toContain('isolated by prod/deny-ingress, prod/api-in; allowed by prod/api-in ingress[0] from[1] ports[1]');
  });

  it('lists every allowing rule across policies, with null peer/port for open rules', () => {
    const engine = world.engine([
      policy('prod', 'a', { podSelector: {}, ingress: [{}] }),
      policy('prod', 'b', { podSelector: { matchLabels: { app: 'api' } }, ingress: [{ from: [{ podSelector: {} }] }] }),
    ]);
    const v = engine.evaluate(world.conn('prod/web', 'prod/api', 1));
    expect(v.ingress.allowedBy).toEqual([
      { policy: { namespace: 'prod', name: 'a' }, rule: 0, peer: null, port: null },
      { policy: { namespace: 'prod', name: 'b' }, rule: 0, peer: 0, port: null },
    ]);
    expect(explainVerdict(v)[2]).toContain('prod/a ingress[0] (no from: any peer) (no ports: any port)');
  });

  it('says when nothing allowed and when a side is outside the cluster', () => {
    const engine = world.engine([denyAllEgress('prod')]);
    const v = engine.evaluate(world.conn('prod/web', '8.8.8.8', 53, 'UDP'));
    expect(v.allowed).toBe(false);
    expect(v.egress).toMatchObject({ isolated: true, allowed: false, allowedBy: [], isolatingPolicies: [{ namespace: 'prod', name: 'deny-egress' }] });
    expect(v.ingress).toMatchObject({ inCluster: false, isolated: false, allowed: true });
    const text = explainVerdict(v);
    expect(text[0]).toBe('deny prod/web -> 8.8.8.8 53/UDP');
    expect(text[1]).toContain('denied, isolated by prod/deny-egress; no rule');
    expect(text[2]).toContain('outside the cluster');
  });
});
