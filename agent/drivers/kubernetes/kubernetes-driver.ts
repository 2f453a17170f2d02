// The ClusterDriver for a real cluster: lists and watches the inventory through the
// Kubernetes API, applies approved changes with server-side apply, and reports exactly what
// the API server answered (including its Audit-Id).
import { ApiException, KubeConfig, PatchStrategy, Watch } from '@kubernetes/client-node';
import type { BundleOperation, InventoryItem, InventoryKind, InventoryRef, ObjectRef, OperationResult } from '../../protocol/messages';
import { refOfOperation, type ClusterDriver, type InventoryDelta, type LiveVersion, type UsageSample } from '../cluster-driver';
import { type PodMetricsLike, quotaSamples, sumPodMetrics } from './sum-pod-metrics';
import { deriveWorkloads, workloadId, workloadItem, type OwnerIndex, type OwnerRef, type PodLike, ownerOfController } from './derive-workloads';
import { auditIdOf, RawObjectApi, toWireObject, type RawObject } from './object-client';
import { collectionPath, CORE_KINDS, PEER_AUTHENTICATION_VERSIONS, type ResourceKind } from './resource-kinds';

export interface KubernetesDriverOptions {
  /** A kubeconfig file; without it (and without inCluster) the default locations ($KUBECONFIG, ~/.kube/config). */
  kubeconfigPath?: string;
  /** Use the pod's service account (KUBERNETES_SERVICE_HOST and the mounted token). */
  inCluster?: boolean;
  /** A context of the kubeconfig other than its current one. */
  context?: string;
  /** Items per list page. */
  pageSize?: number;
  /** Reconnect backoff of the watches, in milliseconds. */
  watchBackoff?: { initialMs: number; maxMs: number };
}

export function loadKubeConfig(opts: Pick<KubernetesDriverOptions, 'kubeconfigPath' | 'inCluster' | 'context'>): KubeConfig {
  const kc = new KubeConfig();
  if (opts.inCluster) kc.loadFromCluster();
  else if (opts.kubeconfigPath) kc.loadFromFile(opts.kubeconfigPath);
  else kc.loadFromDefault();
  if (opts.context) {
    if (!kc.getContextObject(opts.context)) throw new Error(`kubeconfig has no context named ${opts.context}`);
    kc.setCurrentContext(opts.context);
  }
  if (!kc.getCurrentCluster()) throw new Error('kubeconfig has no current cluster');
  return kc;
}

export function createKubernetesDriver(opts: KubernetesDriverOptions = {}): ClusterDriver {
  return new KubernetesDriver(loadKubeConfig(opts), opts);
}

type Key = ResourceKind['key'];

function itemKey(namespace: string | null | undefined, name: string): string {
  return `${namespace ?? ''}/${name}`;
}

function stripManagedFields<T extends RawObject>(obj: T): T {
  if (obj.metadata && 'managedFields' in obj.metadata) {
    const { managedFields: _dropped, ...metadata } = obj.metadata;
    return { ...obj, metadata } as T;
  }
  return obj;
}

function toItem(k: ResourceKind, raw: RawObject): InventoryItem {
  // List items carry no apiVersion/kind; the console stores whole objects, so put them back.
  const object = stripManagedFields({ apiVersion: k.apiVersion, kind: k.kind, ...raw });
  return {
    kind: k.key as InventoryKind,
    namespace: k.namespaced ? (raw.metadata?.namespace ?? null) : null,
    name: raw.metadata?.name ?? '',
    resourceVersion: raw.metadata?.resourceVersion ?? null,
    object,
  };
}

/** What went wrong in words an operator can act on, with the HTTP status named. */
export function describeApiError(err: unknown): string {
  if (err instanceof ApiException) {
    const body = err.body as { message?: string; reason?: string; details?: { causes?: Array<{ field?: string; message?: string }> } } | string | undefined;
    const serverMessage = typeof body === 'string' ? body : (body?.message ?? '');
    const causes = typeof body === 'object' && body?.details?.causes?.length ? ` (${body.details.causes.map((c) => [c.field, c.message].filter(Boolean).join(': ')).join('; ')})` : '';
    const label: Record<number, string> = {
      400: 'bad request',
      401: 'unauthorized: the agent credentials were rejected',
      403: 'forbidden: the agent is not allowed to do this',
      404: 'not found',
      409: 'conflict: the object changed since the change was computed, or another writer holds it',
      410: 'gone',
      415: 'unsupported media type',
      422: 'invalid: the API server rejected the object',
      429: 'too many requests',
    };
    const what = label[err.code] ?? 'API error';
    return `${err.code} ${what}${serverMessage ? `: ${serverMessage}` : ''}${causes}`;
  }
  return err instanceof Error ? err.message : String(err);
}

function statusCodeOf(err: unknown): number | undefined {
  if (err instanceof ApiException) return err.code;
  const code = (err as { statusCode?: unknown; code?: unknown } | null)?.statusCode;
  return typeof code === 'number' ? code : undefined;
}

/** Listed like a kind, never part of the inventory (the key is only for the list helper's type). */
const POD_METRICS: ResourceKind = { key: 'Pod', apiVersion: 'metrics.k8s.io/v1beta1', kind: 'PodMetrics', plural: 'pods', namespaced: true, internal: true };

/** The resource is not served: its group is absent (404 on discovery) or the group lacks the kind. */
function isNotServed(err: unknown): boolean {
  return statusCodeOf(err) === 404 || (err instanceof Error && err.message.startsWith('Unrecognized API version and kind'));
}

function canonical(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => a.localeCompare(b))) : v,
  );
}

/** An object without what the server changes on every write, to tell whether a dry run would change anything. */
function comparable(obj: RawObject): string {
  const { managedFields: _m, resourceVersion: _r, generation: _g, ...metadata } = obj.metadata ?? {};
  return canonical({ ...obj, metadata });
}

class KubernetesDriver implements ClusterDriver {
  readonly name = 'kubernetes' as const;
  private readonly api: RawObjectApi;
  private readonly watcher: Watch;
  private readonly pageSize: number;
  private readonly backoff: { initialMs: number; maxMs: number };

  /** The kinds this cluster serves, PeerAuthentication included when Istio is installed. */
  private kinds: ResourceKind[] | null = null;
  /** Cached state since the last snapshot, which the watches keep current. */
  private items = new Map<Key, Map<string, InventoryItem>>();
  private pods = new Map<string, PodLike>();
  private owners: OwnerIndex = { replicaSets: new Map(), jobs: new Map() };
  private workloads = new Map<string, InventoryItem>();
  private listVersions = new Map<Key, string>();
  private stopWatches: Array<() => void> = [];
  private metricsMissing = false;

  constructor(private readonly kc: KubeConfig, opts: KubernetesDriverOptions) {
    this.api = RawObjectApi.fromKubeConfig(kc);
    this.watcher = new Watch(kc);
    this.pageSize = opts.pageSize ?? 500;
    this.backoff = opts.watchBackoff ?? { initialMs: 1_000, maxMs: 30_000 };
  }

  // ---- listing ---------------------------------------------------------------------------

  private async listAll(k: ResourceKind): Promise<{ items: RawObject[]; resourceVersion: string }> {
    const items: RawObject[] = [];
    let continueToken: string | undefined;
    let resourceVersion = '';
    do {
      const page = (await this.api.list(k.apiVersion, k.kind, undefined, undefined, undefined, undefined, undefined, undefined, this.pageSize, continueToken)) as unknown as {
        items?: RawObject[];
        metadata?: { resourceVersion?: string; continue?: string };
      };
      items.push(...(page.items ?? []));
      resourceVersion = page.metadata?.resourceVersion ?? resourceVersion;
      continueToken = page.metadata?.continue || undefined;
    } while (continueToken);
    return { items, resourceVersion };
  }

  /** The PeerAuthentication version the cluster serves, or null when Istio is not installed. */
  private async listPeerAuthentications(): Promise<{ kind: ResourceKind; items: RawObject[]; resourceVersion: string } | null> {
    for (const kind of PEER_AUTHENTICATION_VERSIONS) {
      try {
        return { kind, ...(await this.listAll(kind)) };
      } catch (err) {
        if (!isNotServed(err)) throw err;
      }
    }
    return null;
  }

  async snapshot(): Promise<InventoryItem[]> {
    // One group version at a time within a group, groups in parallel: the first list of a group
    // fetches its discovery document, which the client then caches for the others.
    const groups = new Map<string, ResourceKind[]>();
    for (const k of CORE_KINDS) groups.set(k.apiVersion, [...(groups.get(k.apiVersion) ?? []), k]);
    const listGroup = async (kinds: ResourceKind[]) => {
      const out: Array<{ kind: ResourceKind; items: RawObject[]; resourceVersion: string }> = [];
      for (const k of kinds) out.push({ kind: k, ...(await this.listAll(k)) });
      return out;
    };
    const [core, peer] = await Promise.all([Promise.all([...groups.values()].map(listGroup)).then((l) => l.flat()), this.listPeerAuthentications()]);
    const lists = peer ? [...core, peer] : core;
    this.kinds = lists.map((l) => l.kind);
    this.items = new Map();
    this.pods = new Map();
    this.owners = { replicaSets: new Map(), jobs: new Map() };
    this.listVersions = new Map();
    for (const { kind, items, resourceVersion } of lists) {
      this.listVersions.set(kind.key, resourceVersion);
      for (const raw of items) this.remember(kind, raw);
    }
    this.workloads = new Map(deriveWorkloads([...this.pods.values()], this.owners).map((w) => [workloadId(w), workloadItem(w)]));
    const out: InventoryItem[] = [];
    for (const byKey of this.items.values()) out.push(...byKey.values());
    out.push(...this.workloads.values());
    return out;
  }

  /** Puts one object into the cache. Returns the namespace whose workloads it may change, if any. */
  private remember(k: ResourceKind, raw: RawObject): string | null {
    const ns = raw.metadata?.namespace ?? '';
    const name = raw.metadata?.name ?? '';
    const id = itemKey(ns, name);
    if (k.key === 'Pod') {
      this.pods.set(id, stripManagedFields(raw) as PodLike);
      return ns;
    }
    if (k.key === 'ReplicaSet' || k.key === 'Job') {
      const index = k.key === 'ReplicaSet' ? this.owners.replicaSets : this.owners.jobs;
      const owner = ownerOfController((raw.metadata as { ownerReferences?: OwnerRef[] } | undefined)?.ownerReferences);
      const before = index.get(id);
      index.set(id, owner ? { kind: owner.kind, name: owner.name } : null);
      return before === undefined || before?.kind !== owner?.kind || before?.name !== owner?.name ? ns : null;
    }
    let byKey = this.items.get(k.key);
    if (!byKey) this.items.set(k.key, (byKey = new Map()));
    byKey.set(itemKey(k.namespaced ? ns : null, name), toItem(k, raw));
    return null;
  }

  private forget(k: ResourceKind, raw: RawObject): string | null {
    const ns = raw.metadata?.namespace ?? '';
    const id = itemKey(ns, raw.metadata?.name ?? '');
    if (k.key === 'Pod') return this.pods.delete(id) ? ns : null;
    if (k.key === 'ReplicaSet') return this.owners.replicaSets.delete(id) ? ns : null;
    if (k.key === 'Job') return this.owners.jobs.delete(id) ? ns : null;
    this.items.get(k.key)?.delete(itemKey(k.namespaced ? ns : null, raw.metadata?.name ?? ''));
    return null;
  }

  /** Re-derives the workloads of one namespace from the pod cache and says what changed. */
  private rederive(namespace: string, delta: InventoryDelta): void {
    const pods = [...this.pods.values()].filter((p) => (p.metadata?.namespace ?? '') === namespace);
    const fresh = new Map(deriveWorkloads(pods, this.owners).map((w) => [workloadId(w), workloadItem(w)]));
    for (const [id, item] of this.workloads) {
      if (item.namespace !== namespace || fresh.has(id)) continue;
      this.workloads.delete(id);
      delta.deletes.push({ kind: 'Workload', namespace: item.namespace, name: item.name });
    }
    for (const [id, item] of fresh) {
      if (this.workloads.get(id)?.resourceVersion === item.resourceVersion) continue;
      this.workloads.set(id, item);
      delta.upserts.push(item);
    }
  }

  // ---- watching --------------------------------------------------------------------------

  watch(onDelta: (delta: InventoryDelta) => void, onError: (err: Error) => void): () => void {
    let stopped = false;
    const controllers = new Set<AbortController>();
    const timers = new Set<NodeJS.Timeout>();
    // Events of all kinds are handled one at a time, so the caches never see interleaved updates.
    let queue: Promise<void> = Promise.resolve();
    const enqueue = (fn: () => Promise<void> | void) => {
      queue = queue.then(fn).catch((err: unknown) => fail(err instanceof Error ? err : new Error(String(err))));
    };
    const emit = (delta: InventoryDelta) => {
      if (!stopped && (delta.upserts.length || delta.deletes.length)) onDelta(delta);
    };
    const stop = () => {
      if (stopped) return;
      stopped = true;
      for (const c of controllers) c.abort();
      for (const t of timers) clearTimeout(t);
      controllers.clear();
      timers.clear();
      this.stopWatches = this.stopWatches.filter((s) => s !== stop);
    };
    const fail = (err: Error) => {
      if (stopped) return;
      stop();
      onError(err);
    };
    const sleep = (ms: number) =>
      new Promise<void>((resolve) => {
        const t = setTimeout(() => {
          timers.delete(t);
          resolve();
        }, ms);
        timers.add(t);
      });

    const handleEvent = (k: ResourceKind, type: string, raw: RawObject) => {
      const delta: InventoryDelta = { upserts: [], deletes: [] };
      const ns = type === 'DELETED' ? this.forget(k, raw) : this.remember(k, raw);
      if (k.internal) {
        if (ns !== null) this.rederive(ns, delta);
      } else if (type === 'DELETED') {
        delta.deletes.push({ kind: k.key as InventoryKind, namespace: k.namespaced ? (raw.metadata?.namespace ?? null) : null, name: raw.metadata?.name ?? '' });
      } else {
        delta.upserts.push(toItem(k, raw));
      }
      emit(delta);
    };

    /** Lists the kind again (its watch resourceVersion expired) and emits the difference from the cache. */
    const relist = async (k: ResourceKind) => {
      const { items, resourceVersion } = await this.listAll(k);
      const delta: InventoryDelta = { upserts: [], deletes: [] };
      const namespaces = new Set<string>();
      if (k.key === 'Pod' || k.key === 'ReplicaSet' || k.key === 'Job') {
        const old = k.key === 'Pod' ? this.pods : k.key === 'ReplicaSet' ? this.owners.replicaSets : this.owners.jobs;
        for (const id of old.keys()) namespaces.add(id.slice(0, id.indexOf('/')));
        old.clear();
        for (const raw of items) {
          this.remember(k, raw);
          namespaces.add(raw.metadata?.namespace ?? '');
        }
        for (const ns of namespaces) this.rederive(ns, delta);
      } else {
        const before = this.items.get(k.key) ?? new Map<string, InventoryItem>();
        this.items.set(k.key, new Map());
        for (const raw of items) this.remember(k, raw);
        const after = this.items.get(k.key)!;
        for (const [id, item] of after) if (before.get(id)?.resourceVersion !== item.resourceVersion) delta.upserts.push(item);
        for (const [id, item] of before) if (!after.has(id)) delta.deletes.push({ kind: item.kind, namespace: item.namespace, name: item.name } satisfies InventoryRef);
      }
      this.listVersions.set(k.key, resourceVersion);
      emit(delta);
    };

    /** One watch connection; resolves when it ends, with why. */
    const watchOnce = (k: ResourceKind) =>
      new Promise<{ err: unknown; expired: boolean; sawEvents: boolean }>((resolve) => {
        let expired = false;
        let sawEvents = false;
        let controller: AbortController | undefined;
        const params: Record<string, string> = { allowWatchBookmarks: 'true' };
        const rv = this.listVersions.get(k.key);
        if (rv) params.resourceVersion = rv;
        this.watcher
          .watch(
            collectionPath(k),
            params,
            (type: string, obj: unknown) => {
              sawEvents = true;
              const raw = obj as RawObject & { code?: number };
              if (type === 'ERROR') {
                // 410 Gone: the resourceVersion is too old; any other error also means relisting is the safe way back.
                expired = true;
                controller?.abort();
                return;
              }
              const version = raw.metadata?.resourceVersion;
              if (version) this.listVersions.set(k.key, version);
              if (type === 'BOOKMARK') return;
              enqueue(() => handleEvent(k, type, raw));
            },
            (err: unknown) => resolve({ err, expired, sawEvents }),
          )
          .then(
            (c) => {
              controller = c;
              controllers.add(c);
              if (stopped || expired) c.abort();
            },
            (err: unknown) => resolve({ err, expired, sawEvents }),
          );
      });

    const run = async (k: ResourceKind) => {
      let delay = this.backoff.initialMs;
      let failures = 0;
      if (!this.listVersions.has(k.key)) await new Promise<void>((resolve) => enqueue(() => relist(k).finally(resolve)));
      while (!stopped) {
        const openedAt = Date.now();
        const { err, expired, sawEvents } = await watchOnce(k);
        if (stopped) return;
        const status = statusCodeOf(err);
        if (status === 401 || status === 403) {
          fail(new Error(`watch ${collectionPath(k)}: ${describeApiError(err)} (${status})`));
          return;
        }
        if (expired || status === 410) {
          try {
            await new Promise<void>((resolve, reject) => enqueue(() => relist(k).then(resolve, reject)));
            failures = 0;
            delay = this.backoff.initialMs;
          } catch (relistErr) {
            failures += 1;
            if (statusCodeOf(relistErr) === 401 || statusCodeOf(relistErr) === 403 || failures >= 10) {
              fail(new Error(`relisting ${collectionPath(k)} failed: ${describeApiError(relistErr)}`));
              return;
            }
            await sleep(delay);
            delay = Math.min(delay * 2, this.backoff.maxMs);
          }
          continue;
        }
        if (sawEvents || (err == null && Date.now() - openedAt > 1_000)) {
          // A watch that worked, or that the server closed normally (they time out after
          // minutes): resume at once. One closed straight away without a word backs off.
          failures = 0;
          delay = this.backoff.initialMs;
          if (err == null) continue;
        }
        await sleep(delay);
        delay = Math.min(delay * 2, this.backoff.maxMs);
      }
    };

    const start = async () => {
      if (!this.kinds) {
        // No snapshot yet: find out whether Istio is served; every kind is then listed by its first relist.
        const peer = await this.listPeerAuthentications();
        this.kinds = peer ? [...CORE_KINDS, peer.kind] : [...CORE_KINDS];
      }
      // Owners first, so pods listed by a relist resolve to their Deployment or CronJob at once.
      const order = [...this.kinds].sort((a, b) => Number(b.key === 'ReplicaSet' || b.key === 'Job') - Number(a.key === 'ReplicaSet' || a.key === 'Job'));
      await Promise.all(order.map((k) => run(k)));
    };
    this.stopWatches.push(stop);
    start().catch((err: unknown) => fail(err instanceof Error ? err : new Error(String(err))));
    return stop;
  }

  // ---- usage -----------------------------------------------------------------------------

  /**
   * Usage now: PodMetrics from metrics.k8s.io (metrics-server) summed per workload over the
   * pods the watches keep, and each ResourceQuota's status from the same cache. Without
   * metrics-server there are no workload samples, only quotas (said once in the log).
   */
  async sampleUsage(minute: Date): Promise<UsageSample> {
    if (!this.kinds) await this.snapshot();
    let metrics: PodMetricsLike[] = [];
    try {
      metrics = (await this.listAll(POD_METRICS)).items as PodMetricsLike[];
      this.metricsMissing = false;
    } catch (err) {
      if (!isNotServed(err)) throw err;
      if (!this.metricsMissing) console.warn('[agent] metrics.k8s.io is not served (is metrics-server installed?): no workload usage, quotas only');
      this.metricsMissing = true;
    }
    const quotas = [...(this.items.get('ResourceQuota')?.values() ?? [])].map((i) => i.object as Parameters<typeof quotaSamples>[0][number]);
    return { workloads: sumPodMetrics([...this.pods.values()], this.owners, metrics, minute), quotas: quotaSamples(quotas, minute) };
  }

  // ---- reading live versions -------------------------------------------------------------

  async liveVersions(refs: ObjectRef[]): Promise<LiveVersion[]> {
    const out: LiveVersion[] = [];
    for (const ref of refs) out.push({ ref, resourceVersion: await this.liveObject(ref).then((o) => o?.metadata?.resourceVersion ?? null) });
    return out;
  }

  /** The object as the server has it now; null when it (or its kind) does not exist. */
  private async liveObject(ref: ObjectRef): Promise<RawObject | null> {
    try {
      return (await this.api.read({
        apiVersion: ref.apiVersion,
        kind: ref.kind,
        metadata: { name: ref.name, ...(ref.namespace ? { namespace: ref.namespace } : {}) },
      })) as unknown as RawObject;
    } catch (err) {
      if (isNotServed(err)) return null;
      throw err;
    }
  }

  async readObject(ref: ObjectRef): Promise<Record<string, unknown> | null> {
    const live = await this.liveObject(ref);
    return live ? (stripManagedFields(live) as Record<string, unknown>) : null;
  }

  // ---- changing the cluster --------------------------------------------------------------

  /** A JSON merge patch (sleep and wake); the patch's metadata.resourceVersion makes the server refuse a moved object (409). */
  async mergePatch(ref: ObjectRef, patch: Record<string, unknown>, opts: { fieldManager: string }): Promise<OperationResult> {
    try {
      const stored = (await this.api.patch(patch as RawObject, undefined, undefined, opts.fieldManager, undefined, PatchStrategy.MergePatch)) as unknown as RawObject;
      const auditId = auditIdOf(stored);
      return { ref, outcome: 'applied', message: 'patched', ...(auditId ? { auditId } : {}), object: stripManagedFields(stored) };
    } catch (err) {
      return this.failure(ref, err);
    }
  }

  async execute(op: BundleOperation, opts: { dryRun: boolean; fieldManager: string }): Promise<OperationResult> {
    const ref = refOfOperation(op);
    return op.action === 'apply' ? this.apply(ref, op.object as RawObject, op.expectedResourceVersion, opts) : this.delete(ref, op.expectedResourceVersion, opts);
  }

  private async apply(ref: ObjectRef, object: RawObject, expected: string | null, opts: { dryRun: boolean; fieldManager: string }): Promise<OperationResult> {
    if (!ref.apiVersion || !ref.kind || !ref.name) return { ref, outcome: 'failed', message: 'the object needs apiVersion, kind and metadata.name' };
    const body = structuredClone(object);
    // Fields only the server sets; a creationTimestamp would also come back reformatted from the typed model.
    const { managedFields: _m, resourceVersion: _r, creationTimestamp: _c, ...metadata } = body.metadata ?? {};
    // The version the approvers saw becomes a precondition of the write itself: if the object
    // changed after the agent's staleness check, the server refuses with 409 instead of applying.
    body.metadata = expected ? { ...metadata, resourceVersion: expected } : metadata;
    const { typed, lost } = toWireObject(body);
    if (lost.length) {
      return { ref, outcome: 'failed', message: `refused: the Kubernetes client would not send field(s) ${lost.join(', ')} of ${ref.apiVersion} ${ref.kind} as written` };
    }
    let before: RawObject | null | undefined;
    try {
      before = await this.liveObject(ref);
    } catch {
      before = undefined; // unknown: the apply itself will say whether we may touch it
    }
    try {
      const stored = (await this.api.patch(typed, undefined, opts.dryRun ? 'All' : undefined, opts.fieldManager, true, PatchStrategy.ServerSideApply)) as unknown as RawObject;
      const auditId = auditIdOf(stored);
      const unchanged = before ? (opts.dryRun ? comparable(before) === comparable(stored) : before.metadata?.resourceVersion === stored.metadata?.resourceVersion) : false;
      const message = opts.dryRun ? (before === null ? 'dry run: would create' : unchanged ? 'dry run: no change' : 'dry run: would change') : before === null ? 'created' : unchanged ? 'no change' : 'updated';
      return { ref, outcome: unchanged ? 'unchanged' : 'applied', message, ...(auditId ? { auditId } : {}), object: stripManagedFields(stored) };
    } catch (err) {
      return this.failure(ref, err);
    }
  }

  private async delete(ref: ObjectRef, expected: string | null, opts: { dryRun: boolean }): Promise<OperationResult> {
    try {
      const res = (await this.api.delete(
        { apiVersion: ref.apiVersion, kind: ref.kind, metadata: { name: ref.name, ...(ref.namespace ? { namespace: ref.namespace } : {}) } },
        undefined,
        opts.dryRun ? 'All' : undefined,
        undefined,
        undefined,
        'Background',
        expected ? { preconditions: { resourceVersion: expected } } : undefined,
      )) as unknown as RawObject;
      const auditId = auditIdOf(res);
      return { ref, outcome: 'deleted', message: opts.dryRun ? 'dry run: would delete' : 'deleted', ...(auditId ? { auditId } : {}), object: stripManagedFields(res) };
    } catch (err) {
      if (statusCodeOf(err) === 404) {
        const auditId = err instanceof ApiException ? (err.headers['audit-id'] as string | undefined) : undefined;
        return { ref, outcome: 'unchanged', message: 'not found: nothing to delete', ...(auditId ? { auditId } : {}) };
      }
      return this.failure(ref, err);
    }
  }

  private failure(ref: ObjectRef, err: unknown): OperationResult {
    const auditId = err instanceof ApiException ? (err.headers['audit-id'] as string | undefined) : undefined;
    const body = err instanceof ApiException && err.body && typeof err.body === 'object' ? (err.body as Record<string, unknown>) : undefined;
    return { ref, outcome: 'failed', message: describeApiError(err), ...(auditId ? { auditId } : {}), ...(body ? { object: body } : {}) };
  }

  async close(): Promise<void> {
    for (const stop of [...this.stopWatches]) stop();
  }
}
