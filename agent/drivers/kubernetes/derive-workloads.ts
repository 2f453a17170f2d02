// Pure: folds pods into the workloads the console reasons about (pods grouped by their
// top-level owner, ReplicaSets into Deployments and Jobs into CronJobs). No I/O.
import { createHash } from 'node:crypto';
import type { InventoryItem, WorkloadObject } from '../../protocol/messages';
import { sumResourceMaps } from '../../../server/domain/quotas/quantity';

export interface OwnerRef {
  kind: string;
  name: string;
  controller?: boolean;
}

/** The parts of a pod the derivation reads. */
export interface PodLike {
  metadata?: { name?: string; namespace?: string; labels?: Record<string, string>; ownerReferences?: OwnerRef[] };
  spec?: {
    serviceAccountName?: string;
    containers?: Array<{
      ports?: Array<{ name?: string; containerPort?: number; protocol?: string }>;
      resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
    }>;
  };
  status?: { phase?: string; podIP?: string; podIPs?: Array<{ ip?: string }>; conditions?: Array<{ type?: string; status?: string }> };
}

/** ReplicaSet and Job owners by "namespace/name": the controller that owns them, if any. */
export interface OwnerIndex {
  replicaSets: Map<string, OwnerRef | null>;
  jobs: Map<string, OwnerRef | null>;
}

export interface WorkloadKey {
  namespace: string;
  name: string;
  ownerKind: string;
}

// Labels that differ per pod or per revision: never what a policy means to select a workload by.
const PER_POD_LABELS = new Set([
  'pod-template-hash',
  'controller-revision-hash',
  'statefulset.kubernetes.io/pod-name',
  'apps.kubernetes.io/pod-index',
  'batch.kubernetes.io/job-completion-index',
]);

function controllerOf(refs: OwnerRef[] | undefined): OwnerRef | null {
  if (!refs || refs.length === 0) return null;
  return refs.find((r) => r.controller) ?? refs[0] ?? null;
}

export function ownerOfController(refs: OwnerRef[] | undefined): OwnerRef | null {
  return controllerOf(refs);
}

/** The workload a pod belongs to. */
export function workloadKeyOf(pod: PodLike, owners: OwnerIndex): WorkloadKey {
  const namespace = pod.metadata?.namespace ?? '';
  const podName = pod.metadata?.name ?? '';
  const owner = controllerOf(pod.metadata?.ownerReferences);
  if (!owner) return { namespace, name: podName, ownerKind: 'Pod' };
  if (owner.kind === 'ReplicaSet') {
    const top = owners.replicaSets.get(`${namespace}/${owner.name}`);
    if (top) return { namespace, name: top.name, ownerKind: top.kind };
  } else if (owner.kind === 'Job') {
    const top = owners.jobs.get(`${namespace}/${owner.name}`);
    if (top) return { namespace, name: top.name, ownerKind: top.kind };
  }
  return { namespace, name: owner.name, ownerKind: owner.kind };
}

export function workloadId(key: { namespace: string; name: string }): string {
  return `${key.namespace}/${key.name}`;
}

function isTerminal(pod: PodLike): boolean {
  return pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed';
}

function isReady(pod: PodLike): boolean {
  return (pod.status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True');
}

function commonLabels(pods: PodLike[]): Record<string, string> {
  const [first, ...rest] = pods;
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(first?.metadata?.labels ?? {})) {
    if (PER_POD_LABELS.has(k)) continue;
    if (rest.every((p) => p.metadata?.labels?.[k] === v)) out[k] = v;
  }
  return out;
}

/**
 * One workload from its pods (all of one key). Terminal pods keep the workload known but
 * count neither as replicas nor for IPs: their addresses may already belong to another pod.
 */
export function deriveWorkload(key: WorkloadKey, podsOfOwner: PodLike[]): WorkloadObject {
  const pods = [...podsOfOwner].sort((a, b) => (a.metadata?.name ?? '').localeCompare(b.metadata?.name ?? ''));
  const live = pods.filter((p) => !isTerminal(p));
  const ips = new Set<string>();
  for (const p of live) {
    for (const ip of p.status?.podIPs ?? []) if (ip.ip) ips.add(ip.ip);
    if (p.status?.podIP) ips.add(p.status.podIP);
  }
  const ports = new Map<string, WorkloadObject['ports'][number]>();
  for (const p of pods) {
    for (const c of p.spec?.containers ?? []) {
      for (const port of c.ports ?? []) {
        if (!port.containerPort) continue;
        const protocol = (port.protocol ?? 'TCP') as 'TCP' | 'UDP' | 'SCTP';
        const id = `${port.containerPort}/${protocol}/${port.name ?? ''}`;
        if (!ports.has(id)) ports.set(id, { ...(port.name ? { name: port.name } : {}), port: port.containerPort, protocol });
      }
    }
  }
  const template = live[0] ?? pods[0];
  const requests = sumResourceMaps((template?.spec?.containers ?? []).map((c) => c.resources?.requests ?? {}));
  const limits = sumResourceMaps((template?.spec?.containers ?? []).map((c) => c.resources?.limits ?? {}));
  const resources: NonNullable<WorkloadObject['resources']> = {};
  if (Object.keys(requests).length) resources.requests = requests;
  if (Object.keys(limits).length) resources.limits = limits;
  return {
    namespace: key.namespace,
    name: key.name,
    ownerKind: key.ownerKind,
    labels: commonLabels(pods),
    ips: [...ips].sort(),
    ports: [...ports.values()].sort((a, b) => a.port - b.port || a.protocol.localeCompare(b.protocol)),
    serviceAccount: template?.spec?.serviceAccountName || 'default',
    replicas: live.length,
    readyReplicas: live.filter(isReady).length,
    ...(Object.keys(resources).length ? { resources } : {}),
  };
}

/**
 * A workload has no resourceVersion of its own; a digest of its derived content stands in,
 * so the console (and the watch) can tell when what it knows about the workload changed.
 */
export function workloadItem(w: WorkloadObject): InventoryItem {
  const digest = createHash('sha256').update(JSON.stringify(w)).digest('hex').slice(0, 16);
  return { kind: 'Workload', namespace: w.namespace, name: w.name, resourceVersion: `derived-${digest}`, object: w as unknown as Record<string, unknown> };
}

/** Groups pods into workloads. */
export function deriveWorkloads(pods: PodLike[], owners: OwnerIndex): WorkloadObject[] {
  const groups = new Map<string, { key: WorkloadKey; pods: PodLike[] }>();
  for (const pod of pods) {
    const key = workloadKeyOf(pod, owners);
    const id = workloadId(key);
    const g = groups.get(id);
    if (g) g.pods.push(pod);
    else groups.set(id, { key, pods: [pod] });
  }
  return [...groups.values()]
    .map((g) => deriveWorkload(g.key, g.pods))
    .sort((a, b) => a.namespace.localeCompare(b.namespace) || a.name.localeCompare(b.name));
}
