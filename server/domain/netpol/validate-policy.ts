// Turns one untrusted object into a validated NetworkPolicy, reporting every problem with the
// rules of the Kubernetes API server (networking/validation), and warnings for things the
// server accepts but that almost certainly do not do what the author meant.
import { childPath, type ObjectRef, type Problem } from './errors';
import { isStrictSubset, parseCidr, type Cidr } from './ip-block';
import {
  EMPTY_SELECTOR,
  isDns1123Label,
  isDns1123Subdomain,
  readLabelSelector,
  type FieldProblem,
  type LabelSelector,
} from './label-selector';
import type { IpBlock, NetworkPolicy, PolicyPeer, PolicyPort, PolicyRule, Protocol } from './model';

export const NETWORK_POLICY_API_VERSION = 'networking.k8s.io/v1';

export interface ReadPolicyOptions {
  /** Namespace for objects that do not name one (kubectl's context namespace). */
  defaultNamespace?: string;
  /** Where the object came from, carried into problems. */
  source?: string;
}

export interface ReadPolicyResult {
  policy: NetworkPolicy | null;
  problems: Problem[];
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function warnUnknown(obj: Record<string, unknown>, known: readonly string[], path: string, out: FieldProblem[]): void {
  for (const k of Object.keys(obj)) {
    if (!known.includes(k)) out.push({ severity: 'warning', path: childPath(path, k), message: 'unknown field, ignored' });
  }
}

// IANA service name, as validation.IsValidPortName checks it.
export function portNameProblem(name: string): string | null {
  if (name.length === 0 || name.length > 15) return 'a named port must be 1 to 15 characters';
  if (!/^[a-z0-9-]+$/.test(name)) return 'a named port must contain only lowercase letters, digits and "-"';
  if (!/[a-z]/.test(name)) return 'a named port must contain at least one letter (a number must not be quoted)';
  if (name.startsWith('-') || name.endsWith('-')) return 'a named port must not begin or end with "-"';
  if (name.includes('--')) return 'a named port must not contain "--"';
  return null;
}

const PROTOCOLS: readonly string[] = ['TCP', 'UDP', 'SCTP'];

function readPort(raw: unknown, path: string, out: FieldProblem[]): PolicyPort | null {
  if (!isPlainObject(raw)) {
    out.push({ severity: 'error', path, message: 'must be an object with protocol, port and endPort' });
    return null;
  }
  warnUnknown(raw, ['protocol', 'port', 'endPort'], path, out);
  const before = out.length;
  let protocol: Protocol = 'TCP';
  if (raw.protocol !== undefined && raw.protocol !== null) {
    if (typeof raw.protocol !== 'string' || !PROTOCOLS.includes(raw.protocol)) {
      out.push({
        severity: 'error',
        path: childPath(path, 'protocol'),
        message: `unsupported value ${JSON.stringify(raw.protocol)}: supported values are "TCP", "UDP", "SCTP"`,
      });
    } else protocol = raw.protocol as Protocol;
  }
  const result: PolicyPort = { protocol };
  const port = raw.port;
  const endPort = raw.endPort;
  const hasEnd = endPort !== undefined && endPort !== null;
  if (hasEnd && (typeof endPort !== 'number' || !Number.isInteger(endPort))) {
    out.push({ severity: 'error', path: childPath(path, 'endPort'), message: 'must be an integer' });
  }
  if (port === undefined || port === null) {
    if (hasEnd) out.push({ severity: 'error', path: childPath(path, 'endPort'), message: 'may not be specified when `port` is not specified' });
  } else if (typeof port === 'number') {
    if (!Number.isInteger(port) || port < 1 || port > 65535) {
      out.push({ severity: 'error', path: childPath(path, 'port'), message: `${port} must be between 1 and 65535, inclusive` });
    }
    result.port = port;
    if (hasEnd && typeof endPort === 'number' && Number.isInteger(endPort)) {
      if (endPort < port) {
        out.push({ severity: 'error', path: childPath(path, 'endPort'), message: `${endPort} must be greater than or equal to \`port\` (${port})` });
      }
      if (endPort < 1 || endPort > 65535) {
        out.push({ severity: 'error', path: childPath(path, 'endPort'), message: `${endPort} must be between 1 and 65535, inclusive` });
      }
      result.endPort = endPort;
    }
  } else if (typeof port === 'string') {
    if (hasEnd) out.push({ severity: 'error', path: childPath(path, 'endPort'), message: 'may not be specified when `port` is non-numeric (a named port)' });
    const problem = portNameProblem(port);
    if (problem) out.push({ severity: 'error', path: childPath(path, 'port'), message: `${JSON.stringify(port)}: ${problem}` });
    result.port = port;
  } else {
    out.push({ severity: 'error', path: childPath(path, 'port'), message: 'must be a port number or a port name' });
  }
  return out.slice(before).some((p) => p.severity === 'error') ? null : result;
}

function readCidr(raw: unknown, path: string, out: FieldProblem[]): Cidr | null {
  if (typeof raw !== 'string' || raw === '') {
    out.push({ severity: 'error', path, message: 'required: a CIDR such as 10.0.0.0/8 or 2001:db8::/32' });
    return null;
  }
  const cidr = parseCidr(raw);
  if (!cidr) out.push({ severity: 'error', path, message: `${JSON.stringify(raw)} is not a valid CIDR (address/prefix-length)` });
  return cidr;
}

function readIpBlock(raw: unknown, path: string, out: FieldProblem[]): IpBlock | null {
  if (!isPlainObject(raw)) {
    out.push({ severity: 'error', path, message: 'must be an object with cidr and except' });
    return null;
  }
  warnUnknown(raw, ['cidr', 'except'], path, out);
  const before = out.length;
  const cidr = readCidr(raw.cidr, childPath(path, 'cidr'), out);
  const except: Cidr[] = [];
  if (raw.except !== undefined && raw.except !== null) {
    if (!Array.isArray(raw.except)) {
      out.push({ severity: 'error', path: childPath(path, 'except'), message: 'must be a list of CIDRs' });
    } else {
      raw.except.forEach((e: unknown, i: number) => {
        const ep = childPath(childPath(path, 'except'), i);
        const c = readCidr(e, ep, out);
        if (!c) return;
        if (cidr && !isStrictSubset(c, cidr)) {
          out.push({ severity: 'error', path: ep, message: `${c.text} must be a strict subset of \`cidr\` (${cidr.text})` });
          return;
        }
        except.push(c);
      });
    }
  }
  return cidr && !out.slice(before).some((p) => p.severity === 'error') ? { cidr, except } : null;
}

function readPeer(raw: unknown, path: string, out: FieldProblem[]): PolicyPeer | null {
  if (!isPlainObject(raw)) {
    out.push({ severity: 'error', path, message: 'must be an object with podSelector, namespaceSelector or ipBlock' });
    return null;
  }
  warnUnknown(raw, ['podSelector', 'namespaceSelector', 'ipBlock'], path, out);
  const before = out.length;
  const peer: PolicyPeer = {};
  let count = 0;
  // A null field is the same as an absent one (the Go pointer stays nil).
  if (raw.podSelector !== undefined && raw.podSelector !== null) {
    count++;
    peer.podSelector = readLabelSelector(raw.podSelector, childPath(path, 'podSelector'), out);
  }
  if (raw.namespaceSelector !== undefined && raw.namespaceSelector !== null) {
    count++;
    peer.namespaceSelector = readLabelSelector(raw.namespaceSelector, childPath(path, 'namespaceSelector'), out);
  }
  if (raw.ipBlock !== undefined && raw.ipBlock !== null) {
    count++;
    const block = readIpBlock(raw.ipBlock, childPath(path, 'ipBlock'), out);
    if (block) peer.ipBlock = block;
  }
  if (count === 0) out.push({ severity: 'error', path, message: 'must specify a peer (podSelector, namespaceSelector or ipBlock)' });
  else if (count > 1 && raw.ipBlock !== undefined && raw.ipBlock !== null) {
    out.push({ severity: 'error', path, message: 'may not specify both ipBlock and another peer' });
  }
  return out.slice(before).some((p) => p.severity === 'error') ? null : peer;
}

function readRules(
  raw: unknown,
  path: string,
  peersKey: 'from' | 'to',
  out: FieldProblem[],
): PolicyRule[] {
  if (raw === undefined || raw === null) return [];
  if (!Array.isArray(raw)) {
    out.push({ severity: 'error', path, message: 'must be a list of rules' });
    return [];
  }
  const rules: PolicyRule[] = [];
  raw.forEach((r: unknown, i: number) => {
    const rp = childPath(path, i);
    if (!isPlainObject(r)) {
      out.push({ severity: 'error', path: rp, message: 'must be a rule object (use {} to allow everything)' });
      return;
    }
    warnUnknown(r, [peersKey, 'ports'], rp, out);
    let peers: PolicyPeer[] | null = null;
    const rawPeers = r[peersKey];
    if (rawPeers !== undefined && rawPeers !== null) {
      if (!Array.isArray(rawPeers)) out.push({ severity: 'error', path: childPath(rp, peersKey), message: 'must be a list of peers' });
      else if (rawPeers.length > 0) {
        peers = [];
        rawPeers.forEach((p: unknown, j: number) => {
          const peer = readPeer(p, childPath(childPath(rp, peersKey), j), out);
          if (peer) peers!.push(peer);
        });
      }
    }
    const ports: PolicyPort[] = [];
    if (r.ports !== undefined && r.ports !== null) {
      if (!Array.isArray(r.ports)) out.push({ severity: 'error', path: childPath(rp, 'ports'), message: 'must be a list of ports' });
      else {
        r.ports.forEach((p: unknown, j: number) => {
          const port = readPort(p, childPath(childPath(rp, 'ports'), j), out);
          if (port) ports.push(port);
        });
      }
    }
    rules.push({ peers, ports });
  });
  return rules;
}

/** Validates and normalises one NetworkPolicy object. Never throws. */
export function readNetworkPolicy(raw: unknown, options: ReadPolicyOptions = {}): ReadPolicyResult {
  const object: ObjectRef = { kind: 'NetworkPolicy', source: options.source };
  const fieldProblems: FieldProblem[] = [];
  const finish = (policy: NetworkPolicy | null): ReadPolicyResult => {
    const problems = fieldProblems.map((p) => ({ ...p, object }));
    return { policy: problems.some((p) => p.severity === 'error') ? null : policy, problems };
  };
  if (!isPlainObject(raw)) {
    fieldProblems.push({ severity: 'error', path: '', message: 'a NetworkPolicy must be an object' });
    return finish(null);
  }
  warnUnknown(raw, ['apiVersion', 'kind', 'metadata', 'spec', 'status'], '', fieldProblems);
  if (raw.kind !== undefined && raw.kind !== 'NetworkPolicy') {
    fieldProblems.push({ severity: 'error', path: 'kind', message: `expected NetworkPolicy, got ${JSON.stringify(raw.kind)}` });
  }
  if (raw.apiVersion !== undefined && raw.apiVersion !== NETWORK_POLICY_API_VERSION) {
    fieldProblems.push({
      severity: 'error',
      path: 'apiVersion',
      message: `unsupported apiVersion ${JSON.stringify(raw.apiVersion)}; only ${NETWORK_POLICY_API_VERSION} is supported`,
    });
  }
  const meta = raw.metadata;
  let name = '';
  let namespace = options.defaultNamespace ?? 'default';
  if (!isPlainObject(meta)) {
    fieldProblems.push({ severity: 'error', path: 'metadata', message: 'required: metadata with a name' });
  } else {
    if (typeof meta.name !== 'string' || meta.name === '') {
      fieldProblems.push({ severity: 'error', path: 'metadata.name', message: 'required' });
    } else {
      name = meta.name;
      object.name = name;
      if (!isDns1123Subdomain(name)) {
        fieldProblems.push({ severity: 'error', path: 'metadata.name', message: `${JSON.stringify(name)} must be a lowercase DNS subdomain` });
      }
    }
    if (meta.namespace !== undefined && meta.namespace !== null && meta.namespace !== '') {
      if (typeof meta.namespace !== 'string' || !isDns1123Label(meta.namespace)) {
        fieldProblems.push({ severity: 'error', path: 'metadata.namespace', message: `${JSON.stringify(meta.namespace)} must be a lowercase DNS label` });
      } else namespace = meta.namespace;
    }
  }
  object.namespace = namespace;
  const spec = raw.spec;
  if (!isPlainObject(spec)) {
    fieldProblems.push({ severity: 'error', path: 'spec', message: 'required: an object' });
    return finish(null);
  }
  warnUnknown(spec, ['podSelector', 'policyTypes', 'ingress', 'egress'], 'spec', fieldProblems);
  // podSelector is a value (not a pointer) in the Go type: absent decodes to the empty
  // selector, which selects every pod in the namespace. Warn, since that is rarely intended.
  let podSelector: LabelSelector = EMPTY_SELECTOR;
  if (spec.podSelector === undefined || spec.podSelector === null) {
    fieldProblems.push({ severity: 'warning', path: 'spec.podSelector', message: 'absent: the policy selects every pod in the namespace (write {} to say so)' });
  } else podSelector = readLabelSelector(spec.podSelector, 'spec.podSelector', fieldProblems);

  const ingress = readRules(spec.ingress, 'spec.ingress', 'from', fieldProblems);
  const egress = readRules(spec.egress, 'spec.egress', 'to', fieldProblems);
  const egressGiven = Array.isArray(spec.egress) && spec.egress.length > 0;
  const ingressGiven = Array.isArray(spec.ingress) && spec.ingress.length > 0;

  let ingressIsolation = true;
  let egressIsolation = egressGiven;
  let policyTypesDefaulted = true;
  const pt = spec.policyTypes;
  if (pt !== undefined && pt !== null) {
    if (!Array.isArray(pt)) {
      fieldProblems.push({ severity: 'error', path: 'spec.policyTypes', message: 'must be a list of "Ingress" and/or "Egress"' });
    } else if (pt.length > 0) {
      policyTypesDefaulted = false;
      ingressIsolation = false;
      egressIsolation = false;
      if (pt.length > 2) fieldProblems.push({ severity: 'error', path: 'spec.policyTypes', message: 'may not specify more than two policyTypes' });
      pt.forEach((t: unknown, i: number) => {
        if (t === 'Ingress') ingressIsolation = true;
        else if (t === 'Egress') egressIsolation = true;
        else {
          fieldProblems.push({
            severity: 'error',
            path: childPath('spec.policyTypes', i),
            message: `unsupported value ${JSON.stringify(t)}: supported values are "Ingress", "Egress"`,
          });
        }
      });
      if (!ingressIsolation && ingressGiven) {
        fieldProblems.push({ severity: 'warning', path: 'spec.ingress', message: 'ignored: policyTypes does not list Ingress' });
      }
      if (!egressIsolation && egressGiven) {
        fieldProblems.push({ severity: 'warning', path: 'spec.egress', message: 'ignored: policyTypes does not list Egress' });
      }
    }
  }
  return finish({
    namespace,
    name,
    podSelector,
    ingressIsolation,
    egressIsolation,
    policyTypesDefaulted,
    ingress,
    egress,
    source: raw,
  });
}
