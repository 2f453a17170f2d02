// The sim's call graph and how one tick of it turns into FlowObservations: each edge's
// connection count follows its pattern and a seeded jitter; the verdict comes from the
// NetworkPolicy engine over the policies in force, the mTLS state from the destination's
// PeerAuthentication mode and which ends carry sidecars.
import type { FlowObservation } from '../cluster-driver';
import type { FlowEndpoint, MtlsState } from '../../protocol/messages';
import { resolveMtls, type NetpolEngine, type PeerAuthentication, type Protocol } from '../../../server/domain/netpol/index';
import { activity } from './activity';
import type { UsagePattern } from './cluster-blueprint';
import { Rng } from './prng';

export interface SimWorkload {
  namespace: string;
  name: string;
  /** The pods' labels. */
  labels: Record<string, string>;
  replicas: number;
  /** Share of pods with an Istio sidecar (0..1). */
  meshShare: number;
}

/** What the traffic generator needs to know about the cluster right now. */
export interface TrafficView {
  workload(namespace: string, name: string): SimWorkload | undefined;
  workloads(): readonly SimWorkload[];
  memberIndex(namespace: string, name: string): number | undefined;
  engine: NetpolEngine;
  peerAuthentications: readonly PeerAuthentication[];
}

type EdgeEnd = { namespace: string; workload: string } | { ip: string };

export interface EdgeSpec {
  from: EdgeEnd;
  to: EdgeEnd;
  port: number;
  protocol: Protocol;
  /** New connections per second at the busiest hour. */
  perSecond: number;
  pattern: UsagePattern | 'bursty';
  bytesPerConnection: number;
  /** For an end outside the mesh and cluster: what is known of the connection's encryption. */
  externalTls?: 'plaintext' | 'unknown';
}

const w = (namespace: string, workload: string) => ({ namespace, workload });

const PAYMENT_GATEWAY = '203.0.113.10';
const CDN = '203.0.113.50';
const SHIPPING_API = '198.51.100.200';
const PYPI_MIRROR = '203.0.113.80';
const UPSTREAM_DNS = '1.1.1.1';
/** Stratum ports of common Monero pools; the addresses are documentation ranges. */
export const MINING_POOLS = [
  { ip: '198.51.100.23', port: 3333 },
  { ip: '198.51.100.24', port: 14444 },
];
const INTERNET_CLIENTS = ['192.0.2.14', '192.0.2.77', '192.0.2.130', '192.0.2.201'];

/** The application call graph; DNS lookups of every workload are added per tick. */
export const CALL_GRAPH: readonly EdgeSpec[] = [
  ...INTERNET_CLIENTS.map(
    (ip): EdgeSpec => ({ from: { ip }, to: w('istio-system', 'istio-ingressgateway'), port: 8443, protocol: 'TCP', perSecond: 9, pattern: 'diurnal', bytesPerConnection: 18_000, externalTls: 'unknown' }),
  ),
  { from: w('istio-system', 'istio-ingressgateway'), to: w('payments', 'frontend'), port: 8080, protocol: 'TCP', perSecond: 14, pattern: 'diurnal', bytesPerConnection: 9_000 },
  { from: w('istio-system', 'istio-ingressgateway'), to: w('storefront', 'web'), port: 8080, protocol: 'TCP', perSecond: 22, pattern: 'diurnal', bytesPerConnection: 24_000 },
  { from: w('istio-system', 'istio-ingressgateway'), to: w('analytics', 'dashboards'), port: 3000, protocol: 'TCP', perSecond: 2, pattern: 'idle-at-night', bytesPerConnection: 60_000 },
  { from: w('istio-system', 'istio-ingressgateway'), to: w('sandbox-students', 'jupyterhub'), port: 8000, protocol: 'TCP', perSecond: 3, pattern: 'diurnal', bytesPerConnection: 12_000 },
  // payments: the checkout path, all mutual TLS except the database port.
  { from: w('payments', 'frontend'), to: w('payments', 'order-service'), port: 8080, protocol: 'TCP', perSecond: 12, pattern: 'diurnal', bytesPerConnection: 4_000 },
  { from: w('payments', 'order-service'), to: w('payments', 'payment-service'), port: 8443, protocol: 'TCP', perSecond: 6, pattern: 'diurnal', bytesPerConnection: 3_000 },
  { from: w('payments', 'payment-service'), to: w('payments', 'postgres'), port: 5432, protocol: 'TCP', perSecond: 10, pattern: 'diurnal', bytesPerConnection: 6_000 },
  { from: w('payments', 'payment-service'), to: { ip: PAYMENT_GATEWAY }, port: 443, protocol: 'TCP', perSecond: 3, pattern: 'diurnal', bytesPerConnection: 5_000, externalTls: 'unknown' },
  // storefront: in the mesh but permissive; checkout is half-way through getting sidecars.
  { from: w('storefront', 'web'), to: w('storefront', 'catalog'), port: 8080, protocol: 'TCP', perSecond: 25, pattern: 'diurnal', bytesPerConnection: 15_000 },
  { from: w('storefront', 'web'), to: w('storefront', 'checkout'), port: 8080, protocol: 'TCP', perSecond: 5, pattern: 'diurnal', bytesPerConnection: 6_000 },
  { from: w('storefront', 'checkout'), to: w('storefront', 'catalog'), port: 8080, protocol: 'TCP', perSecond: 3, pattern: 'diurnal', bytesPerConnection: 2_000 },
  { from: w('storefront', 'checkout'), to: w('payments', 'payment-service'), port: 8443, protocol: 'TCP', perSecond: 4, pattern: 'diurnal', bytesPerConnection: 3_000 },
  { from: w('storefront', 'web'), to: { ip: CDN }, port: 443, protocol: 'TCP', perSecond: 2, pattern: 'diurnal', bytesPerConnection: 80_000, externalTls: 'unknown' },
  { from: w('storefront', 'checkout'), to: { ip: SHIPPING_API }, port: 443, protocol: 'TCP', perSecond: 1, pattern: 'diurnal', bytesPerConnection: 2_500, externalTls: 'unknown' },
  { from: w('storefront', 'web'), to: w('analytics', 'ingest'), port: 8080, protocol: 'TCP', perSecond: 15, pattern: 'diurnal', bytesPerConnection: 1_200 },
  // analytics: its own pipeline, plus reaching into payments.
  { from: w('analytics', 'spark-worker'), to: w('analytics', 'ingest'), port: 9092, protocol: 'TCP', perSecond: 8, pattern: 'steady', bytesPerConnection: 400_000 },
  { from: w('analytics', 'spark-worker'), to: w('analytics', 'spark-worker'), port: 7077, protocol: 'TCP', perSecond: 4, pattern: 'steady', bytesPerConnection: 1_000_000 },
  { from: w('analytics', 'dashboards'), to: w('analytics', 'spark-worker'), port: 10000, protocol: 'TCP', perSecond: 2, pattern: 'idle-at-night', bytesPerConnection: 50_000 },
  { from: w('analytics', 'spark-worker'), to: w('storefront', 'catalog'), port: 8080, protocol: 'TCP', perSecond: 2, pattern: 'steady', bytesPerConnection: 30_000 },
  { from: w('analytics', 'dashboards'), to: w('payments', 'order-service'), port: 9090, protocol: 'TCP', perSecond: 1, pattern: 'steady', bytesPerConnection: 8_000 },
  { from: w('analytics', 'ingest'), to: w('payments', 'payment-service'), port: 8443, protocol: 'TCP', perSecond: 1, pattern: 'steady', bytesPerConnection: 0 },
  { from: w('analytics', 'spark-worker'), to: w('payments', 'postgres'), port: 5432, protocol: 'TCP', perSecond: 0.5, pattern: 'steady', bytesPerConnection: 0 },
  // sandbox: notebooks, and the miner with its pool connections and a little scanning.
  { from: w('sandbox-students', 'jupyterhub'), to: w('sandbox-students', 'lab-notebooks'), port: 8888, protocol: 'TCP', perSecond: 2, pattern: 'idle-at-night', bytesPerConnection: 20_000 },
  { from: w('sandbox-students', 'lab-notebooks'), to: { ip: PYPI_MIRROR }, port: 443, protocol: 'TCP', perSecond: 1, pattern: 'bursty', bytesPerConnection: 2_000_000, externalTls: 'unknown' },
  ...MINING_POOLS.map(
    (pool): EdgeSpec => ({ from: w('sandbox-students', 'cuda-trainer'), to: { ip: pool.ip }, port: pool.port, protocol: 'TCP', perSecond: 2, pattern: 'steady', bytesPerConnection: 1_500, externalTls: 'plaintext' }),
  ),
  { from: w('sandbox-students', 'cuda-trainer'), to: w('payments', 'postgres'), port: 5432, protocol: 'TCP', perSecond: 3, pattern: 'bursty', bytesPerConnection: 0 },
  { from: w('sandbox-students', 'cuda-trainer'), to: w('storefront', 'catalog'), port: 6379, protocol: 'TCP', perSecond: 3, pattern: 'bursty', bytesPerConnection: 0 },
  { from: w('kube-system', 'coredns'), to: { ip: UPSTREAM_DNS }, port: 53, protocol: 'UDP', perSecond: 4, pattern: 'diurnal', bytesPerConnection: 180, externalTls: 'plaintext' },
];

const DNS = w('kube-system', 'coredns');

/** Every running workload resolves names through kube-dns, mostly over UDP. */
function dnsEdges(view: TrafficView): EdgeSpec[] {
  const out: EdgeSpec[] = [];
  for (const wl of view.workloads()) {
    if (wl.namespace === DNS.namespace && wl.name === DNS.workload) continue;
    const from = w(wl.namespace, wl.name);
    out.push({ from, to: DNS, port: 53, protocol: 'UDP', perSecond: 0.6 * Math.max(1, wl.replicas), pattern: 'diurnal', bytesPerConnection: 160 });
    if (wl.labels.app === 'postgres' || wl.labels.app === 'ingest') out.push({ from, to: DNS, port: 53, protocol: 'TCP', perSecond: 0.5, pattern: 'steady', bytesPerConnection: 600 });
  }
  return out;
}

export function edgesFor(view: TrafficView): EdgeSpec[] {
  return [...CALL_GRAPH, ...dnsEdges(view)];
}

function endLabel(end: EdgeEnd): string {
  return 'ip' in end ? end.ip : `${end.namespace}/${end.workload}`;
}

export function edgeId(e: EdgeSpec): string {
  return `${endLabel(e.from)}>${endLabel(e.to)}:${e.port}/${e.protocol}`;
}

interface Bucket {
  mtls: MtlsState;
  verdict: FlowObservation['verdict'];
  count: number;
}

/** How the edge's connections split by mTLS state and verdict, given sidecars and the destination's mode. */
export function splitByMesh(view: TrafficView, e: EdgeSpec, count: number, source: SimWorkload | null, destination: SimWorkload | null): Bucket[] {
  // Outside the mesh at one end (the internet, or clients reaching the ingress gateway's
  // public listener): the mesh knows only what the edge's protocol says.
  if (destination === null || source === null) return [{ mtls: e.externalTls ?? 'unknown', verdict: 'allowed', count }];
  const s = source.meshShare;
  const d = destination.meshShare;
  const mode = resolveMtls(view.peerAuthentications, destination, e.port).mode;
  if (mode === 'DISABLE' || d === 0) {
    // No sidecar to terminate mTLS, or told not to.
    return [{ mtls: 'plaintext', verdict: 'allowed', count }];
  }
  const mutual = Math.round(count * s * d);
  const plainIntoSidecar = Math.round(count * (1 - s) * d);
  const plainNoSidecar = Math.max(0, count - mutual - plainIntoSidecar);
  const buckets: Bucket[] = [];
  if (mutual > 0) buckets.push({ mtls: 'mutual', verdict: 'allowed', count: mutual });
  // STRICT: the destination's sidecar refuses plaintext from a source without one.
  if (mode === 'STRICT') {
    if (plainIntoSidecar > 0) buckets.push({ mtls: 'plaintext', verdict: 'dropped', count: plainIntoSidecar });
    if (plainNoSidecar > 0) buckets.push({ mtls: 'plaintext', verdict: 'allowed', count: plainNoSidecar });
  } else if (plainIntoSidecar + plainNoSidecar > 0) {
    buckets.push({ mtls: 'plaintext', verdict: 'allowed', count: plainIntoSidecar + plainNoSidecar });
  }
  return buckets;
}

/**
 * The observations of one tick ending at `time`, `periodMs` long. A pure function of the
 * seed, the time and the cluster's state: the same inputs give the same observations.
 */
export function generateFlows(view: TrafficView, seed: string | number, time: Date, periodMs: number): FlowObservation[] {
  const seconds = periodMs / 1000;
  const out: FlowObservation[] = [];
  for (const e of edgesFor(view)) {
    const id = edgeId(e);
    const rng = Rng.for(seed, 'flow', time.getTime(), id);
    const level = activity(e.pattern, time);
    if (level === 0) continue;
    if (e.pattern === 'bursty' && rng.next() > 0.3) continue;
    const source = 'ip' in e.from ? null : view.workload(e.from.namespace, e.from.workload);
    const destination = 'ip' in e.to ? null : view.workload(e.to.namespace, e.to.workload);
    // No pods, no connections (a scaled-down destination has no endpoints to connect to).
    if (source === undefined || destination === undefined) continue;
    if ((source && source.replicas === 0) || (destination && destination.replicas === 0)) continue;
    const count = Math.floor(e.perSecond * seconds * level * rng.between(0.8, 1.2) + rng.next());
    if (count < 1) continue;

    const srcEnd: FlowEndpoint = 'ip' in e.from ? { ip: e.from.ip } : { namespace: e.from.namespace, workload: e.from.workload };
    const dstEnd: FlowEndpoint = 'ip' in e.to ? { ip: e.to.ip } : { namespace: e.to.namespace, workload: e.to.workload };
    const endpoint = (end: EdgeEnd) => {
      if ('ip' in end) return { ip: end.ip };
      const member = view.memberIndex(end.namespace, end.workload);
      return member === undefined ? null : { member };
    };
    const src = endpoint(e.from);
    const dst = endpoint(e.to);
    if (!src || !dst) continue;
    const allowed = view.engine.allows({ source: src, destination: dst, port: e.port, protocol: e.protocol });
    const buckets: Bucket[] = allowed
      ? splitByMesh(view, e, count, source, destination)
      : // Dropped by the CNI before any handshake: nothing is known about TLS.
        [{ mtls: 'unknown', verdict: 'denied', count }];
    for (const b of buckets) {
      const bytes = b.verdict === 'allowed' ? Math.round(b.count * e.bytesPerConnection * rng.between(0.7, 1.3)) : b.count * 60;
      out.push({ time, source: srcEnd, destination: dstEnd, port: e.port, protocol: e.protocol, mtls: b.mtls, verdict: b.verdict, count: b.count, bytes });
    }
  }
  return out;
}
