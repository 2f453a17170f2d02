// The traffic graph's vocabulary: flow aggregates as the database sums them over a range,
// and the graph the console draws from them (nodes at a level of detail, edges per source,
// destination and port set, marked by mTLS state and verdict).
import type { EffectiveMtlsMode } from '@/server/domain/netpol';

export type FlowMtls = 'mutual' | 'plaintext' | 'unknown';
export type FlowVerdict = 'allowed' | 'denied' | 'dropped';

/** One (source, destination, port, protocol, mTLS, verdict) summed over the time range. */
export interface FlowAggregate {
  srcNamespace: string;
  srcWorkload: string;
  srcIp: string;
  dstNamespace: string;
  dstWorkload: string;
  dstIp: string;
  port: number;
  protocol: string;
  mtls: FlowMtls;
  verdict: FlowVerdict;
  count: number;
  bytes: number;
}

/** all mutual TLS, all plaintext, both, or nothing known (denied before a handshake, outside the mesh). */
export type MtlsClass = 'mutual' | 'plaintext' | 'mixed' | 'unknown';
export type VerdictClass = FlowVerdict | 'mixed';
export type Level = 'tenant' | 'namespace' | 'workload';
export type NodeKind = 'tenant' | 'namespace' | 'workload' | 'external' | 'other-tenant';

export interface TrafficCounts {
  total: number;
  bytes: number;
  mutual: number;
  plaintext: number;
  unknown: number;
  allowed: number;
  denied: number;
  dropped: number;
}

export interface PortStats extends TrafficCounts {
  port: number;
  protocol: string;
}

/** Plaintext left on a mixed or plaintext edge, by the workload that sends it and the port. */
export interface PlaintextShare {
  source: string;
  sourceLabel: string;
  port: number;
  protocol: string;
  plaintext: number;
  mutual: number;
  /** plaintext / (plaintext + mutual), 0..1 */
  share: number;
}

export interface GraphEdge {
  id: string;
  source: string;
  target: string;
  ports: PortStats[];
  counts: TrafficCounts;
  mtls: MtlsClass;
  verdict: VerdictClass;
  /** Connections per second over the range. */
  perSecond: number;
  /** Share of plaintext among connections whose mTLS state is known, 0..1. */
  plaintextShare: number;
  plaintextBySource: PlaintextShare[];
  /** Plaintext reached a port whose PeerAuthentication says STRICT (a sidecar missing or bypassed). */
  plaintextOnStrict: boolean;
  /** How many workload-level edges this one stands for (1 unless aggregated). */
  members: number;
}

/** What the browser needs to draw an edge; its side panel asks for the rest (graph.edge). */
export type DrawnEdge = Pick<GraphEdge, 'id' | 'source' | 'target' | 'mtls' | 'verdict' | 'perSecond' | 'plaintextOnStrict' | 'members'> & {
  /** Connections over the range. */
  total: number;
};

export interface GraphNode {
  id: string;
  kind: NodeKind;
  label: string;
  /** The container it is drawn in (an expanded tenant or namespace). */
  parentId?: string;
  /** Tenants and namespaces: drawn as an open container rather than one node. */
  expanded?: boolean;
  namespace?: string;
  tenant?: string;
  workloadCount: number;
  /** Traffic that stays inside a collapsed group. */
  internal?: TrafficCounts;
  plaintextOnStrictIn: number;
  deniedIn: number;
}

export interface Posture {
  edges: number;
  mutualEdges: number;
  plaintextEdges: number;
  mixedEdges: number;
  /** mutual / edges whose mTLS state is known; null when none is. */
  mtlsShare: number | null;
  plaintextOnStrictEdges: number;
  deniedAttempts: number;
  deniedEdges: number;
}

export interface GraphFilters {
  tenants?: string[];
  namespaces?: string[];
  mtls?: MtlsClass[];
  verdicts?: FlowVerdict[];
  /** Only edges where plaintext reached a STRICT port. */
  strictViolations?: boolean;
}

export interface GraphView {
  /** Absent: the most detailed level that fits the node budget. */
  level?: Level;
  /** Groups expanded beyond the level: 't:<slug>' tenants, 'ns:<name>' namespaces. */
  open?: string[];
}

export interface TenantRef {
  id: string;
  slug: string;
  name: string;
}

export type ModeOf = (namespace: string, workload: string, port: number) => EffectiveMtlsMode;
