// The form model of the policy editor: a NetworkPolicy or an Istio PeerAuthentication as the
// form edits it, and the exact conversion between that model and the Kubernetes object. The
// conversion is structural (it does not validate; the engines do that on the object), so a
// half-typed form still has a YAML rendering whose problems the validator names at their line.
// Every valid NetworkPolicy and PeerAuthentication has a form: nothing the API knows is dropped.

export type Protocol = 'TCP' | 'UDP' | 'SCTP';
export type SelectorOperator = 'In' | 'NotIn' | 'Exists' | 'DoesNotExist';

export interface SelectorForm {
  labels: { key: string; value: string }[];
  expressions: { key: string; operator: SelectorOperator; values: string[] }[];
}

/** One entry of from/to. "pods" alone means pods of the policy's namespace. */
export interface PeerForm {
  kind: 'pods' | 'namespaces' | 'both' | 'ipBlock';
  podSelector: SelectorForm;
  namespaceSelector: SelectorForm;
  cidr: string;
  except: string[];
}

export interface PortForm {
  /** '' = not written (the API defaults to TCP). */
  protocol: '' | Protocol;
  /** '' = every port; digits = a number; otherwise a named port. */
  port: string;
  /** '' = a single port; digits = the end of a range. */
  endPort: string;
}

/** An empty peers list means every peer; an empty ports list every port. */
export interface RuleForm {
  peers: PeerForm[];
  ports: PortForm[];
}

export interface NetworkPolicyForm {
  kind: 'NetworkPolicy';
  name: string;
  namespace: string;
  podSelector: SelectorForm;
  /** Empty: not written, so the API server defaults it (Ingress, plus Egress when egress rules exist). */
  policyTypes: ('Ingress' | 'Egress')[];
  ingress: RuleForm[];
  egress: RuleForm[];
}

export type MtlsMode = 'UNSET' | 'DISABLE' | 'PERMISSIVE' | 'STRICT';

export interface PeerAuthenticationForm {
  kind: 'PeerAuthentication';
  name: string;
  namespace: string;
  /** Empty: namespace-wide (or mesh-wide in the root namespace). */
  selector: { key: string; value: string }[];
  /** UNSET: `mtls` not written, inherited from the level above. */
  mode: MtlsMode;
  portLevelMtls: { port: string; mode: MtlsMode }[];
}

export type PolicyForm = NetworkPolicyForm | PeerAuthenticationForm;

export const emptySelector = (): SelectorForm => ({ labels: [], expressions: [] });
export const emptyPeer = (kind: PeerForm['kind'] = 'pods'): PeerForm => ({ kind, podSelector: emptySelector(), namespaceSelector: emptySelector(), cidr: '', except: [] });
export const emptyPort = (): PortForm => ({ protocol: '', port: '', endPort: '' });

export function newNetworkPolicyForm(namespace: string, name = 'new-policy'): NetworkPolicyForm {
  return { kind: 'NetworkPolicy', name, namespace, podSelector: emptySelector(), policyTypes: ['Ingress'], ingress: [], egress: [] };
}

export function newPeerAuthenticationForm(namespace: string, name = 'default'): PeerAuthenticationForm {
  return { kind: 'PeerAuthentication', name, namespace, selector: [], mode: 'STRICT', portLevelMtls: [] };
}

// ---- form → object ----

function selectorToObject(s: SelectorForm): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (s.labels.length > 0) out.matchLabels = Object.fromEntries(s.labels.map((l) => [l.key, l.value]));
  if (s.expressions.length > 0) {
    out.matchExpressions = s.expressions.map((e) => (e.operator === 'Exists' || e.operator === 'DoesNotExist' ? { key: e.key, operator: e.operator } : { key: e.key, operator: e.operator, values: [...e.values] }));
  }
  return out;
}

function peerToObject(p: PeerForm): Record<string, unknown> {
  switch (p.kind) {
    case 'pods':
      return { podSelector: selectorToObject(p.podSelector) };
    case 'namespaces':
      return { namespaceSelector: selectorToObject(p.namespaceSelector) };
    case 'both':
      return { namespaceSelector: selectorToObject(p.namespaceSelector), podSelector: selectorToObject(p.podSelector) };
    case 'ipBlock':
      return { ipBlock: p.except.length > 0 ? { cidr: p.cidr, except: [...p.except] } : { cidr: p.cidr } };
  }
}

const DIGITS = /^\d+$/;

function portToObject(p: PortForm): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (p.protocol) out.protocol = p.protocol;
  if (p.port !== '') out.port = DIGITS.test(p.port) ? Number(p.port) : p.port;
  if (p.endPort !== '') out.endPort = DIGITS.test(p.endPort) ? Number(p.endPort) : p.endPort;
  return out;
}

function ruleToObject(r: RuleForm, peersKey: 'from' | 'to'): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (r.peers.length > 0) out[peersKey] = r.peers.map(peerToObject);
  if (r.ports.length > 0) out.ports = r.ports.map(portToObject);
  return out;
}

/** The Kubernetes object this form stands for (apiVersion, kind, metadata.name/namespace, spec). */
export function formToObject(form: PolicyForm): Record<string, unknown> {
  if (form.kind === 'PeerAuthentication') {
    const spec: Record<string, unknown> = {};
    if (form.selector.length > 0) spec.selector = { matchLabels: Object.fromEntries(form.selector.map((l) => [l.key, l.value])) };
    if (form.mode !== 'UNSET') spec.mtls = { mode: form.mode };
    if (form.portLevelMtls.length > 0) spec.portLevelMtls = Object.fromEntries(form.portLevelMtls.map((p) => [p.port, p.mode === 'UNSET' ? {} : { mode: p.mode }]));
    return { apiVersion: 'security.istio.io/v1', kind: 'PeerAuthentication', metadata: { name: form.name, namespace: form.namespace }, spec };
  }
  const spec: Record<string, unknown> = { podSelector: selectorToObject(form.podSelector) };
  if (form.policyTypes.length > 0) spec.policyTypes = [...form.policyTypes];
  if (form.ingress.length > 0) spec.ingress = form.ingress.map((r) => ruleToObject(r, 'from'));
  if (form.egress.length > 0) spec.egress = form.egress.map((r) => ruleToObject(r, 'to'));
  return { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: form.name, namespace: form.namespace }, spec };
}

// ---- object → form ----

/** Why an object has no form: its shape is not a NetworkPolicy's or PeerAuthentication's. */
export class NoFormError extends Error {
  constructor(
    readonly path: string,
    message: string,
  ) {
    super(`${path}: ${message}`);
  }
}

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Date);
const absent = (v: unknown) => v === undefined || v === null;

function text(v: unknown, path: string): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  throw new NoFormError(path, 'must be a string');
}

function list(v: unknown, path: string): unknown[] {
  if (absent(v)) return [];
  if (!Array.isArray(v)) throw new NoFormError(path, 'must be a list');
  return v;
}

function selectorFromObject(v: unknown, path: string): SelectorForm {
  if (absent(v)) return emptySelector();
  if (!isObj(v)) throw new NoFormError(path, 'must be a label selector');
  const labels = absent(v.matchLabels) ? [] : isObj(v.matchLabels) ? Object.entries(v.matchLabels).map(([key, value]) => ({ key, value: text(value, `${path}.matchLabels.${key}`) })) : null;
  if (!labels) throw new NoFormError(`${path}.matchLabels`, 'must be a map of labels');
  const expressions = list(v.matchExpressions, `${path}.matchExpressions`).map((e, i) => {
    const p = `${path}.matchExpressions[${i}]`;
    if (!isObj(e)) throw new NoFormError(p, 'must be a requirement');
    return { key: text(e.key ?? '', `${p}.key`), operator: text(e.operator ?? '', `${p}.operator`) as SelectorOperator, values: list(e.values, `${p}.values`).map((x, j) => text(x, `${p}.values[${j}]`)) };
  });
  return { labels, expressions };
}

function peerFromObject(v: unknown, path: string): PeerForm {
  if (!isObj(v)) throw new NoFormError(path, 'must be a peer');
  const peer = emptyPeer();
  const hasPods = !absent(v.podSelector);
  const hasNs = !absent(v.namespaceSelector);
  const hasIp = !absent(v.ipBlock);
  if (hasIp) {
    if (hasPods || hasNs) throw new NoFormError(path, 'may not specify both ipBlock and another peer');
    if (!isObj(v.ipBlock)) throw new NoFormError(`${path}.ipBlock`, 'must be an object with cidr and except');
    return { ...peer, kind: 'ipBlock', cidr: absent(v.ipBlock.cidr) ? '' : text(v.ipBlock.cidr, `${path}.ipBlock.cidr`), except: list(v.ipBlock.except, `${path}.ipBlock.except`).map((x, i) => text(x, `${path}.ipBlock.except[${i}]`)) };
  }
  if (!hasPods && !hasNs) throw new NoFormError(path, 'must specify a peer (podSelector, namespaceSelector or ipBlock)');
  return {
    ...peer,
    kind: hasPods && hasNs ? 'both' : hasPods ? 'pods' : 'namespaces',
    podSelector: selectorFromObject(v.podSelector, `${path}.podSelector`),
    namespaceSelector: selectorFromObject(v.namespaceSelector, `${path}.namespaceSelector`),
  };
}

function portFromObject(v: unknown, path: string): PortForm {
  if (!isObj(v)) throw new NoFormError(path, 'must be a port');
  const protocol = absent(v.protocol) ? '' : text(v.protocol, `${path}.protocol`);
  return { protocol: protocol as PortForm['protocol'], port: absent(v.port) ? '' : text(v.port, `${path}.port`), endPort: absent(v.endPort) ? '' : text(v.endPort, `${path}.endPort`) };
}

function rulesFromObject(v: unknown, path: string, peersKey: 'from' | 'to'): RuleForm[] {
  return list(v, path).map((r, i) => {
    const p = `${path}[${i}]`;
    if (!isObj(r)) throw new NoFormError(p, 'must be a rule object');
    return { peers: list(r[peersKey], `${p}.${peersKey}`).map((x, j) => peerFromObject(x, `${p}.${peersKey}[${j}]`)), ports: list(r.ports, `${p}.ports`).map((x, j) => portFromObject(x, `${p}.ports[${j}]`)) };
  });
}

/** The form for an object, or a NoFormError naming the first field whose shape no form has. */
export function objectToForm(o: unknown): PolicyForm {
  if (!isObj(o)) throw new NoFormError('', 'must be one object');
  const meta = isObj(o.metadata) ? o.metadata : {};
  const name = absent(meta.name) ? '' : text(meta.name, 'metadata.name');
  const namespace = absent(meta.namespace) ? '' : text(meta.namespace, 'metadata.namespace');
  const spec = absent(o.spec) ? {} : o.spec;
  if (!isObj(spec)) throw new NoFormError('spec', 'must be an object');
  if (o.kind === 'PeerAuthentication') {
    const sel = absent(spec.selector) ? {} : spec.selector;
    if (!isObj(sel)) throw new NoFormError('spec.selector', 'must be {matchLabels: {...}}');
    const ml = absent(sel.matchLabels) ? {} : sel.matchLabels;
    if (!isObj(ml)) throw new NoFormError('spec.selector.matchLabels', 'must be a map of labels');
    const mode = (v: unknown, path: string): MtlsMode => {
      if (absent(v)) return 'UNSET';
      if (!isObj(v)) throw new NoFormError(path, 'must be an object with mode');
      return absent(v.mode) ? 'UNSET' : (text(v.mode, `${path}.mode`) as MtlsMode);
    };
    const plm = absent(spec.portLevelMtls) ? {} : spec.portLevelMtls;
    if (!isObj(plm)) throw new NoFormError('spec.portLevelMtls', 'must be a map of port number to {mode}');
    return {
      kind: 'PeerAuthentication',
      name,
      namespace,
      selector: Object.entries(ml).map(([key, value]) => ({ key, value: text(value, `spec.selector.matchLabels.${key}`) })),
      mode: mode(spec.mtls, 'spec.mtls'),
      portLevelMtls: Object.entries(plm).map(([port, v]) => ({ port, mode: mode(v, `spec.portLevelMtls.${port}`) })),
    };
  }
  if (o.kind !== 'NetworkPolicy') throw new NoFormError('kind', 'the form edits NetworkPolicy and PeerAuthentication');
  return {
    kind: 'NetworkPolicy',
    name,
    namespace,
    podSelector: selectorFromObject(spec.podSelector, 'spec.podSelector'),
    policyTypes: list(spec.policyTypes, 'spec.policyTypes').map((t, i) => text(t, `spec.policyTypes[${i}]`) as 'Ingress' | 'Egress'),
    ingress: rulesFromObject(spec.ingress, 'spec.ingress', 'from'),
    egress: rulesFromObject(spec.egress, 'spec.egress', 'to'),
  };
}
