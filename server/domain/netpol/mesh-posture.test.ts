// PeerAuthentication resolution, table-driven from Istio's documented behaviour
// (security/authentication/mtls migration guides and the PeerAuthentication reference).
import { describe, expect, it } from 'vitest';
import { parseManifestText } from './parse-policies';
import { mtlsFinding, readPeerAuthentication, resolveMtls, type PeerAuthentication } from './mesh-posture';

function pa(namespace: string, name: string, spec: Record<string, unknown>, creationTimestamp?: string): PeerAuthentication {
  const { policy, problems } = readPeerAuthentication({
    apiVersion: 'security.istio.io/v1',
    kind: 'PeerAuthentication',
    metadata: { namespace, name, ...(creationTimestamp ? { creationTimestamp } : {}) },
    spec,
  });
  if (!policy) throw new Error(JSON.stringify(problems));
  return policy;
}

const payment = { namespace: 'production', labels: { app: 'payment-service', version: 'v2' } };
const meshStrict = pa('istio-system', 'default', { mtls: { mode: 'STRICT' } });
const nsPermissive = pa('production', 'default', { mtls: { mode: 'PERMISSIVE' } });
const wlDisable = pa('production', 'payment', { selector: { matchLabels: { app: 'payment-service' } }, mtls: { mode: 'DISABLE' } });
const wlPorts = pa('production', 'payment-ports', {
  selector: { matchLabels: { app: 'payment-service' } },
  mtls: { mode: 'STRICT' },
  portLevelMtls: { 9090: { mode: 'DISABLE' }, 8080: { mode: 'UNSET' } },
});

const cases: { name: string; policies: PeerAuthentication[]; port?: number; mode: string; level: string; policy?: string; root?: string }[] = [
  { name: 'nothing set: PERMISSIVE by default', policies: [], mode: 'PERMISSIVE', level: 'default' },
  { name: 'mesh-wide STRICT in the root namespace', policies: [meshStrict], mode: 'STRICT', level: 'mesh', policy: 'istio-system/default' },
  { name: 'a no-selector policy outside the root and the workload namespace does not apply', policies: [pa('other', 'default', { mtls: { mode: 'STRICT' } })], mode: 'PERMISSIVE', level: 'default' },
  { name: 'namespace-wide overrides mesh-wide', policies: [meshStrict, nsPermissive], mode: 'PERMISSIVE', level: 'namespace', policy: 'production/default' },
  { name: 'workload selector overrides namespace', policies: [meshStrict, nsPermissive, wlDisable], mode: 'DISABLE', level: 'workload', policy: 'production/payment' },
  { name: 'a selector that does not match is ignored', policies: [meshStrict, pa('production', 'x', { selector: { matchLabels: { app: 'order' } }, mtls: { mode: 'DISABLE' } })], mode: 'STRICT', level: 'mesh', policy: 'istio-system/default' },
  { name: 'a selector in another namespace is ignored', policies: [pa('staging', 'x', { selector: { matchLabels: { app: 'payment-service' } }, mtls: { mode: 'DISABLE' } })], mode: 'PERMISSIVE', level: 'default' },
  { name: 'a selector policy in the root namespace is ignored', policies: [meshStrict, pa('istio-system', 'sel', { selector: { matchLabels: { app: 'payment-service' } }, mtls: { mode: 'DISABLE' } })], mode: 'STRICT', level: 'mesh', policy: 'istio-system/default' },
  { name: 'UNSET at namespace inherits mesh', policies: [meshStrict, pa('production', 'default', { mtls: { mode: 'UNSET' } })], mode: 'STRICT', level: 'mesh', policy: 'istio-system/default' },
  { name: 'absent mtls is UNSET', policies: [meshStrict, pa('production', 'default', {})], mode: 'STRICT', level: 'mesh', policy: 'istio-system/default' },
  { name: 'UNSET at workload inherits namespace', policies: [meshStrict, nsPermissive, pa('production', 'p', { selector: { matchLabels: { app: 'payment-service' } } })], mode: 'PERMISSIVE', level: 'namespace', policy: 'production/default' },
  { name: 'UNSET everywhere: default', policies: [pa('istio-system', 'default', { mtls: { mode: 'UNSET' } })], mode: 'PERMISSIVE', level: 'default' },
  { name: 'port-level overrides the workload mode', policies: [wlPorts], port: 9090, mode: 'DISABLE', level: 'port', policy: 'production/payment-ports' },
  { name: 'port-level UNSET inherits the workload mode', policies: [nsPermissive, wlPorts], port: 8080, mode: 'STRICT', level: 'workload', policy: 'production/payment-ports' },
  { name: 'other ports use the workload mode', policies: [wlPorts], port: 443, mode: 'STRICT', level: 'workload', policy: 'production/payment-ports' },
  { name: 'no port given: workload mode', policies: [wlPorts], mode: 'STRICT', level: 'workload', policy: 'production/payment-ports' },
  {
    name: 'port-level UNSET with workload UNSET inherits the namespace',
    policies: [nsPermissive, pa('production', 'pp', { selector: { matchLabels: { app: 'payment-service' } }, portLevelMtls: { 8080: { mode: 'UNSET' } } })],
    port: 8080,
    mode: 'PERMISSIVE',
    level: 'namespace',
    policy: 'production/default',
  },
  {
    name: 'oldest namespace-wide policy wins',
    policies: [pa('production', 'newer', { mtls: { mode: 'DISABLE' } }, '2024-05-02T00:00:00Z'), pa('production', 'older', { mtls: { mode: 'STRICT' } }, '2024-05-01T00:00:00Z')],
    mode: 'STRICT',
    level: 'namespace',
    policy: 'production/older',
  },
  {
    name: 'oldest workload policy wins; name breaks ties',
    policies: [
      pa('production', 'b', { selector: { matchLabels: { app: 'payment-service' } }, mtls: { mode: 'DISABLE' } }, '2024-05-01T00:00:00Z'),
      pa('production', 'a', { selector: { matchLabels: { version: 'v2' } }, mtls: { mode: 'STRICT' } }, '2024-05-01T00:00:00Z'),
      pa('production', 'c', { selector: { matchLabels: { app: 'payment-service' } }, mtls: { mode: 'PERMISSIVE' } }, '2024-06-01T00:00:00Z'),
    ],
    mode: 'STRICT',
    level: 'workload',
    policy: 'production/a',
  },
  { name: 'configurable root namespace', policies: [pa('mesh-root', 'default', { mtls: { mode: 'STRICT' } }), meshStrict], root: 'mesh-root', mode: 'STRICT', level: 'mesh', policy: 'mesh-root/default' },
  { name: 'istio-system is not special with another root', policies: [meshStrict], root: 'mesh-root', mode: 'PERMISSIVE', level: 'default' },
  { name: 'an empty matchLabels selector is namespace-wide', policies: [meshStrict, pa('production', 'empty', { selector: { matchLabels: {} }, mtls: { mode: 'DISABLE' } })], mode: 'DISABLE', level: 'namespace', policy: 'production/empty' },
];

describe('resolveMtls', () => {
  it.each(cases)('$name', (c) => {
    const r = resolveMtls(c.policies, payment, c.port, c.root ? { rootNamespace: c.root } : {});
    expect(r.mode).toBe(c.mode);
    expect(r.decidedBy.level).toBe(c.level);
    expect(r.decidedBy.policy ? `${r.decidedBy.policy.namespace}/${r.decidedBy.policy.name}` : undefined).toBe(c.policy);
  });

  it('says which policy applied at each level and which lost', () => {
    const r = resolveMtls(
      [meshStrict, nsPermissive, pa('production', 'later', { mtls: { mode: 'STRICT' } }, '2030-01-01T00:00:00Z'), wlDisable],
      payment,
    );
    expect(r.applied).toEqual({
      mesh: { namespace: 'istio-system', name: 'default' },
      namespace: { namespace: 'production', name: 'default' },
      workload: { namespace: 'production', name: 'payment' },
    });
    expect(r.ignored).toEqual([{ policy: { namespace: 'production', name: 'later' }, reason: expect.stringContaining('older namespace-level policy (production/default)') }]);
  });

  it('a workload in the root namespace gets the mesh-wide policy', () => {
    expect(resolveMtls([meshStrict], { namespace: 'istio-system', labels: { app: 'istiod' } }).decidedBy.level).toBe('mesh');
  });
});

describe('readPeerAuthentication', () => {
  const invalid: [string, Record<string, unknown>, string][] = [
    ['unknown mode', { mtls: { mode: 'ON' } }, 'spec.mtls.mode'],
    ['port-level without selector', { mtls: { mode: 'STRICT' }, portLevelMtls: { 80: { mode: 'DISABLE' } } }, 'spec.portLevelMtls'],
    ['empty port-level map', { selector: { matchLabels: { app: 'x' } }, portLevelMtls: {} }, 'spec.portLevelMtls'],
    ['port 0', { selector: { matchLabels: { app: 'x' } }, portLevelMtls: { 0: { mode: 'DISABLE' } } }, 'spec.portLevelMtls.0'],
    ['named port', { selector: { matchLabels: { app: 'x' } }, portLevelMtls: { http: { mode: 'DISABLE' } } }, 'spec.portLevelMtls.http'],
    ['bad port mode', { selector: { matchLabels: { app: 'x' } }, portLevelMtls: { 80: { mode: 'strict' } } }, 'spec.portLevelMtls.80.mode'],
    ['bad selector label', { selector: { matchLabels: { 'a b': 'x' } } }, 'spec.selector.matchLabels.a b'],
  ];
  it.each(invalid)('%s', (_, spec, path) => {
    const { policy, problems } = readPeerAuthentication({ apiVersion: 'security.istio.io/v1beta1', kind: 'PeerAuthentication', metadata: { name: 'p', namespace: 'ns' }, spec });
    expect(policy).toBeNull();
    expect(problems.map((p) => p.path)).toContain(path);
    expect(problems[0]!.object).toMatchObject({ kind: 'PeerAuthentication', namespace: 'ns', name: 'p' });
  });

  it('reads YAML manifests with numeric port keys', () => {
    const { documents } = parseManifestText(
      `apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata: {name: payment, namespace: production, creationTimestamp: "2024-05-01T10:00:00Z"}
spec:
  selector: {matchLabels: {app: payment-service}}
  mtls: {mode: STRICT}
  portLevelMtls:
    9090: {mode: PERMISSIVE}
`,
      'pa.yaml',
    );
    const { policy, problems } = readPeerAuthentication(documents[0]!.value);
    expect(problems).toEqual([]);
    expect(policy!.portLevelMtls.get(9090)).toBe('PERMISSIVE');
    expect(resolveMtls([policy!], payment, 9090).mode).toBe('PERMISSIVE');
  });

  it('never throws on junk', () => {
    for (const junk of [null, 1, 'x', [], { spec: 'x' }, { metadata: { name: 'a' }, spec: { mtls: 3, portLevelMtls: [1] } }, { metadata: { name: 'a' }, spec: { selector: { matchLabels: 'x' } } }]) {
      expect(readPeerAuthentication(junk).policy).toBeNull();
    }
  });
});

describe('mtlsFinding', () => {
  it('flags plaintext into a STRICT port', () => {
    expect(mtlsFinding('STRICT', 'plaintext')).toBe('plaintext-on-strict');
    expect(mtlsFinding('STRICT', 'mixed')).toBe('plaintext-on-strict');
    expect(mtlsFinding('PERMISSIVE', 'plaintext')).toBe('plaintext-allowed');
    expect(mtlsFinding('DISABLE', 'mtls')).toBe('ok');
  });
});
