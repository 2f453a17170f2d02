// Drafts that start from the traffic graph: the objects a change request is prefilled with
// when someone asks to allow an edge, remove an allowed path, default-deny a namespace, allow
// exactly what a workload was seen doing, or require mutual TLS in a namespace. Pure: the
// cluster's namespaces, workloads, policies and the observed flows come in, objects go out,
// each with the sentences the requester and the approver read about why it looks as it does.
import { NetpolEngine, type Endpoint as EngineEndpoint } from '../netpol/evaluate-connection';
import { formatRuleMatch } from '../netpol/explain-verdict';
import { matchesSelector } from '../netpol/label-selector';
import type { PeerAuthentication } from '../netpol/mesh-posture';
import type { Namespace, NetworkPolicy, Protocol, Workload } from '../netpol/model';

export interface ClusterView {
  namespaces: readonly Namespace[];
  workloads: readonly Workload[];
  /** The NetworkPolicies in force (and, for isolation, those of the draft the objects go into). */
  policies: readonly NetworkPolicy[];
}

/** One end of a connection: a workload by `namespace/name`, or an address outside the cluster. */
export type End = { workload: string } | { ip: string };

export interface ObservedConnection {
  source: End;
  destination: End;
  port: number;
  protocol: Protocol;
  count: number;
}

export interface Draft {
  title: string;
  description: string;
  objects: Record<string, unknown>[];
}

export class GeneratorError extends Error {}

const NAMESPACE_NAME_LABEL = 'kubernetes.io/metadata.name';
const NP = { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy' } as const;
/** DNS through the cluster's resolver, which a workload isolated for egress still needs. */
export const DNS_EGRESS_RULE = {
  to: [{ namespaceSelector: { matchLabels: { [NAMESPACE_NAME_LABEL]: 'kube-system' } }, podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } } }],
  ports: [
    { protocol: 'UDP', port: 53 },
    { protocol: 'TCP', port: 53 },
  ],
};

/** A DNS-1123 name from parts, at most 63 characters (short enough for any kind). */
export function policyName(...parts: string[]): string {
  const name = parts
    .join('-')
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/-+/g, '-')
    .replace(/^-|-$/g, '');
  return name.slice(0, 63).replace(/-$/, '') || 'policy';
}

function findWorkload(view: ClusterView, id: string): Workload {
  const w = view.workloads.find((x) => x.id === id);
  if (!w) throw new GeneratorError(`workload ${id} is not in the cluster's inventory`);
  return w;
}

const PREFERRED_KEYS = ['app.kubernetes.io/name', 'app', 'k8s-app', 'name', 'app.kubernetes.io/instance'];

/**
 * The smallest label selector that picks this workload and no other in its namespace: one
 * well-known key when that is enough, otherwise every label it has.
 */
export function selectorFor(view: ClusterView, w: Workload): { matchLabels: Record<string, string> } {
  const others = view.workloads.filter((x) => x.namespace === w.namespace && x.id !== w.id);
  const unique = (sel: Record<string, string>) => !others.some((o) => matchesSelector({ matchLabels: sel, matchExpressions: [] }, o.labels));
  for (const k of PREFERRED_KEYS) {
    const v = w.labels[k];
    if (v !== undefined && unique({ [k]: v })) return { matchLabels: { [k]: v } };
  }
  if (Object.keys(w.labels).length === 0) throw new GeneratorError(`workload ${w.id} has no labels, so no policy can select it`);
  if (!unique(w.labels)) throw new GeneratorError(`workload ${w.id} has the same labels as another workload in ${w.namespace}; a policy cannot tell them apart`);
  return { matchLabels: { ...w.labels } };
}

function cidrOf(ip: string): string {
  return ip.includes(':') ? `${ip}/128` : `${ip}/32`;
}

/** The peer that names `end` from a policy in `policyNamespace`. */
function peerFor(view: ClusterView, end: End, policyNamespace: string): Record<string, unknown> {
  if ('ip' in end) return { ipBlock: { cidr: cidrOf(end.ip) } };
  const w = findWorkload(view, end.workload);
  const podSelector = selectorFor(view, w);
  if (w.namespace === policyNamespace) return { podSelector };
  return { namespaceSelector: { matchLabels: { [NAMESPACE_NAME_LABEL]: w.namespace } }, podSelector };
}

const endText = (e: End) => ('ip' in e ? e.ip : e.workload);
const shortName = (e: End) => ('ip' in e ? e.ip.replace(/[.:]/g, '-') : e.workload.split('/')[1]!);

function portsOf(conns: readonly { port: number; protocol: Protocol }[]): { protocol: Protocol; port: number }[] {
  const seen = new Map<string, { protocol: Protocol; port: number }>();
  for (const c of conns) seen.set(`${c.protocol}/${c.port}`, { protocol: c.protocol, port: c.port });
  return [...seen.values()].sort((a, b) => a.port - b.port || a.protocol.localeCompare(b.protocol));
}

function engineOf(view: ClusterView) {
  const engine = new NetpolEngine({ namespaces: view.namespaces, members: view.workloads, policies: view.policies });
  const index = new Map(view.workloads.map((w, i) => [w.id, i]));
  const endpoint = (e: End): EngineEndpoint => {
    if ('ip' in e) return { ip: e.ip };
    const i = index.get(e.workload);
    if (i === undefined) throw new GeneratorError(`workload ${e.workload} is not in the cluster's inventory`);
    return { member: i };
  };
  return { engine, endpoint };
}

// ---- default-deny a namespace ----

export function defaultDeny(namespace: string, direction: 'ingress' | 'egress' | 'both', options: { keepDns: boolean }): Draft {
  const types = direction === 'both' ? ['Ingress', 'Egress'] : direction === 'ingress' ? ['Ingress'] : ['Egress'];
  const name = direction === 'both' ? 'default-deny-all' : `default-deny-${direction}`;
  const objects: Record<string, unknown>[] = [{ ...NP, metadata: { name, namespace }, spec: { podSelector: {}, policyTypes: types } }];
  const egress = direction !== 'ingress';
  if (egress && options.keepDns) objects.push({ ...NP, metadata: { name: 'allow-dns-egress', namespace }, spec: { podSelector: {}, policyTypes: ['Egress'], egress: [DNS_EGRESS_RULE] } });
  const what = direction === 'both' ? 'ingress and egress' : direction;
  return {
    title: `Default-deny ${what} in ${namespace}`,
    description: `Every pod in ${namespace} is isolated for ${what}: only what another policy allows gets through.${egress && options.keepDns ? ' DNS to kube-dns stays allowed.' : ''} The preview lists the observed flows this blocks.`,
    objects,
  };
}

// ---- allow an edge ----

/**
 * Policies that allow `source` to reach `destination` on `ports`: an ingress policy on the
 * destination, and an egress policy on the source when the source is (or, with the draft,
 * will be) isolated for egress. Both ends outside the cluster cannot be governed.
 */
export function allowEdge(view: ClusterView, source: End, destination: End, ports: readonly { port: number; protocol: Protocol }[]): Draft {
  if (ports.length === 0) throw new GeneratorError('no port was observed on this edge; there is nothing to allow');
  const { engine, endpoint } = engineOf(view);
  const list = portsOf(ports);
  const objects: Record<string, unknown>[] = [];
  const notes: string[] = [];
  const from = endText(source);
  const to = endText(destination);
  if ('workload' in destination) {
    const w = findWorkload(view, destination.workload);
    objects.push({
      ...NP,
      metadata: { name: policyName(w.name, 'from', shortName(source)), namespace: w.namespace },
      spec: { podSelector: selectorFor(view, w), policyTypes: ['Ingress'], ingress: [{ from: [peerFor(view, source, w.namespace)], ports: list }] },
    });
    notes.push(`Ingress to ${to} from ${from} on ${list.map((p) => `${p.port}/${p.protocol}`).join(', ')}.`);
  }
  if ('workload' in source) {
    const w = findWorkload(view, source.workload);
    const i = view.workloads.indexOf(w);
    const isolated = engine.isolatingPolicies(i, 'egress').length > 0;
    if (isolated) {
      objects.push({
        ...NP,
        metadata: { name: policyName(w.name, 'to', shortName(destination)), namespace: w.namespace },
        spec: { podSelector: selectorFor(view, w), policyTypes: ['Egress'], egress: [{ to: [peerFor(view, destination, w.namespace)], ports: list }] },
      });
      notes.push(`Egress from ${from} to ${to}: ${from} is isolated for egress.`);
    } else notes.push(`No egress policy: ${from} is not isolated for egress.`);
  }
  if (objects.length === 0) throw new GeneratorError('neither end is a workload in the cluster; NetworkPolicy cannot govern this edge');
  const verdicts = list.map((p) => engine.evaluate({ source: endpoint(source), destination: endpoint(destination), port: p.port, protocol: p.protocol }));
  const already = verdicts.filter((v) => v.allowed).length;
  if (already > 0) notes.push(`${already} of ${list.length} port${list.length === 1 ? ' is' : 's are'} allowed today; these policies keep ${already === 1 ? 'it' : 'them'} allowed whatever else isolates the ends.`);
  return { title: `Allow ${from} → ${to}`, description: notes.join(' '), objects };
}

// ---- remove an allowed path ----

type RawPolicy = Record<string, unknown> & { metadata: Record<string, unknown>; spec: Record<string, unknown> };

function cleanCopy(source: unknown): RawPolicy {
  const o = structuredClone(source) as RawPolicy;
  const meta = { ...(o.metadata ?? {}) };
  for (const f of ['uid', 'resourceVersion', 'generation', 'creationTimestamp', 'managedFields', 'selfLink']) delete meta[f];
  delete (o as { status?: unknown }).status;
  return { ...o, metadata: meta, spec: { ...(o.spec ?? {}) } };
}

export interface PathCut {
  /** Which rule allowed the path, as the engine names it. */
  allowedBy: string[];
  objects: Record<string, unknown>[];
}

/**
 * Removes one allowed path. Where the destination is isolated for ingress, each rule that
 * allows the path loses the matching peer (the rule is removed when no peer is left, or when
 * it had none: "any peer"); else the same on the source's egress; when neither end is
 * isolated, the destination gets an ingress policy allowing every other observed source.
 */
export function removePath(view: ClusterView, source: End, destination: End, ports: readonly { port: number; protocol: Protocol }[], observed: readonly ObservedConnection[]): Draft & PathCut {
  const { engine, endpoint } = engineOf(view);
  const list = portsOf(ports);
  const verdicts = list.map((p) => engine.evaluate({ source: endpoint(source), destination: endpoint(destination), port: p.port, protocol: p.protocol })).filter((v) => v.allowed);
  const from = endText(source);
  const to = endText(destination);
  if (verdicts.length === 0) throw new GeneratorError(`${from} → ${to} is not allowed on any observed port; there is no path to remove`);
  const edited = new Map<string, RawPolicy>();
  const allowedBy: string[] = [];
  const byRef = (ns: string, name: string) => view.policies.find((p) => p.namespace === ns && p.name === name);
  let side: 'ingress' | 'egress' | null = null;
  if (verdicts.every((v) => v.ingress.isolated)) side = 'ingress';
  else if (verdicts.every((v) => v.egress.isolated)) side = 'egress';
  if (side) {
    // Collect, per policy and rule, which peers to drop (null: the whole rule).
    const cuts = new Map<string, Map<number, Set<number> | null>>();
    for (const v of verdicts) {
      for (const m of v[side].allowedBy) {
        allowedBy.push(formatRuleMatch(m, side));
        const key = `${m.policy.namespace}/${m.policy.name}`;
        const rules = cuts.get(key) ?? new Map<number, Set<number> | null>();
        cuts.set(key, rules);
        if (m.peer === null) rules.set(m.rule, null);
        else if (rules.get(m.rule) !== null) rules.set(m.rule, (rules.get(m.rule) ?? new Set<number>()).add(m.peer));
      }
    }
    for (const [key, rules] of cuts) {
      const [ns, name] = key.split('/') as [string, string];
      const policy = byRef(ns, name);
      if (!policy) continue;
      const raw = cleanCopy(policy.source);
      const peersKey = side === 'ingress' ? 'from' : 'to';
      const current = (Array.isArray(raw.spec[side]) ? raw.spec[side] : []) as Record<string, unknown>[];
      const next: Record<string, unknown>[] = [];
      current.forEach((rule, i) => {
        if (!rules.has(i)) return void next.push(rule);
        const drop = rules.get(i);
        const peers = Array.isArray(rule[peersKey]) ? (rule[peersKey] as unknown[]) : [];
        if (drop === null || drop === undefined || peers.length === 0) return;
        const kept = peers.filter((_, j) => !drop.has(j));
        if (kept.length > 0) next.push({ ...rule, [peersKey]: kept });
      });
      // Written even when empty: server-side apply keeps a list another manager owns unless it is set.
      raw.spec[side] = next;
      edited.set(key, raw);
    }
  } else {
    if (!('workload' in destination)) throw new GeneratorError(`neither ${from} nor ${to} is isolated, and ${to} is outside the cluster: no policy can remove this path`);
    const w = findWorkload(view, destination.workload);
    const others = observed.filter((c) => 'workload' in c.destination && c.destination.workload === w.id && endText(c.source) !== from);
    const rules = groupRules(view, others, (c) => c.source, w.namespace, 'from');
    edited.set(`${w.namespace}/${w.name}`, {
      ...NP,
      metadata: { name: policyName(w.name, 'ingress'), namespace: w.namespace },
      spec: { podSelector: selectorFor(view, w), policyTypes: ['Ingress'], ingress: rules },
    });
    allowedBy.push(`ingress to ${to}: not isolated (no policy selects it for ingress)`);
  }
  const sideText = side === 'ingress' ? `ingress to ${to}` : side === 'egress' ? `egress from ${from}` : `ingress to ${to}`;
  return {
    title: `Remove the allowed path ${from} → ${to}`,
    description: `${from} → ${to} on ${list.map((p) => `${p.port}/${p.protocol}`).join(', ')} is allowed by ${allowedBy.join('; ')}. This change narrows ${sideText}${side ? ': the matching peers are removed from those rules (a rule with no peer left, or with none at all, is removed)' : ' with a policy that allows every other source observed'}. Anything else those rules allowed is in the preview.`,
    objects: [...edited.values()],
    allowedBy,
  };
}

function groupRules(view: ClusterView, conns: readonly ObservedConnection[], peerEnd: (c: ObservedConnection) => End, policyNamespace: string, key: 'from' | 'to'): Record<string, unknown>[] {
  const groups = new Map<string, { end: End; conns: ObservedConnection[] }>();
  for (const c of conns) {
    const end = peerEnd(c);
    const k = endText(end);
    const g = groups.get(k) ?? { end, conns: [] };
    g.conns.push(c);
    groups.set(k, g);
  }
  return [...groups.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([, g]) => ({ [key]: [peerFor(view, g.end, policyNamespace)], ports: portsOf(g.conns) }));
}

// ---- allow what was observed ----

function isDns(view: ClusterView, c: ObservedConnection): boolean {
  if (!('workload' in c.destination) || c.port !== 53) return false;
  const id = c.destination.workload;
  const w = view.workloads.find((x) => x.id === id);
  return w !== undefined && w.namespace === 'kube-system' && w.labels['k8s-app'] === 'kube-dns';
}

/**
 * A least-privilege policy for one workload: isolated both ways, ingress from each source
 * and egress to each destination it was seen talking to (allowed flows only), on the ports
 * seen, plus DNS to kube-dns. Ends the caller may not name (`hidden`) are left out and counted.
 */
export function allowObserved(view: ClusterView, workloadId: string, conns: readonly ObservedConnection[], range: { label: string }, hidden = 0): Draft {
  const w = findWorkload(view, workloadId);
  const inbound = conns.filter((c) => 'workload' in c.destination && c.destination.workload === w.id && endText(c.source) !== w.id);
  const outbound = conns.filter((c) => 'workload' in c.source && c.source.workload === w.id && endText(c.destination) !== w.id && !isDns(view, c));
  const ingress = groupRules(view, inbound, (c) => c.source, w.namespace, 'from');
  const egress = [...groupRules(view, outbound, (c) => c.destination, w.namespace, 'to'), DNS_EGRESS_RULE];
  const notes = [
    `${w.id} is isolated for ingress and egress; allowed are the ${inbound.length} inbound and ${outbound.length} outbound connections (by peer and port) observed over ${range.label}, and DNS to kube-dns.`,
  ];
  if (hidden > 0) notes.push(`${hidden} observed connection${hidden === 1 ? '' : 's'} with a workload of another tenant ${hidden === 1 ? 'is' : 'are'} not included (${hidden === 1 ? 'its end is' : 'their ends are'} not yours to name); a security admin can add ${hidden === 1 ? 'it' : 'them'}.`);
  notes.push('Traffic that did not happen in the range (a weekly job) is not allowed: check the preview before submitting.');
  return {
    title: `Allow only what ${w.id} was seen doing (${range.label})`,
    description: notes.join(' '),
    objects: [{ ...NP, metadata: { name: policyName(w.name, 'least-privilege'), namespace: w.namespace }, spec: { podSelector: selectorFor(view, w), policyTypes: ['Ingress', 'Egress'], ingress, egress } }],
  };
}

// ---- require mutual TLS ----

/** STRICT for a namespace: its namespace-wide PeerAuthentication switched, or a new one. */
export function requireStrict(namespace: string, peerAuthentications: readonly PeerAuthentication[], sources: ReadonlyMap<string, unknown>): Draft {
  const existing = peerAuthentications.filter((p) => p.namespace === namespace && p.selector === null).sort((a, b) => (a.creationTimestamp ?? '').localeCompare(b.creationTimestamp ?? '') || a.name.localeCompare(b.name))[0];
  let object: Record<string, unknown>;
  if (existing) {
    const raw = cleanCopy(sources.get(`${existing.namespace}/${existing.name}`) ?? { apiVersion: 'security.istio.io/v1', kind: 'PeerAuthentication', metadata: { name: existing.name, namespace } });
    raw.spec = { ...raw.spec, mtls: { mode: 'STRICT' } };
    object = raw;
  } else object = { apiVersion: 'security.istio.io/v1', kind: 'PeerAuthentication', metadata: { name: 'default', namespace }, spec: { mtls: { mode: 'STRICT' } } };
  return {
    title: `Require mutual TLS (STRICT) in ${namespace}`,
    description: `${existing ? `${namespace}/${existing.name} moves from ${existing.mode} to STRICT` : `A namespace-wide PeerAuthentication sets STRICT`}: sidecars in ${namespace} accept only mutual TLS. The preview lists the plaintext connections this would break (STRICT readiness).`,
    objects: [object],
  };
}
