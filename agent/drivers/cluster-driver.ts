// What the agent needs from a cluster, whatever the cluster is: a real one through the
// Kubernetes API (drivers/kubernetes) or the in-memory simulation (drivers/sim).
import type { BundleOperation, InventoryItem, QuotaUsageSample, WorkloadUsageSample, InventoryRef, MtlsState, FlowVerdict, FlowEndpoint, ObjectRef, OperationResult, DriverName } from '../protocol/messages';

/** One or more observed connections of one shape at one time (count > 1 for pre-summed sources). */
export interface FlowObservation {
  time: Date;
  source: FlowEndpoint;
  destination: FlowEndpoint;
  port: number;
  protocol: 'TCP' | 'UDP' | 'SCTP' | 'ICMP';
  mtls: MtlsState;
  verdict: FlowVerdict;
  count: number;
  bytes?: number;
}

export interface InventoryDelta {
  upserts: InventoryItem[];
  deletes: InventoryRef[];
}

export interface LiveVersion {
  ref: ObjectRef;
  /** null: the object does not exist. */
  resourceVersion: string | null;
}

/** What is in use at one minute: each workload's CPU, memory and replicas, and each ResourceQuota's status. */
export interface UsageSample {
  workloads: WorkloadUsageSample[];
  quotas: QuotaUsageSample[];
}

export interface ClusterDriver {
  readonly name: DriverName;
  /** Every inventory object, now. */
  snapshot(): Promise<InventoryItem[]>;
  /** Calls back with changes until the returned function is called. */
  watch(onDelta: (delta: InventoryDelta) => void, onError: (err: Error) => void): () => void;
  /** Connections the driver observes itself (the sim; a real cluster's come from Hubble). */
  observeFlows?(onFlows: (observations: FlowObservation[]) => void): () => void;
  /** Usage at `minute` (metrics.k8s.io in a real cluster, the activity model in the sim); sampled once a minute. */
  sampleUsage?(minute: Date): Promise<UsageSample>;
  /** The live resourceVersion of each object, to refuse a stale bundle before touching anything. */
  liveVersions(refs: ObjectRef[]): Promise<LiveVersion[]>;
  /** Server-side apply (or delete) of one operation, as the agent's field manager; dryRun for previews. */
  execute(op: BundleOperation, opts: { dryRun: boolean; fieldManager: string }): Promise<OperationResult>;
  /** The live object, or null when it does not exist (sleep and wake read what they change). */
  readObject?(ref: ObjectRef): Promise<Record<string, unknown> | null>;
  /** A JSON merge patch (RFC 7386) of one object; `patch.metadata.resourceVersion` is a precondition. */
  mergePatch?(ref: ObjectRef, patch: Record<string, unknown>, opts: { fieldManager: string }): Promise<OperationResult>;
  close(): Promise<void>;
}

export const FIELD_MANAGER = 'verity-agent';

export function refOfOperation(op: BundleOperation): ObjectRef {
  if (op.action === 'delete') return op.ref;
  const o = op.object as { apiVersion?: string; kind?: string; metadata?: { namespace?: string; name?: string } };
  return { apiVersion: o.apiVersion ?? '', kind: o.kind ?? '', namespace: o.metadata?.namespace ?? null, name: o.metadata?.name ?? '' };
}
