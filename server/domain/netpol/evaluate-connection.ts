// Decides whether one connection is allowed by the NetworkPolicies in force and says why.
// Built once per (cluster, policy set) and queried many times: isolation sets and peer
// matches are memoised per member so that impact analysis over millions of flows stays cheap.
import { cidrContainsIp, parseIp, type IpAddress } from './ip-block';
import { matchesSelector, type Labels } from './label-selector';
import type {
  ClusterMember,
  ContainerPort,
  IpBlock,
  Namespace,
  NetworkPolicy,
  PolicyPeer,
  PolicyPort,
  PolicyRef,
  Protocol,
} from './model';

/** Label the API server puts on every namespace (immutable, equal to its name). */
export const NAMESPACE_NAME_LABEL = 'kubernetes.io/metadata.name';

export interface EngineOptions {
  /**
   * Whether an `ipBlock` peer matches in-cluster pods whose IP falls in the block. Upstream
   * leaves this to the implementation; Calico, Antrea, kube-router, OVN and the upstream e2e
   * conformance tests match pod IPs, Cilium does not. Default true.
   */
  ipBlockMatchesPods?: boolean;
}

/** One side of a connection: a cluster member by its index in the engine, or an external IP. */
export type Endpoint = { member: number } | { ip: string };

export interface Connection {
  source: Endpoint;
  destination: Endpoint;
  port: number;
  protocol: Protocol;
}

/** Which rule allowed one direction. `peer`/`port` are null when the rule had no `from`/`to` or no `ports`. */
export interface RuleMatch {
  policy: PolicyRef;
  rule: number;
  peer: number | null;
  port: number | null;
}

export interface DirectionVerdict {
  direction: 'egress' | 'ingress';
  /** The endpoint whose policies decide this direction: the source for egress, the destination for ingress. */
  subject: string;
  /** False when the subject is outside the cluster and so no policy can apply to it. */
  inCluster: boolean;
  isolated: boolean;
  isolatingPolicies: PolicyRef[];
  allowed: boolean;
  allowedBy: RuleMatch[];
}

export interface Verdict {
  allowed: boolean;
  source: string;
  destination: string;
  port: number;
  protocol: Protocol;
  egress: DirectionVerdict;
  ingress: DirectionVerdict;
}

interface MemberInfo {
  namespace: string;
  name: string;
  labels: Labels;
  ips: IpAddress[];
  portsByName: Map<string, ContainerPort>;
}

interface CompiledPeer {
  peer: PolicyPeer;
  policyNamespace: string;
  /** Index into each member's match memo. */
  id: number;
}

interface CompiledRule {
  peers: CompiledPeer[] | null;
  ports: PolicyPort[];
  /** The same ports as plain numbers, one object shape, for the hot path. */
  fastPorts: FastPort[];
  /** Computed on demand by ruleSignature. */
  fingerprint?: string;
}

function ruleFingerprint(rule: CompiledRule): string {
  const peers = rule.peers?.map((p) => ({ ns: p.peer.ipBlock || p.peer.namespaceSelector ? undefined : p.policyNamespace, peer: p.peer })) ?? null;
  return JSON.stringify({ peers, ports: rule.ports }, (_, v) => (typeof v === 'bigint' ? v.toString() : v));
}

/** A numeric range of one protocol, or a named port (`name` set, range unused). */
interface FastPort {
  protocol: number;
  lo: number;
  hi: number;
  name: string | null;
}

const PROTOCOL_INDEX: Record<Protocol, number> = { TCP: 0, UDP: 1, SCTP: 2 };

function fastPort(pp: PolicyPort): FastPort {
  const protocol = PROTOCOL_INDEX[pp.protocol];
  if (pp.port === undefined) return { protocol, lo: 1, hi: 65535, name: null };
  if (typeof pp.port === 'string') return { protocol, lo: 0, hi: -1, name: pp.port };
  return { protocol, lo: pp.port, hi: pp.endPort ?? pp.port, name: null };
}

interface CompiledPolicy {
  ref: PolicyRef;
  policy: NetworkPolicy;
  ingress: CompiledRule[];
  egress: CompiledRule[];
}

type Direction = 'ingress' | 'egress';

export function namespaceLabelsWithName(ns: Namespace): Labels {
  return { ...ns.labels, [NAMESPACE_NAME_LABEL]: ns.name };
}

export function portMatches(pp: PolicyPort, port: number, protocol: Protocol, destination: ContainerPortLookup | null): boolean {
  if (pp.protocol !== protocol) return false;
  if (pp.port === undefined) return true;
  if (typeof pp.port === 'number') {
    return pp.endPort === undefined ? port === pp.port : port >= pp.port && port <= pp.endPort;
  }
  // Named ports resolve on the destination pod, in both directions; an external
  // destination has no named ports, so such a rule never matches it.
  if (!destination) return false;
  const cp = destination.get(pp.port);
  return cp !== undefined && cp.protocol === protocol && cp.port === port;
}

export type ContainerPortLookup = Pick<Map<string, ContainerPort>, 'get'>;

export class NetpolEngine {
  readonly members: readonly ClusterMember[];
  readonly policies: readonly NetworkPolicy[];
  private readonly info: MemberInfo[];
  private readonly namespaceLabels = new Map<string, Labels>();
  private readonly byNamespace = new Map<string, CompiledPolicy[]>();
  private readonly compiled: CompiledPolicy[];
  private readonly isolation: Record<Direction, (CompiledPolicy[] | undefined)[]>;
  private readonly externals = new Map<string, { ip: IpAddress | null; memo: Uint8Array }>();
  private readonly flatIngress: (CompiledRule[] | null | undefined)[] = [];
  private peerCount = 0;
  /** Per member, per policy peer: 0 not yet computed, 1 no match, 2 match. Filled lazily. */
  private readonly peerMemo: (Uint8Array | undefined)[] = [];
  private readonly flatEgress: (CompiledRule[] | null | undefined)[] = [];
  private readonly ipBlockMatchesPods: boolean;

  constructor(
    input: { namespaces: readonly Namespace[]; members: readonly ClusterMember[]; policies: readonly NetworkPolicy[] },
    options: EngineOptions = {},
  ) {
    this.members = input.members;
    this.policies = input.policies;
    this.ipBlockMatchesPods = options.ipBlockMatchesPods ?? true;
    for (const ns of input.namespaces) this.namespaceLabels.set(ns.name, namespaceLabelsWithName(ns));
    this.info = input.members.map((m) => {
      const portsByName = new Map<string, ContainerPort>();
      for (const p of m.ports) if (p.name) portsByName.set(p.name, p);
      const ips: IpAddress[] = [];
      for (const text of m.ips) {
        const ip = parseIp(text);
        if (ip) ips.push(ip);
      }
      return { namespace: m.namespace, name: m.name, labels: m.labels, ips, portsByName };
    });
    const compileRules = (rules: NetworkPolicy['ingress'], ns: string) =>
      rules.map((r) => ({
        peers: r.peers === null ? null : r.peers.map((peer) => ({ peer, policyNamespace: ns, id: this.peerCount++ })),
        ports: r.ports,
        fastPorts: r.ports.map(fastPort),
      }));
    this.compiled = input.policies.map((policy) => ({
      ref: { namespace: policy.namespace, name: policy.name },
      policy,
      ingress: compileRules(policy.ingress, policy.namespace),
      egress: compileRules(policy.egress, policy.namespace),
    }));
    for (const cp of this.compiled) {
      const list = this.byNamespace.get(cp.ref.namespace);
      if (list) list.push(cp);
      else this.byNamespace.set(cp.ref.namespace, [cp]);
    }
    this.isolation = { ingress: new Array(this.info.length), egress: new Array(this.info.length) };
  }

  labelsOfNamespace(name: string): Labels {
    let labels = this.namespaceLabels.get(name);
    if (!labels) {
      // A namespace known only from its pods still carries the automatic name label.
      labels = { [NAMESPACE_NAME_LABEL]: name };
      this.namespaceLabels.set(name, labels);
    }
    return labels;
  }

  describe(endpoint: Endpoint): string {
    if ('ip' in endpoint) return endpoint.ip;
    const m = this.info[endpoint.member];
    return m ? `${m.namespace}/${m.name}` : `#${endpoint.member}`;
  }

  /** Policies that select the member and isolate it in `direction`, in input order. */
  isolatingPolicies(member: number, direction: Direction): PolicyRef[] {
    return this.isolatingCompiled(member, direction).map((c) => c.ref);
  }

  private isolatingCompiled(member: number, direction: Direction): CompiledPolicy[] {
    const cached = this.isolation[direction][member];
    if (cached) return cached;
    const m = this.info[member];
    if (!m) throw new RangeError(`no cluster member #${member}`);
    const out: CompiledPolicy[] = [];
    for (const cp of this.byNamespace.get(m.namespace) ?? []) {
      const isolates = direction === 'ingress' ? cp.policy.ingressIsolation : cp.policy.egressIsolation;
      if (isolates && matchesSelector(cp.policy.podSelector, m.labels)) out.push(cp);
    }
    this.isolation[direction][member] = out;
    return out;
  }

  private external(text: string): { ip: IpAddress | null; memo: Uint8Array } {
    let ext = this.externals.get(text);
    if (ext === undefined) {
      ext = { ip: parseIp(text), memo: new Uint8Array(this.peerCount) };
      this.externals.set(text, ext);
    }
    return ext;
  }

  private peerMatches(cp: CompiledPeer, other: Endpoint): boolean {
    if ('ip' in other) {
      const block = cp.peer.ipBlock;
      if (!block) return false;
      const ext = this.external(other.ip);
      const cached = ext.memo[cp.id];
      if (cached) return cached === 2;
      const result = ext.ip !== null && ipInBlock(block, ext.ip);
      ext.memo[cp.id] = result ? 2 : 1;
      return result;
    }
    const idx = other.member;
    // Member-major: one evaluation asks about one peer endpoint against several rules,
    // so keeping that endpoint's answers together keeps them in cache.
    let memo = this.peerMemo[idx];
    if (!memo) memo = this.peerMemo[idx] = new Uint8Array(this.peerCount);
    const cached = memo[cp.id];
    if (cached) return cached === 2;
    const result = this.peerMatchesMember(cp, this.info[idx]!);
    memo[cp.id] = result ? 2 : 1;
    return result;
  }

  private peerMatchesMember(cp: CompiledPeer, m: MemberInfo): boolean {
    const { peer } = cp;
    if (peer.ipBlock) {
      if (!this.ipBlockMatchesPods) return false;
      const block = peer.ipBlock;
      return m.ips.some((ip) => ipInBlock(block, ip));
    }
    if (peer.namespaceSelector) {
      if (!matchesSelector(peer.namespaceSelector, this.labelsOfNamespace(m.namespace))) return false;
    } else if (m.namespace !== cp.policyNamespace) {
      return false;
    }
    return peer.podSelector ? matchesSelector(peer.podSelector, m.labels) : true;
  }

  private destinationPorts(conn: Connection): ContainerPortLookup | null {
    return 'member' in conn.destination ? this.info[conn.destination.member]!.portsByName : null;
  }

  /** One direction of the decision, listing every isolating policy and every allowing rule. */
  private decide(direction: Direction, conn: Connection): { isolating: CompiledPolicy[] | null; matches: RuleMatch[]; allowed: boolean } {
    const subject = direction === 'egress' ? conn.source : conn.destination;
    const other = direction === 'egress' ? conn.destination : conn.source;
    if ('ip' in subject) return { isolating: null, matches: [], allowed: true };
    const isolating = this.isolatingCompiled(subject.member, direction);
    if (isolating.length === 0) return { isolating, matches: [], allowed: true };
    const dstPorts = this.destinationPorts(conn);
    const matches: RuleMatch[] = [];
    for (const cp of isolating) {
      const rules = direction === 'egress' ? cp.egress : cp.ingress;
      for (let r = 0; r < rules.length; r++) {
        const rule = rules[r]!;
        let portIndex: number | null = null;
        if (rule.ports.length > 0) {
          portIndex = -1;
          for (let p = 0; p < rule.ports.length; p++) {
            if (portMatches(rule.ports[p]!, conn.port, conn.protocol, dstPorts)) {
              portIndex = p;
              break;
            }
          }
          if (portIndex === -1) continue;
        }
        let peerIndex: number | null = null;
        if (rule.peers !== null) {
          peerIndex = -1;
          for (let q = 0; q < rule.peers.length; q++) {
            if (this.peerMatches(rule.peers[q]!, other)) {
              peerIndex = q;
              break;
            }
          }
          if (peerIndex === -1) continue;
        }
        matches.push({ policy: cp.ref, rule: r, peer: peerIndex, port: portIndex });
      }
    }
    return { isolating, matches, allowed: matches.length > 0 };
  }

  /**
   * One direction without building an explanation: the hot path of impact analysis, so
   * it allocates nothing and stops at the first allowing rule.
   */
  private sideAllowed(direction: Direction, conn: Connection): boolean {
    const subject = direction === 'egress' ? conn.source : conn.destination;
    if ('ip' in subject) return true;
    const rules = this.flatRules(subject.member, direction);
    if (rules === null) return true;
    const other = direction === 'egress' ? conn.destination : conn.source;
    // The other end's answers for every peer, fetched once per call rather than per peer.
    let memo: Uint8Array;
    let otherMember = -1;
    if ('ip' in other) memo = this.external(other.ip).memo;
    else {
      otherMember = other.member;
      memo = this.peerMemo[otherMember] ??= new Uint8Array(this.peerCount);
    }
    const port = conn.port;
    const protocol = PROTOCOL_INDEX[conn.protocol];
    for (let r = 0; r < rules.length; r++) {
      const rule = rules[r]!;
      const ports = rule.fastPorts;
      if (ports.length > 0) {
        let ok = false;
        for (let p = 0; p < ports.length; p++) {
          const fp = ports[p]!;
          if (fp.protocol !== protocol) continue;
          if (fp.name === null ? port >= fp.lo && port <= fp.hi : portMatches(rule.ports[p]!, port, conn.protocol, this.destinationPorts(conn))) {
            ok = true;
            break;
          }
        }
        if (!ok) continue;
      }
      const peers = rule.peers;
      if (peers === null) return true;
      for (let q = 0; q < peers.length; q++) {
        const cp = peers[q]!;
        const cached = memo[cp.id];
        if (cached === 2) return true;
        if (cached === 1) continue;
        if (this.peerMatches(cp, other)) return true;
      }
    }
    return false;
  }

  /** The rules of every policy isolating the member in one list; null when it is not isolated. */
  private flatRules(member: number, direction: Direction): CompiledRule[] | null {
    const memo = direction === 'egress' ? this.flatEgress : this.flatIngress;
    const cached = memo[member];
    if (cached !== undefined) return cached;
    const isolating = this.isolatingCompiled(member, direction);
    const flat = isolating.length === 0 ? null : isolating.flatMap((cp) => (direction === 'egress' ? cp.egress : cp.ingress));
    memo[member] = flat;
    return flat;
  }

  /**
   * What decides one direction for a member, as text: null when it is not isolated, else
   * the sorted fingerprints of the rules that could allow (a rule's meaning is its peers,
   * its ports and, for namespace-less peers, its policy's namespace). Two policy sets with
   * the same signature for a member give it the same verdicts in that direction, whatever
   * the policies are called or how their selectors are written.
   */
  ruleSignature(member: number, direction: Direction): string | null {
    const rules = this.flatRules(member, direction);
    if (rules === null) return null;
    return rules.map((r) => (r.fingerprint ??= ruleFingerprint(r))).sort().join('\n');
  }

  /** The verdict alone, without building an explanation. */
  allows(conn: Connection): boolean {
    return this.sideAllowed('egress', conn) && this.sideAllowed('ingress', conn);
  }

  /** Verdict for one direction only (the console shows "would the destination accept this?"). */
  allowsDirection(conn: Connection, direction: Direction): boolean {
    return this.sideAllowed(direction, conn);
  }

  /** The verdict with its explanation: every isolating policy and every allowing rule. */
  evaluate(conn: Connection): Verdict {
    const side = (direction: Direction): DirectionVerdict => {
      const subject = direction === 'egress' ? conn.source : conn.destination;
      const d = this.decide(direction, conn);
      return {
        direction,
        subject: this.describe(subject),
        inCluster: d.isolating !== null,
        isolated: d.isolating !== null && d.isolating.length > 0,
        isolatingPolicies: (d.isolating ?? []).map((c) => c.ref),
        allowed: d.allowed,
        allowedBy: d.matches,
      };
    };
    const egress = side('egress');
    const ingress = side('ingress');
    return {
      allowed: egress.allowed && ingress.allowed,
      source: this.describe(conn.source),
      destination: this.describe(conn.destination),
      port: conn.port,
      protocol: conn.protocol,
      egress,
      ingress,
    };
  }
}

function ipInBlock(block: IpBlock, ip: IpAddress): boolean {
  if (!cidrContainsIp(block.cidr, ip)) return false;
  for (const e of block.except) if (cidrContainsIp(e, ip)) return false;
  return true;
}
