// The simulated cluster's state: an in-memory API server (objects, resourceVersions,
// server-side apply), the pods behind each Deployment and StatefulSet, the controllers that
// move things over time (an autoscaler, the quota controller) and the views the traffic and
// usage models read. Pure apart from the clock values it is handed.
import type { InventoryDelta, LiveVersion } from '../cluster-driver';
import type { BundleOperation, InventoryItem, InventoryRef, ObjectRef, OperationResult, WorkloadObject } from '../../protocol/messages';
import {
  NetpolEngine,
  formatProblem,
  readNetworkPolicy,
  readPeerAuthentication,
  type NetworkPolicy,
  type PeerAuthentication,
  type Problem,
} from '../../../server/domain/netpol/index';
import { formatIssue, validateObject } from '../../../server/domain/rbac/index';
import { activity, dayLevel } from './activity';
import { DEFAULT_PROFILE, INITIAL_MANAGER, INJECTION_LABEL, buildBlueprint, workloadKey, type WorkloadProfile } from './cluster-blueprint';
import { applyFields, clone, jsonEqual, ownedBy, ownsField, transferField, type FieldOwners, type JsonObject } from './field-ownership';
import { KINDS, SUPPORTED_KINDS, WORKLOAD_KINDS, groupOf, storeKey, type KindInfo } from './kinds';
import { Rng, deterministicUuid, keyOf } from './prng';
import { formatQuantity, parseQuantity } from '../../../server/domain/quotas/quantity';
import { generateFlows, type SimWorkload, type TrafficView } from './traffic';
import type { FlowObservation } from '../cluster-driver';
import { applyMergePatch, dropEmptyAnnotations } from '../../workload-sleep';

export const AUTOSCALER_MANAGER = 'horizontal-pod-autoscaler';
const TLS_MODE_LABEL = 'security.istio.io/tlsMode';
// In nano-units, as the exact quantity module keeps them (10^9 = one core, one byte).
const SIDECAR = { cpu: [100_000_000n, 500_000_000n], memory: [128n * 2n ** 20n * 1_000_000_000n, 256n * 2n ** 20n * 1_000_000_000n] } as const;
const PROTECTED_NAMESPACES = new Set(['default', 'kube-system', 'kube-public']);
const SERVER_METADATA = ['uid', 'resourceVersion', 'generation', 'creationTimestamp', 'managedFields', 'deletionTimestamp', 'selfLink'];

interface Stored {
  info: KindInfo;
  namespace: string | null;
  name: string;
  object: JsonObject;
  owners: FieldOwners;
}

/** CPU and memory a workload uses at one moment, summed over its pods. */
export interface WorkloadUsage {
  namespace: string;
  workload: string;
  /** Deployment or StatefulSet. */
  kind: string;
  replicas: number;
  cpuMillicores: number;
  memoryBytes: number;
  cpuRequestMillicores: number;
  cpuLimitMillicores: number;
  memoryRequestBytes: number;
  memoryLimitBytes: number;
}

/** Nano-units (see server/domain/quotas/quantity.ts): sums stay exact. */
interface PodResources {
  cpu: [request: bigint, limit: bigint];
  memory: [request: bigint, limit: bigint];
}

const nanosOf = (q: string | undefined): bigint => {
  if (q === undefined) return 0n;
  const r = parseQuantity(q);
  return r.ok ? r.quantity.nanos : 0n;
};
const formatCpu = (nanos: bigint) => formatQuantity({ nanos, format: 'DecimalSI' });
const formatMemory = (nanos: bigint) => formatQuantity({ nanos, format: 'BinarySI' });

class ApplyFailure extends Error {}

const isMap = (v: unknown): v is JsonObject => typeof v === 'object' && v !== null && !Array.isArray(v);
const meta = (o: JsonObject): JsonObject => (isMap(o.metadata) ? o.metadata : {});
const stringMap = (v: unknown): Record<string, string> => {
  const out: Record<string, string> = {};
  if (isMap(v)) for (const [k, x] of Object.entries(v)) if (typeof x === 'string') out[k] = x;
  return out;
};
const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

function isoSeconds(time: Date): string {
  return time.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

const ITEM_KIND_ORDER = ['Namespace', 'ServiceAccount', 'Workload', 'NetworkPolicy', 'Role', 'ClusterRole', 'RoleBinding', 'ClusterRoleBinding', 'ResourceQuota', 'PeerAuthentication'];

function itemKey(i: InventoryRef): string {
  return `${i.kind}/${i.namespace ?? ''}/${i.name}`;
}

function compareItems(a: InventoryRef, b: InventoryRef): number {
  return ITEM_KIND_ORDER.indexOf(a.kind) - ITEM_KIND_ORDER.indexOf(b.kind) || (a.namespace ?? '').localeCompare(b.namespace ?? '') || a.name.localeCompare(b.name);
}

export class SimCluster {
  private readonly objects = new Map<string, Stored>();
  private readonly profiles: Map<string, WorkloadProfile>;
  private readonly podIps = new Map<string, string>();
  private readonly nodeNextHost: number[] = [2, 2, 2];
  private version = 0;
  private auditCounter = 0;
  private viewCache: { version: number; view: TrafficView & { policies: NetworkPolicy[] } } | null = null;

  constructor(
    readonly seed: string | number,
    start: Date,
  ) {
    const blueprint = buildBlueprint();
    this.profiles = blueprint.profiles;
    for (const manifest of blueprint.manifests) {
      const info = KINDS.get(manifest.kind)!;
      const namespace = info.namespaced ? manifest.metadata.namespace! : null;
      // Objects were created over the past year; namespaces first.
      const ageDays = info.kind === 'Namespace' ? 400 : 30 + (keyOf(seed, 'age', manifest.kind, namespace ?? '', manifest.metadata.name) % 300);
      const created = new Date(start.getTime() - ageDays * 86_400_000);
      const user = clone(manifest) as JsonObject;
      let owners = ownedBy(INITIAL_MANAGER, user);
      if (WORKLOAD_KINDS.has(info.kind) && this.profileOf(namespace!, manifest.metadata.name).autoscale) {
        owners = transferField(owners, ['spec', 'replicas'], AUTOSCALER_MANAGER);
      }
      this.write(info, namespace, manifest.metadata.name, user, owners, created, undefined);
    }
    this.sync(start);
  }

  // ---- reading -------------------------------------------------------------------------

  private get(kind: string, namespace: string | null, name: string): Stored | undefined {
    return this.objects.get(storeKey(kind, namespace, name));
  }

  private list(kind: string): Stored[] {
    return [...this.objects.values()].filter((s) => s.info.kind === kind);
  }

  private profileOf(namespace: string, name: string): WorkloadProfile {
    return this.profiles.get(workloadKey(namespace, name)) ?? DEFAULT_PROFILE;
  }

  private namespaceLabels(name: string): Record<string, string> {
    const ns = this.get('Namespace', null, name);
    return ns ? stringMap(meta(ns.object).labels) : {};
  }

  /** Every inventory item, in a stable order. */
  items(): InventoryItem[] {
    const out: InventoryItem[] = [];
    for (const s of this.objects.values()) {
      const rv = (meta(s.object).resourceVersion as string | undefined) ?? null;
      if (WORKLOAD_KINDS.has(s.info.kind)) {
        out.push({ kind: 'Workload', namespace: s.namespace, name: s.name, resourceVersion: rv, object: this.workloadObject(s) as unknown as JsonObject });
      } else {
        out.push({ kind: s.info.kind as InventoryItem['kind'], namespace: s.namespace, name: s.name, resourceVersion: rv, object: clone(s.object) });
      }
    }
    return out.sort(compareItems);
  }

  liveVersions(refs: ObjectRef[]): LiveVersion[] {
    return refs.map((ref) => {
      const info = KINDS.get(ref.kind);
      if (!info || groupOf(ref.apiVersion) !== groupOf(info.apiVersion)) return { ref, resourceVersion: null };
      const s = this.get(ref.kind, info.namespaced ? ref.namespace : null, ref.name);
      return { ref, resourceVersion: s ? (meta(s.object).resourceVersion as string) : null };
    });
  }

  // ---- workloads and their pods --------------------------------------------------------

  private podTemplate(s: Stored): { labels: Record<string, string>; spec: JsonObject; annotations: Record<string, string> } {
    const spec = isMap(s.object.spec) ? s.object.spec : {};
    const template = isMap(spec.template) ? spec.template : {};
    const tmeta = isMap(template.metadata) ? template.metadata : {};
    return { labels: stringMap(tmeta.labels), annotations: stringMap(tmeta.annotations), spec: isMap(template.spec) ? template.spec : {} };
  }

  private replicasOf(s: Stored): number {
    const spec = isMap(s.object.spec) ? s.object.spec : {};
    return typeof spec.replicas === 'number' ? spec.replicas : 1;
  }

  /** Share of the workload's pods that run an Istio sidecar. */
  private meshShare(s: Stored): number {
    const t = this.podTemplate(s);
    if (t.labels[TLS_MODE_LABEL] === 'istio') return 1;
    const optedOut = t.labels['sidecar.istio.io/inject'] === 'false' || t.annotations['sidecar.istio.io/inject'] === 'false';
    const injected = this.namespaceLabels(s.namespace!)[INJECTION_LABEL] === 'enabled' && !optedOut;
    if (!injected) return 0;
    return this.profileOf(s.namespace!, s.name).meshShare ?? 1;
  }

  private podLabels(s: Stored): Record<string, string> {
    const t = this.podTemplate(s);
    const labels = { ...t.labels };
    // What the injector adds; only when every pod has it, since the workload stands for all of them.
    if (this.meshShare(s) === 1 && labels[TLS_MODE_LABEL] === undefined) {
      labels[TLS_MODE_LABEL] = 'istio';
      labels['service.istio.io/canonical-name'] = labels.app ?? labels['app.kubernetes.io/name'] ?? s.name;
    }
    return labels;
  }

  private containers(s: Stored): JsonObject[] {
    const cs = this.podTemplate(s).spec.containers;
    return Array.isArray(cs) ? cs.filter(isMap) : [];
  }

  /** Requests and limits of one application pod (without a sidecar). */
  private appPodResources(s: Stored): PodResources {
    const r: PodResources = { cpu: [0n, 0n], memory: [0n, 0n] };
    for (const c of this.containers(s)) {
      const res = isMap(c.resources) ? c.resources : {};
      const req = stringMap(res.requests);
      const lim = stringMap(res.limits);
      r.cpu[0] += nanosOf(req.cpu);
      r.cpu[1] += nanosOf(lim.cpu);
      r.memory[0] += nanosOf(req.memory);
      r.memory[1] += nanosOf(lim.memory);
    }
    return r;
  }

  /** Requests and limits summed over all the workload's pods, sidecars included. */
  private totalResources(s: Stored): PodResources & { pods: number } {
    const pods = this.replicasOf(s);
    const app = this.appPodResources(s);
    const withSidecar = Math.round(pods * this.meshShare(s));
    const sum = (a: readonly bigint[], side: readonly bigint[], i: 0 | 1) => BigInt(pods) * a[i]! + BigInt(withSidecar) * side[i]!;
    return { pods, cpu: [sum(app.cpu, SIDECAR.cpu, 0), sum(app.cpu, SIDECAR.cpu, 1)], memory: [sum(app.memory, SIDECAR.memory, 0), sum(app.memory, SIDECAR.memory, 1)] };
  }

  private podIp(namespace: string, name: string, index: number): string {
    const key = `${namespace}/${name}/${index}`;
    let ip = this.podIps.get(key);
    if (!ip) {
      const node = keyOf(this.seed, 'node', key) % this.nodeNextHost.length;
      const n = this.nodeNextHost[node]!++;
      // 10.244.<node>.0/24 per node as kubeadm + flannel would hand out; spill into the next /24s.
      ip = `10.244.${node + 3 * Math.floor((n - 2) / 253)}.${2 + ((n - 2) % 253)}`;
      this.podIps.set(key, ip);
    }
    return ip;
  }

  private workloadObject(s: Stored): WorkloadObject {
    const replicas = this.replicasOf(s);
    const ports: WorkloadObject['ports'] = [];
    for (const c of this.containers(s)) {
      for (const p of Array.isArray(c.ports) ? c.ports.filter(isMap) : []) {
        if (typeof p.containerPort !== 'number') continue;
        const protocol = p.protocol === 'UDP' || p.protocol === 'SCTP' ? p.protocol : 'TCP';
        ports.push({ ...(typeof p.name === 'string' ? { name: p.name } : {}), port: p.containerPort, protocol });
      }
    }
    const app = this.appPodResources(s);
    const perPod = this.meshShare(s) === 1 ? { cpu: [app.cpu[0] + SIDECAR.cpu[0], app.cpu[1] + SIDECAR.cpu[1]], memory: [app.memory[0] + SIDECAR.memory[0], app.memory[1] + SIDECAR.memory[1]] } : app;
    const sa = this.podTemplate(s).spec.serviceAccountName;
    return {
      namespace: s.namespace!,
      name: s.name,
      ownerKind: s.info.kind,
      labels: this.podLabels(s),
      ips: Array.from({ length: replicas }, (_, i) => this.podIp(s.namespace!, s.name, i)),
      ports,
      serviceAccount: typeof sa === 'string' ? sa : 'default',
      replicas,
      readyReplicas: replicas,
      resources: {
        requests: { cpu: formatCpu(perPod.cpu[0]!), memory: formatMemory(perPod.memory[0]!) },
        limits: { cpu: formatCpu(perPod.cpu[1]!), memory: formatMemory(perPod.memory[1]!) },
      },
    };
  }

  private workloadsSorted(): Stored[] {
    return [...this.objects.values()].filter((s) => WORKLOAD_KINDS.has(s.info.kind)).sort((a, b) => a.namespace!.localeCompare(b.namespace!) || a.name.localeCompare(b.name));
  }

  // ---- what traffic sees ---------------------------------------------------------------

  /** The NetworkPolicy engine and mesh posture over the objects in force now (rebuilt after any change). */
  view(): TrafficView & { policies: NetworkPolicy[] } {
    if (this.viewCache && this.viewCache.version === this.version) return this.viewCache.view;
    const stored = this.workloadsSorted();
    const workloads: SimWorkload[] = stored.map((s) => ({ namespace: s.namespace!, name: s.name, labels: this.podLabels(s), replicas: this.replicasOf(s), meshShare: this.meshShare(s) }));
    const byKey = new Map(workloads.map((w, i) => [workloadKey(w.namespace, w.name), i]));
    const members = stored.map((s, i) => {
      const o = this.workloadObject(s);
      return { namespace: o.namespace, name: o.name, labels: workloads[i]!.labels, ips: o.ips, ports: o.ports };
    });
    const namespaces = this.list('Namespace').map((n) => ({ name: n.name, labels: stringMap(meta(n.object).labels) }));
    const policies = this.list('NetworkPolicy')
      .map((p) => readNetworkPolicy(p.object).policy)
      .filter((p): p is NetworkPolicy => p !== null);
    const peerAuthentications = this.list('PeerAuthentication')
      .map((p) => readPeerAuthentication(p.object).policy)
      .filter((p): p is PeerAuthentication => p !== null);
    const engine = new NetpolEngine({ namespaces, members, policies });
    const view = {
      engine,
      policies,
      peerAuthentications,
      workloads: () => workloads,
      workload: (namespace: string, name: string) => {
        const i = byKey.get(workloadKey(namespace, name));
        return i === undefined ? undefined : workloads[i];
      },
      memberIndex: (namespace: string, name: string) => byKey.get(workloadKey(namespace, name)),
    };
    this.viewCache = { version: this.version, view };
    return view;
  }

  flowsAt(time: Date, periodMs: number): FlowObservation[] {
    return generateFlows(this.view(), this.seed, time, periodMs);
  }

  // ---- usage ---------------------------------------------------------------------------

  usage(now: Date): WorkloadUsage[] {
    const minute = Math.floor(now.getTime() / 60_000);
    const millicores = (nanos: bigint) => Number(nanos / 1_000_000n);
    const bytes = (nanos: bigint) => Number(nanos / 1_000_000_000n);
    return this.workloadsSorted().map((s) => {
      const profile = this.profileOf(s.namespace!, s.name);
      const t = this.totalResources(s);
      const total = { pods: t.pods, cpu: [millicores(t.cpu[0]), millicores(t.cpu[1])], memory: [bytes(t.memory[0]), bytes(t.memory[1])] } as const;
      const rng = Rng.for(this.seed, 'usage', workloadKey(s.namespace!, s.name), minute);
      const level = activity(profile.pattern, now);
      let cpu: number;
      if (total.pods === 0) cpu = 0;
      else if (profile.pattern === 'pinned-at-limit') cpu = total.cpu[1] * rng.between(0.97, 1);
      else if (level === 0) cpu = total.cpu[0] * rng.between(0.01, 0.03); // idle: probes and GC only
      else cpu = Math.min(total.cpu[1] || Infinity, total.cpu[0] * profile.cpuShare * level * rng.between(0.85, 1.15));
      const memory = total.pods === 0 ? 0 : Math.min(total.memory[1] || Infinity, total.memory[0] * profile.memoryShare * (0.85 + 0.15 * level) * rng.between(0.97, 1.03));
      return {
        namespace: s.namespace!,
        workload: s.name,
        kind: s.info.kind,
        replicas: total.pods,
        cpuMillicores: Math.round(cpu),
        memoryBytes: Math.round(memory),
        cpuRequestMillicores: total.cpu[0],
        cpuLimitMillicores: total.cpu[1],
        memoryRequestBytes: total.memory[0],
        memoryLimitBytes: total.memory[1],
      };
    });
  }

  /** Each ResourceQuota's status as the quota controller last counted it. */
  quotaStatuses(): { namespace: string; name: string; hard: Record<string, string>; used: Record<string, string> }[] {
    return this.list('ResourceQuota').map((q) => {
      const status = isMap(q.object.status) ? q.object.status : {};
      return { namespace: q.namespace!, name: q.name, hard: stringMap(status.hard), used: stringMap(status.used) };
    });
  }

  // ---- writing -------------------------------------------------------------------------

  private nextVersion(): string {
    this.version += 1;
    return String(this.version);
  }

  /** Stores `user` (the object without server-set fields) with fresh server metadata and status. */
  private write(info: KindInfo, namespace: string | null, name: string, user: JsonObject, owners: FieldOwners, now: Date, live: Stored | undefined): Stored {
    const object = this.assemble(info, namespace, name, user, live, now, this.nextVersion());
    const stored: Stored = { info, namespace, name, object, owners };
    this.objects.set(storeKey(info.kind, namespace, name), stored);
    if (WORKLOAD_KINDS.has(info.kind)) this.setWorkloadStatus(stored);
    return stored;
  }

  /** The full object as the API server would return it. `resourceVersion` undefined: a dry run of a create. */
  private assemble(info: KindInfo, namespace: string | null, name: string, user: JsonObject, live: Stored | undefined, now: Date, resourceVersion: string | undefined): JsonObject {
    const m = { ...meta(user) };
    const liveMeta = live ? meta(live.object) : undefined;
    m.name = name;
    if (namespace !== null) m.namespace = namespace;
    else delete m.namespace;
    m.uid = liveMeta?.uid ?? deterministicUuid(this.seed, 'uid', info.kind, namespace ?? '', name, resourceVersion ?? `dry-${this.version}`);
    const rv = resourceVersion ?? (liveMeta?.resourceVersion as string | undefined);
    if (rv !== undefined) m.resourceVersion = rv;
    m.creationTimestamp = liveMeta?.creationTimestamp ?? isoSeconds(now);
    if (info.hasGeneration) {
      const before = typeof liveMeta?.generation === 'number' ? liveMeta.generation : 0;
      const specChanged = !live || !jsonEqual(live.object.spec, user.spec);
      m.generation = specChanged && resourceVersion !== undefined ? before + 1 : Math.max(before, 1);
    }
    const object: JsonObject = { apiVersion: info.apiVersion, kind: info.kind, ...user, metadata: m };
    object.apiVersion = info.apiVersion;
    if (info.kind === 'Namespace') {
      m.labels = { ...stringMap(m.labels), 'kubernetes.io/metadata.name': name };
      object.spec = { finalizers: ['kubernetes'] };
      object.status = { phase: 'Active' };
    }
    if (info.kind === 'ResourceQuota' && live && isMap(live.object.status)) object.status = clone(live.object.status);
    if (WORKLOAD_KINDS.has(info.kind) && live && isMap(live.object.status)) object.status = clone(live.object.status);
    return object;
  }

  private setWorkloadStatus(s: Stored): void {
    const replicas = this.replicasOf(s);
    const generation = meta(s.object).generation;
    s.object.status = { observedGeneration: generation, replicas, readyReplicas: replicas, updatedReplicas: replicas, availableReplicas: replicas };
  }

  /** The object without what the server sets, which is what field managers own. */
  private userPart(object: JsonObject): JsonObject {
    const o = clone(object);
    delete o.status;
    const m = { ...meta(o) };
    for (const k of SERVER_METADATA) delete m[k];
    if (o.kind === 'Namespace') {
      delete o.spec;
      const labels = stringMap(m.labels);
      delete labels['kubernetes.io/metadata.name'];
      if (Object.keys(labels).length > 0) m.labels = labels;
      else delete m.labels;
    }
    o.metadata = m;
    return o;
  }

  /** Runs `change` and returns the inventory delta it caused. */
  private mutate(change: () => void): InventoryDelta {
    const before = new Map(this.items().map((i) => [itemKey(i), i]));
    change();
    const after = this.items();
    const upserts = after.filter((i) => {
      const b = before.get(itemKey(i));
      return !b || b.resourceVersion !== i.resourceVersion || !jsonEqual(b.object, i.object);
    });
    const afterKeys = new Set(after.map(itemKey));
    const deletes = [...before.values()].filter((i) => !afterKeys.has(itemKey(i))).map(({ kind, namespace, name }) => ({ kind, namespace, name }));
    return { upserts, deletes };
  }

  // ---- controllers -----------------------------------------------------------------------

  private desiredReplicas(s: Stored, now: Date): number | null {
    const auto = this.profileOf(s.namespace!, s.name).autoscale;
    if (!auto || !ownsField(s.owners, AUTOSCALER_MANAGER, ['spec', 'replicas'])) return null;
    if (auto.by === 'diurnal') {
      // Re-evaluated every 15 minutes, like an autoscaler with a long stabilisation window.
      const window = new Date(Math.floor(now.getTime() / 900_000) * 900_000);
      return auto.min + Math.round((auto.max - auto.min) * dayLevel(window));
    }
    return Rng.for(this.seed, 'batch', s.namespace!, s.name, Math.floor(now.getTime() / 3_600_000)).int(auto.min, auto.max);
  }

  /** What ResourceQuota status.used would be for the namespace's pods. */
  private quotaUsed(namespace: string, hard: Record<string, string>): Record<string, string> {
    let cpu = [0n, 0n];
    let memory = [0n, 0n];
    let pods = 0;
    const counts: Record<string, number> = {};
    for (const s of this.workloadsSorted()) {
      if (s.namespace !== namespace) continue;
      const t = this.totalResources(s);
      cpu = [cpu[0]! + t.cpu[0], cpu[1]! + t.cpu[1]];
      memory = [memory[0]! + t.memory[0], memory[1]! + t.memory[1]];
      pods += t.pods;
      const resource = s.info.kind === 'Deployment' ? 'count/deployments.apps' : 'count/statefulsets.apps';
      counts[resource] = (counts[resource] ?? 0) + 1;
    }
    const used: Record<string, string> = {};
    for (const key of Object.keys(hard)) {
      if (key === 'requests.cpu' || key === 'cpu') used[key] = formatCpu(cpu[0]!);
      else if (key === 'limits.cpu') used[key] = formatCpu(cpu[1]!);
      else if (key === 'requests.memory' || key === 'memory') used[key] = formatMemory(memory[0]!);
      else if (key === 'limits.memory') used[key] = formatMemory(memory[1]!);
      else if (key === 'pods' || key === 'count/pods') used[key] = String(pods);
      else if (key === 'count/serviceaccounts') used[key] = String(this.list('ServiceAccount').filter((x) => x.namespace === namespace).length);
      else if (key === 'count/networkpolicies.networking.k8s.io') used[key] = String(this.list('NetworkPolicy').filter((x) => x.namespace === namespace).length);
      else used[key] = String(counts[key] ?? 0);
    }
    return used;
  }

  private refreshQuotas(): void {
    for (const q of this.list('ResourceQuota')) {
      const spec = isMap(q.object.spec) ? q.object.spec : {};
      const hard = stringMap(spec.hard);
      const status = { hard, used: this.quotaUsed(q.namespace!, hard) };
      if (jsonEqual(q.object.status, status)) continue;
      q.object.status = status;
      (q.object.metadata as JsonObject).resourceVersion = this.nextVersion();
    }
  }

  /** Moves the cluster to `now`: the autoscaler acts, the quota controller recounts. */
  sync(now: Date): InventoryDelta {
    return this.mutate(() => {
      for (const s of this.workloadsSorted()) {
        const desired = this.desiredReplicas(s, now);
        if (desired === null || desired === this.replicasOf(s)) continue;
        const user = this.userPart(s.object);
        (user.spec as JsonObject).replicas = desired;
        this.write(s.info, s.namespace, s.name, user, s.owners, now, s);
      }
      this.refreshQuotas();
    });
  }

  // ---- server-side apply and delete ----------------------------------------------------

  nextAuditId(): string {
    this.auditCounter += 1;
    return deterministicUuid(this.seed, 'audit', this.auditCounter);
  }

  execute(op: BundleOperation, opts: { dryRun: boolean; fieldManager: string }, now: Date): { result: OperationResult; delta: InventoryDelta } {
    const none: InventoryDelta = { upserts: [], deletes: [] };
    const auditId = this.nextAuditId();
    const ref = operationRef(op);
    try {
      if (op.action === 'delete') return this.deleteObject(op.ref, ref, opts.dryRun, auditId);
      return this.applyObject(op.object, ref, opts, now, auditId);
    } catch (err) {
      if (!(err instanceof ApplyFailure)) throw err;
      return { result: { ref, outcome: 'failed', message: err.message, auditId }, delta: none };
    }
  }

  private applyObject(raw: JsonObject, ref: ObjectRef, opts: { dryRun: boolean; fieldManager: string }, now: Date, auditId: string): { result: OperationResult; delta: InventoryDelta } {
    const info = this.kindFor(String(raw.kind ?? ''), String(raw.apiVersion ?? ''));
    const m = meta(raw);
    const name = typeof m.name === 'string' ? m.name : '';
    if (name === '') throw new ApplyFailure('metadata.name: Required value: name is required');
    let namespace: string | null = null;
    if (info.namespaced) {
      if (typeof m.namespace !== 'string' || m.namespace === '') throw new ApplyFailure(`metadata.namespace: Required value: ${info.kind} is namespaced`);
      namespace = m.namespace;
      if (!this.get('Namespace', null, namespace)) throw new ApplyFailure(`namespaces "${namespace}" not found`);
    }
    const resolvedRef: ObjectRef = { ...ref, namespace };
    const live = this.get(info.kind, namespace, name);
    if (typeof m.resourceVersion === 'string' && m.resourceVersion !== '' && m.resourceVersion !== meta(live?.object ?? {}).resourceVersion) {
      throw new ApplyFailure(`Operation cannot be fulfilled on ${info.resource} "${name}": the object has been modified; please apply your changes to the latest version and try again`);
    }
    const applied = this.userPart(raw);
    if (namespace === null) delete (applied.metadata as JsonObject).namespace;
    const liveUser = live ? this.userPart(live.object) : undefined;
    const merged = applyFields(liveUser, live?.owners ?? new Map(), opts.fieldManager, applied);
    merged.object.apiVersion = info.apiVersion;
    this.checkImmutable(info, liveUser, merged.object);
    const problem = this.validate(info, merged.object, name);
    if (problem) throw new ApplyFailure(problem);

    if (live && liveUser && jsonEqual(liveUser, merged.object)) {
      return { result: { ref: resolvedRef, outcome: 'unchanged', auditId, object: clone(live.object) }, delta: { upserts: [], deletes: [] } };
    }
    if (opts.dryRun) {
      const object = this.assemble(info, namespace, name, merged.object, live, now, undefined);
      if (live && isMap(live.object.status)) object.status = clone(live.object.status);
      return { result: { ref: resolvedRef, outcome: 'applied', auditId, object }, delta: { upserts: [], deletes: [] } };
    }
    let stored: Stored | undefined;
    const delta = this.mutate(() => {
      if (WORKLOAD_KINDS.has(info.kind) && liveUser && !jsonEqual(liveUser.spec && (liveUser.spec as JsonObject).template, (merged.object.spec as JsonObject | undefined)?.template)) {
        // A new pod template rolls every pod, so a half-done sidecar rollout completes.
        const key = workloadKey(namespace!, name);
        const profile = this.profiles.get(key);
        if (profile?.meshShare !== undefined) this.profiles.set(key, { ...profile, meshShare: undefined });
      }
      stored = this.write(info, namespace, name, merged.object, merged.owners, now, live);
      if (WORKLOAD_KINDS.has(info.kind)) this.releaseIps(namespace!, name, this.replicasOf(stored));
      if (info.kind === 'ResourceQuota') delete stored.object.status;
      this.refreshQuotas();
    });
    return { result: { ref: resolvedRef, outcome: 'applied', auditId, object: clone(stored!.object) }, delta };
  }

  /** The stored object as the API server returns it; null when absent or of a kind the sim does not hold. */
  object(ref: ObjectRef): JsonObject | null {
    const info = KINDS.get(ref.kind);
    if (!info || groupOf(ref.apiVersion) !== groupOf(info.apiVersion)) return null;
    const s = this.get(info.kind, info.namespaced ? ref.namespace : null, ref.name);
    return s ? clone(s.object) : null;
  }

  /**
   * A JSON merge patch (RFC 7386), as sleep and wake send: `metadata.resourceVersion` in the
   * patch is a precondition; the fields it sets become the manager's (so the autoscaler stops
   * moving replicas the agent set), the fields it deletes (null) belong to no one.
   */
  mergePatch(ref: ObjectRef, patch: JsonObject, fieldManager: string, now: Date): { result: OperationResult; delta: InventoryDelta } {
    const auditId = this.nextAuditId();
    try {
      const info = this.kindFor(ref.kind, ref.apiVersion);
      const namespace = info.namespaced ? ref.namespace : null;
      const live = this.get(info.kind, namespace, ref.name);
      if (!live) throw new ApplyFailure(`${info.resource} "${ref.name}" not found`);
      const { apiVersion: _a, kind: _k, ...body } = clone(patch);
      const m = { ...meta(body) };
      const precondition = m.resourceVersion;
      for (const k of ['resourceVersion', 'name', 'namespace']) delete m[k];
      if (typeof precondition === 'string' && precondition !== meta(live.object).resourceVersion) {
        throw new ApplyFailure(`Operation cannot be fulfilled on ${info.resource} "${ref.name}": the object has been modified; please apply your changes to the latest version and try again`);
      }
      const change: JsonObject = { ...body, metadata: m };
      const liveUser = this.userPart(live.object);
      const merged = dropEmptyAnnotations(applyMergePatch(liveUser, change) as JsonObject);
      this.checkImmutable(info, liveUser, merged);
      const problem = this.validate(info, merged, ref.name);
      if (problem) throw new ApplyFailure(problem);
      if (jsonEqual(liveUser, merged)) return { result: { ref, outcome: 'unchanged', auditId, object: clone(live.object) }, delta: { upserts: [], deletes: [] } };
      let owners = live.owners;
      for (const { path, removed } of patchLeaves(change)) {
        owners = transferField(owners, path, fieldManager);
        if (removed) owners.get(fieldManager)!.delete(JSON.stringify(path));
      }
      let stored: Stored | undefined;
      const delta = this.mutate(() => {
        stored = this.write(info, namespace, ref.name, merged, owners, now, live);
        if (WORKLOAD_KINDS.has(info.kind)) this.releaseIps(namespace!, ref.name, this.replicasOf(stored));
        this.refreshQuotas();
      });
      return { result: { ref, outcome: 'applied', auditId, object: clone(stored!.object) }, delta };
    } catch (err) {
      if (!(err instanceof ApplyFailure)) throw err;
      return { result: { ref, outcome: 'failed', message: err.message, auditId }, delta: { upserts: [], deletes: [] } };
    }
  }

  private deleteObject(target: ObjectRef, ref: ObjectRef, dryRun: boolean, auditId: string): { result: OperationResult; delta: InventoryDelta } {
    const info = this.kindFor(target.kind, target.apiVersion);
    const namespace = info.namespaced ? target.namespace : null;
    if (info.namespaced && !namespace) throw new ApplyFailure(`a namespace is required to delete a ${info.kind}`);
    const live = this.get(info.kind, namespace, target.name);
    if (!live) throw new ApplyFailure(`${info.resource} "${target.name}" not found`);
    if (info.kind === 'Namespace' && PROTECTED_NAMESPACES.has(target.name)) throw new ApplyFailure(`namespaces "${target.name}" is forbidden: this namespace may not be deleted`);
    const result: OperationResult = { ref, outcome: 'deleted', auditId, object: clone(live.object) };
    if (dryRun) return { result, delta: { upserts: [], deletes: [] } };
    const delta = this.mutate(() => {
      const doomed = info.kind === 'Namespace' ? [...this.objects.values()].filter((s) => s.namespace === target.name) : [];
      for (const s of [live, ...doomed]) {
        this.objects.delete(storeKey(s.info.kind, s.namespace, s.name));
        if (WORKLOAD_KINDS.has(s.info.kind)) this.releaseIps(s.namespace!, s.name, 0);
      }
      this.version += 1;
      this.refreshQuotas();
    });
    return { result, delta };
  }

  private releaseIps(namespace: string, name: string, keep: number): void {
    // Pod IPs of removed replicas are forgotten; a new pod gets a new address, as in a real cluster.
    for (const key of [...this.podIps.keys()]) {
      const prefix = `${namespace}/${name}/`;
      if (key.startsWith(prefix) && Number(key.slice(prefix.length)) >= keep) this.podIps.delete(key);
    }
  }

  private kindFor(kind: string, apiVersion: string): KindInfo {
    const info = KINDS.get(kind);
    if (!info) throw new ApplyFailure(`the simulated cluster does not support kind ${JSON.stringify(kind)}; it handles ${SUPPORTED_KINDS.join(', ')}`);
    if (!info.accepts.includes(apiVersion)) throw new ApplyFailure(`unsupported apiVersion ${JSON.stringify(apiVersion)} for ${kind}: expected ${info.accepts.join(' or ')}`);
    return info;
  }

  private checkImmutable(info: KindInfo, live: JsonObject | undefined, next: JsonObject): void {
    if (!live) return;
    if ((info.kind === 'RoleBinding' || info.kind === 'ClusterRoleBinding') && !jsonEqual(live.roleRef, next.roleRef)) {
      throw new ApplyFailure(`${info.kind}.rbac.authorization.k8s.io "${meta(next).name}" is invalid: roleRef: Invalid value: cannot change roleRef`);
    }
    if (WORKLOAD_KINDS.has(info.kind) && !jsonEqual((live.spec as JsonObject | undefined)?.selector, (next.spec as JsonObject | undefined)?.selector)) {
      throw new ApplyFailure(`${info.kind}.apps "${meta(next).name}" is invalid: spec.selector: Invalid value: field is immutable`);
    }
  }

  /** The validation the API server (or its webhooks) would apply to the object to be stored; null when valid. */
  private validate(info: KindInfo, object: JsonObject, name: string): string | null {
    const errors = (problems: Problem[]) => problems.filter((p) => p.severity === 'error').map(formatProblem);
    let messages: string[] = [];
    switch (info.kind) {
      case 'NetworkPolicy':
        messages = errors(readNetworkPolicy(object).problems);
        break;
      case 'PeerAuthentication':
        messages = errors(readPeerAuthentication(object).problems);
        break;
      case 'Role':
      case 'ClusterRole':
      case 'RoleBinding':
      case 'ClusterRoleBinding':
        messages = validateObject(object)
          .issues.filter((i) => i.severity === 'error')
          .map(formatIssue);
        break;
      case 'Namespace':
        if (!DNS1123_LABEL.test(name) || name.length > 63) messages.push(`metadata.name: Invalid value: "${name}": a namespace name must be a lowercase RFC 1123 label`);
        break;
      case 'ResourceQuota': {
        if (!DNS1123_SUBDOMAIN.test(name)) messages.push(`metadata.name: Invalid value: "${name}": must be a lowercase RFC 1123 subdomain`);
        const spec = isMap(object.spec) ? object.spec : {};
        if (spec.hard !== undefined && !isMap(spec.hard)) messages.push('spec.hard: must be a map of resource name to quantity');
        for (const [k, v] of Object.entries(isMap(spec.hard) ? spec.hard : {})) {
          const q = parseQuantity(v);
          if (!q.ok || q.quantity.nanos < 0n) messages.push(`spec.hard[${k}]: Invalid value: ${JSON.stringify(v)}: must be a non-negative quantity`);
        }
        break;
      }
      case 'ServiceAccount':
        if (!DNS1123_SUBDOMAIN.test(name)) messages.push(`metadata.name: Invalid value: "${name}": must be a lowercase RFC 1123 subdomain`);
        break;
      case 'Deployment':
      case 'StatefulSet':
        messages = this.validateWorkload(object, name);
        break;
    }
    return messages.length === 0 ? null : messages.join('; ');
  }

  private validateWorkload(object: JsonObject, name: string): string[] {
    const out: string[] = [];
    if (!DNS1123_SUBDOMAIN.test(name)) out.push(`metadata.name: Invalid value: "${name}": must be a lowercase RFC 1123 subdomain`);
    const spec = isMap(object.spec) ? object.spec : {};
    if (spec.replicas !== undefined && !(Number.isInteger(spec.replicas) && (spec.replicas as number) >= 0)) out.push('spec.replicas: Invalid value: must be a non-negative integer');
    const selector = stringMap(isMap(spec.selector) ? spec.selector.matchLabels : undefined);
    if (Object.keys(selector).length === 0) out.push('spec.selector: Required value: matchLabels must not be empty');
    const template = isMap(spec.template) ? spec.template : {};
    const labels = stringMap(isMap(template.metadata) ? template.metadata.labels : undefined);
    for (const [k, v] of Object.entries(selector)) if (labels[k] !== v) out.push('spec.template.metadata.labels: Invalid value: `selector` does not match template `labels`');
    const containers = isMap(template.spec) && Array.isArray(template.spec.containers) ? template.spec.containers : [];
    if (containers.length === 0) out.push('spec.template.spec.containers: Required value');
    containers.forEach((c, i) => {
      if (!isMap(c) || typeof c.name !== 'string' || c.name === '') out.push(`spec.template.spec.containers[${i}].name: Required value`);
      else if (typeof c.image !== 'string' || c.image === '') out.push(`spec.template.spec.containers[${i}].image: Required value`);
    });
    return [...new Set(out)];
  }
}

/** The operation's target as the result reports it (apiVersion and kind as given). */
function operationRef(op: BundleOperation): ObjectRef {
  if (op.action === 'delete') return op.ref;
  const o = op.object as { apiVersion?: unknown; kind?: unknown; metadata?: { namespace?: unknown; name?: unknown } };
  return {
    apiVersion: typeof o.apiVersion === 'string' ? o.apiVersion : '',
    kind: typeof o.kind === 'string' ? o.kind : '',
    namespace: typeof o.metadata?.namespace === 'string' ? o.metadata.namespace : null,
    name: typeof o.metadata?.name === 'string' ? o.metadata.name : '',
  };
}

/** The leaves a merge patch sets or deletes (null). */
function patchLeaves(patch: JsonObject, prefix: string[] = []): { path: string[]; removed: boolean }[] {
  const out: { path: string[]; removed: boolean }[] = [];
  for (const [k, v] of Object.entries(patch)) {
    const path = [...prefix, k];
    if (isMap(v) && Object.keys(v).length > 0) out.push(...patchLeaves(v, path));
    else out.push({ path, removed: v === null });
  }
  return out;
}
