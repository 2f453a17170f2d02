// The `sim` ClusterDriver: the simulated cluster behind the interface the agent uses for a
// real one. Time comes from the injected clock and ticks from the injected scheduler, so a
// test (or the demo) decides exactly when the cluster moves and what it observes.
import type { ClusterDriver, FlowObservation, InventoryDelta, LiveVersion, UsageSample } from '../cluster-driver';
import type { BundleOperation, InventoryItem, ObjectRef, OperationResult } from '../../protocol/messages';
import { SimCluster, type WorkloadUsage } from './sim-cluster';

/** Runs `fn` every `ms` milliseconds until the returned function is called. */
export type Scheduler = (fn: () => void, ms: number) => () => void;

export const DEFAULT_TICK_MS = 2_000;

export const intervalScheduler: Scheduler = (fn, ms) => {
  const handle = setInterval(fn, ms);
  return () => clearInterval(handle);
};

export interface SimDriverOptions {
  /** Same seed and same clock readings: same cluster, same traffic, same ids. */
  seed: string | number;
  now: () => Date;
  /** Period of flow observations and of the cluster's own changes; 2 s unless given. */
  tickMs?: number;
  schedule?: Scheduler;
}

export interface SimDriver extends ClusterDriver {
  readonly name: 'sim';
  observeFlows(onFlows: (observations: FlowObservation[]) => void): () => void;
  /** Per-workload CPU and memory use at `now` (for quota dashboards and abuse signals). */
  usage(now?: Date): WorkloadUsage[];
  sampleUsage(minute: Date): Promise<UsageSample>;
  /** What one tick ending at `time` would observe, without emitting it (for backfilling history). */
  flowsAt(time: Date): FlowObservation[];
  /** Runs one tick now, as the scheduler would. */
  tick(): void;
}

export function createSimDriver(options: SimDriverOptions): SimDriver {
  const tickMs = options.tickMs ?? DEFAULT_TICK_MS;
  const schedule = options.schedule ?? intervalScheduler;
  const cluster = new SimCluster(options.seed, options.now());
  const watchers = new Set<{ onDelta: (d: InventoryDelta) => void; onError: (e: Error) => void }>();
  const flowObservers = new Set<(o: FlowObservation[]) => void>();
  let cancelTimer: (() => void) | null = null;
  let closed = false;

  const emit = (delta: InventoryDelta) => {
    if (delta.upserts.length === 0 && delta.deletes.length === 0) return;
    for (const w of [...watchers]) {
      try {
        w.onDelta(delta);
      } catch (err) {
        w.onError(err instanceof Error ? err : new Error(String(err)));
      }
    }
  };

  const tick = () => {
    if (closed) return;
    // A failure inside a timer callback would otherwise take the agent process down.
    try {
      const now = options.now();
      emit(cluster.sync(now));
      if (flowObservers.size === 0) return;
      const observations = cluster.flowsAt(now, tickMs);
      for (const observe of [...flowObservers]) observe(observations.map((o) => ({ ...o })));
    } catch (err) {
      const error = err instanceof Error ? err : new Error(String(err));
      for (const w of [...watchers]) w.onError(error);
    }
  };

  // The timer runs only while someone listens, so a driver used for snapshots alone holds no timer.
  const updateTimer = () => {
    const wanted = !closed && (watchers.size > 0 || flowObservers.size > 0);
    if (wanted && !cancelTimer) cancelTimer = schedule(tick, tickMs);
    if (!wanted && cancelTimer) {
      cancelTimer();
      cancelTimer = null;
    }
  };

  const ensureOpen = () => {
    if (closed) throw new Error('the sim driver is closed');
  };

  return {
    name: 'sim',

    async snapshot(): Promise<InventoryItem[]> {
      ensureOpen();
      emit(cluster.sync(options.now()));
      return cluster.items();
    },

    watch(onDelta, onError) {
      ensureOpen();
      const watcher = { onDelta, onError };
      watchers.add(watcher);
      updateTimer();
      return () => {
        watchers.delete(watcher);
        updateTimer();
      };
    },

    observeFlows(onFlows) {
      ensureOpen();
      flowObservers.add(onFlows);
      updateTimer();
      return () => {
        flowObservers.delete(onFlows);
        updateTimer();
      };
    },

    async sampleUsage(minute: Date): Promise<UsageSample> {
      ensureOpen();
      // The quota controller and autoscaler catch up first, so the sample matches the inventory.
      emit(cluster.sync(options.now()));
      const at = minute.toISOString();
      const cpu = (m: number) => `${m}m`;
      const workloads = cluster.usage(minute).map((u) => ({
        minute: at,
        namespace: u.namespace,
        workload: u.workload,
        kind: u.kind,
        replicas: u.replicas,
        usage: { cpu: cpu(u.cpuMillicores), memory: String(u.memoryBytes) },
        requests: { ...(u.cpuRequestMillicores ? { cpu: cpu(u.cpuRequestMillicores) } : {}), ...(u.memoryRequestBytes ? { memory: String(u.memoryRequestBytes) } : {}) },
        limits: { ...(u.cpuLimitMillicores ? { cpu: cpu(u.cpuLimitMillicores) } : {}), ...(u.memoryLimitBytes ? { memory: String(u.memoryLimitBytes) } : {}) },
      }));
      const quotas = cluster.quotaStatuses().map((q) => ({ minute: at, ...q }));
      return { workloads, quotas };
    },

    async liveVersions(refs: ObjectRef[]): Promise<LiveVersion[]> {
      ensureOpen();
      return cluster.liveVersions(refs);
    },

    async execute(op: BundleOperation, opts: { dryRun: boolean; fieldManager: string }): Promise<OperationResult> {
      ensureOpen();
      const { result, delta } = cluster.execute(op, opts, options.now());
      emit(delta);
      return result;
    },

    async readObject(ref: ObjectRef): Promise<Record<string, unknown> | null> {
      ensureOpen();
      return cluster.object(ref);
    },

    async mergePatch(ref: ObjectRef, patch: Record<string, unknown>, opts: { fieldManager: string }): Promise<OperationResult> {
      ensureOpen();
      const { result, delta } = cluster.mergePatch(ref, patch, opts.fieldManager, options.now());
      emit(delta);
      return result;
    },

    usage(now?: Date): WorkloadUsage[] {
      return cluster.usage(now ?? options.now());
    },

    flowsAt(time: Date): FlowObservation[] {
      return cluster.flowsAt(time, tickMs);
    },

    tick,

    async close(): Promise<void> {
      closed = true;
      updateTimer();
      watchers.clear();
      flowObservers.clear();
    },
  };
}
