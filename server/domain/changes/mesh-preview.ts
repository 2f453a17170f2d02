// The preview of a PeerAuthentication change: the STRICT-readiness list (the observed
// plaintext connections the change would start rejecting, from the graph's one readiness
// implementation, asked with the modes the change leaves), and every workload whose
// effective mode changes. Pure: the live and proposed PeerAuthentications, workloads and the
// window's flow aggregates (with their mTLS state) come in.
import { strictReadiness, type ReadinessItem } from '../graph/strict-readiness';
import { workloadEdges } from '../graph/build-graph';
import type { Visibility } from '../graph/endpoints';
import type { FlowAggregate, ModeOf } from '../graph/model';
import { DEFAULT_ROOT_NAMESPACE, readPeerAuthentication, resolveMtls, type PeerAuthentication } from '../netpol/mesh-posture';
import type { Workload } from '../netpol/model';
import { type ChangeOperation, objectKeyString } from './change-objects';

export interface MeshPreview {
  /** Namespaces whose modes the change can alter (every namespace for a mesh-wide policy). */
  namespaces: string[];
  /** Plaintext connections seen in the window that the change makes STRICT reject. */
  breaking: ReadinessItem[];
  /** Plaintext into ports that are STRICT before and after: rejected today already. */
  alreadyRejected: ReadinessItem[];
  /** Workloads (and ports) whose effective mode changes. */
  modeChanges: { workload: string; port: number | null; before: string; after: string }[];
  window: { from: string; to: string };
}

export interface MeshPreviewInput {
  operations: readonly ChangeOperation[];
  /** Every PeerAuthentication object of the cluster, live. */
  peerAuthentications: readonly Record<string, unknown>[];
  workloads: readonly Workload[];
  flows: readonly FlowAggregate[];
  /** Namespaces the reader may see by name; others are shown as "another tenant". null: all. */
  visibleNamespaces: ReadonlySet<string> | null;
  window: { from: Date; to: Date };
}

const parse = (o: Record<string, unknown>) => readPeerAuthentication(o).policy;
const keyOf = (p: { namespace: string; name: string }) => objectKeyString({ kind: 'PeerAuthentication', namespace: p.namespace, name: p.name });

export function meshPreview(input: MeshPreviewInput): MeshPreview | null {
  const ops = input.operations.filter((o) => o.key.kind === 'PeerAuthentication');
  if (ops.length === 0) return null;
  const current = input.peerAuthentications.map(parse).filter((p): p is PeerAuthentication => p !== null);
  const changed = new Set(ops.map((o) => objectKeyString(o.key)));
  const proposed = [
    ...current.filter((p) => !changed.has(keyOf(p))),
    // A policy the change creates is the newest: an older one at the same level keeps precedence.
    ...ops.flatMap((o) => (o.action === 'apply' ? [parse(o.object)].filter((p): p is PeerAuthentication => p !== null) : [])).map((p) => ({ ...p, creationTimestamp: p.creationTimestamp ?? current.find((c) => keyOf(c) === keyOf(p))?.creationTimestamp ?? input.window.to.toISOString() })),
  ];
  const labels = new Map(input.workloads.map((w) => [`${w.namespace}/${w.name}`, w.labels]));
  const modeOf =
    (set: readonly PeerAuthentication[]) =>
    (namespace: string, workload: string, port?: number) =>
      resolveMtls(set, { namespace, labels: labels.get(`${namespace}/${workload}`) ?? {} }, port).mode;
  const before: ModeOf & ((ns: string, wl: string) => string) = modeOf(current);
  const after: ModeOf & ((ns: string, wl: string) => string) = modeOf(proposed);

  const meshWide = ops.some((o) => o.key.namespace === DEFAULT_ROOT_NAMESPACE);
  const namespaces = [...new Set(meshWide ? input.workloads.map((w) => w.namespace) : ops.map((o) => o.key.namespace!))].sort();
  const visible = input.visibleNamespaces;
  const visibility: Visibility = { allTenants: visible === null, tenantOfNamespace: new Map([...(visible ?? [])].map((n) => [n, { id: n, slug: n, name: n }])) };
  const edges = workloadEdges(input.flows, visibility, before);
  const breaking: ReadinessItem[] = [];
  const alreadyRejected: ReadinessItem[] = [];
  for (const namespace of namespaces) {
    if (visible && !visible.has(namespace)) continue;
    const r = strictReadiness(edges, { namespace }, before, after);
    breaking.push(...r.breaking);
    alreadyRejected.push(...r.alreadyRejected);
  }
  const modeChanges: MeshPreview['modeChanges'] = [];
  for (const w of input.workloads) {
    if (!namespaces.includes(w.namespace) || (visible && !visible.has(w.namespace))) continue;
    const b = before(w.namespace, w.name);
    const a = after(w.namespace, w.name);
    if (a !== b) modeChanges.push({ workload: `${w.namespace}/${w.name}`, port: null, before: b, after: a });
    for (const p of w.ports) {
      const pb = before(w.namespace, w.name, p.port);
      const pa = after(w.namespace, w.name, p.port);
      if ((pb !== b || pa !== a) && pa !== pb) modeChanges.push({ workload: `${w.namespace}/${w.name}`, port: p.port, before: pb, after: pa });
    }
  }
  const order = (x: ReadinessItem, y: ReadinessItem) => y.plaintext - x.plaintext || x.sourceLabel.localeCompare(y.sourceLabel) || x.port - y.port;
  return { namespaces, breaking: breaking.sort(order), alreadyRejected: alreadyRejected.sort(order), modeChanges, window: { from: input.window.from.toISOString(), to: input.window.to.toISOString() } };
}
