// The agent protocol, version 1: every message between a cluster agent and the console,
// as zod schemas both ends validate with. Changing a shape means a new version.
import { z } from 'zod';

export const PROTOCOL_VERSION = 1;
export const AGENT_API_PREFIX = '/api/agent/v1';

const Labels = z.record(z.string(), z.string());
export const DriverName = z.enum(['kubernetes', 'sim']);
export type DriverName = z.infer<typeof DriverName>;
const BatchId = z.string().regex(/^[A-Za-z0-9_-]{8,64}$/, 'batch ids are 8-64 URL-safe characters');
const Timestamp = z.iso.datetime({ offset: true });

// ---- Enrollment -------------------------------------------------------------------------

export const EnrollRequest = z.object({
  token: z.string().min(20).max(200),
  /** Ed25519 public key, SPKI PEM. */
  publicKey: z.string().min(40).max(400),
  agentVersion: z.string().max(50),
  driver: DriverName,
  hostname: z.string().max(253).optional(),
});
export type EnrollRequest = z.infer<typeof EnrollRequest>;

export const EnrollResponse = z.object({
  agentId: z.uuid(),
  clusterId: z.uuid(),
  clusterName: z.string(),
  /** The console's Ed25519 public key (SPKI PEM) that signs command bundles; the agent pins it. */
  consoleSigningKey: z.string(),
});
export type EnrollResponse = z.infer<typeof EnrollResponse>;

// ---- Inventory --------------------------------------------------------------------------

export const ContainerPort = z.object({
  name: z.string().optional(),
  port: z.number().int().min(1).max(65535),
  protocol: z.enum(['TCP', 'UDP', 'SCTP']).default('TCP'),
});

/** Pods grouped by their owner (ReplicaSets folded into their Deployment). */
export const WorkloadObject = z.object({
  namespace: z.string().min(1),
  name: z.string().min(1),
  /** Deployment, StatefulSet, DaemonSet, Job, CronJob, Pod (no owner). */
  ownerKind: z.string().min(1),
  /** The pods' labels (what NetworkPolicies select). */
  labels: Labels,
  ips: z.array(z.string()),
  ports: z.array(ContainerPort),
  serviceAccount: z.string().default('default'),
  replicas: z.number().int().min(0),
  readyReplicas: z.number().int().min(0).optional(),
  /** Per-container requests/limits as Kubernetes quantities, summed over containers of one pod. */
  resources: z
    .object({ requests: Record_(), limits: Record_() })
    .partial()
    .optional(),
});
function Record_() {
  return z.record(z.string(), z.string());
}
export type WorkloadObject = z.infer<typeof WorkloadObject>;

export const InventoryKind = z.enum([
  'Namespace',
  'Workload',
  'ServiceAccount',
  'NetworkPolicy',
  'Role',
  'ClusterRole',
  'RoleBinding',
  'ClusterRoleBinding',
  'ResourceQuota',
  'PeerAuthentication',
]);
export type InventoryKind = z.infer<typeof InventoryKind>;

/**
 * One object of the cluster as the console stores it. For Kubernetes kinds `object` is the
 * object as the API server returned it (managedFields stripped); for Workload it is a
 * WorkloadObject; for Namespace at least `{ metadata: { name, labels } }`.
 */
export const InventoryItem = z.object({
  kind: InventoryKind,
  namespace: z.string().nullable(),
  name: z.string().min(1),
  resourceVersion: z.string().nullable().default(null),
  object: z.record(z.string(), z.unknown()),
});
export type InventoryItem = z.infer<typeof InventoryItem>;

export const InventoryRef = InventoryItem.pick({ kind: true, namespace: true, name: true });
export type InventoryRef = z.infer<typeof InventoryRef>;

export const InventoryBatch = z.discriminatedUnion('type', [
  z.object({ type: z.literal('snapshot'), batchId: BatchId, observedAt: Timestamp, items: z.array(InventoryItem).max(100_000) }),
  z.object({
    type: z.literal('delta'),
    batchId: BatchId,
    observedAt: Timestamp,
    upserts: z.array(InventoryItem).max(10_000),
    deletes: z.array(InventoryRef).max(10_000),
  }),
]);
export type InventoryBatch = z.infer<typeof InventoryBatch>;

// ---- Flows ------------------------------------------------------------------------------

export const MtlsState = z.enum(['mutual', 'plaintext', 'unknown']);
export type MtlsState = z.infer<typeof MtlsState>;
export const FlowVerdict = z.enum(['allowed', 'denied', 'dropped']);
export type FlowVerdict = z.infer<typeof FlowVerdict>;

export const FlowEndpoint = z.union([
  z.object({ namespace: z.string().min(1), workload: z.string().min(1) }),
  z.object({ ip: z.string().min(2).max(45) }),
]);
export type FlowEndpoint = z.infer<typeof FlowEndpoint>;

/** Connections aggregated per (source, destination, port, protocol, mTLS, verdict) and minute. */
export const FlowRecord = z.object({
  minute: Timestamp,
  source: FlowEndpoint,
  destination: FlowEndpoint,
  port: z.number().int().min(0).max(65535),
  protocol: z.enum(['TCP', 'UDP', 'SCTP', 'ICMP']),
  mtls: MtlsState,
  verdict: FlowVerdict,
  count: z.number().int().min(1),
  bytes: z.number().int().min(0).optional(),
});
export type FlowRecord = z.infer<typeof FlowRecord>;

export const FlowBatch = z.object({ batchId: BatchId, records: z.array(FlowRecord).max(50_000) });
export type FlowBatch = z.infer<typeof FlowBatch>;

// ---- Usage (added to version 1; older agents simply never send it) --------------------

/**
 * A Kubernetes quantity ("250m", "1.5Gi", "12345678n"). The console's usage ingest parses each
 * one with its exact parser (it needs the value) and refuses the batch naming the field, so
 * it is not parsed here a second time.
 */
const QuantityText = z.string().max(200);
const ResourceAmounts = z.record(z.string().min(1).max(253), QuantityText);

/** One workload at one minute, summed over its pods (metrics.k8s.io in a real cluster). */
export const WorkloadUsageSample = z.object({
  minute: Timestamp,
  namespace: z.string().min(1).max(63),
  workload: z.string().min(1).max(253),
  /** Deployment, StatefulSet, DaemonSet, Job, CronJob, Pod (no owner). */
  kind: z.string().min(1).max(63),
  replicas: z.number().int().min(0),
  usage: z.object({ cpu: QuantityText, memory: QuantityText }),
  /** Requests and limits summed over the same pods; a resource no container sets is absent. */
  requests: z.object({ cpu: QuantityText.optional(), memory: QuantityText.optional() }).default({}),
  limits: z.object({ cpu: QuantityText.optional(), memory: QuantityText.optional() }).default({}),
});
export type WorkloadUsageSample = z.infer<typeof WorkloadUsageSample>;

/** One ResourceQuota's status at one minute. */
export const QuotaUsageSample = z.object({
  minute: Timestamp,
  namespace: z.string().min(1).max(63),
  name: z.string().min(1).max(253),
  hard: ResourceAmounts,
  used: ResourceAmounts,
});
export type QuotaUsageSample = z.infer<typeof QuotaUsageSample>;

export const UsageBatch = z.object({
  batchId: BatchId,
  workloads: z.array(WorkloadUsageSample).max(50_000).default([]),
  quotas: z.array(QuotaUsageSample).max(20_000).default([]),
});
export type UsageBatch = z.infer<typeof UsageBatch>;

// ---- Kubernetes audit events ------------------------------------------------------------

/** The parts of an audit.k8s.io/v1 Event the console keeps (bodies of Secrets never arrive). */
export const KubeAuditEvent = z.object({
  auditID: z.string(),
  stage: z.string().optional(),
  verb: z.string(),
  requestURI: z.string(),
  user: z.object({ username: z.string().optional(), groups: z.array(z.string()).optional() }).passthrough(),
  impersonatedUser: z.object({ username: z.string().optional(), groups: z.array(z.string()).optional() }).passthrough().optional(),
  sourceIPs: z.array(z.string()).optional(),
  userAgent: z.string().optional(),
  objectRef: z
    .object({ resource: z.string().optional(), namespace: z.string().optional(), name: z.string().optional(), apiGroup: z.string().optional(), subresource: z.string().optional() })
    .passthrough()
    .optional(),
  responseStatus: z.object({ code: z.number().int().optional(), reason: z.string().optional(), message: z.string().optional() }).passthrough().optional(),
  requestReceivedTimestamp: Timestamp.optional(),
  stageTimestamp: Timestamp.optional(),
  annotations: z.record(z.string(), z.string()).optional(),
  requestObject: z.unknown().optional(),
  responseObject: z.unknown().optional(),
});
export type KubeAuditEvent = z.infer<typeof KubeAuditEvent>;

export const AuditBatch = z.object({ batchId: BatchId, events: z.array(KubeAuditEvent).max(5_000) });
export type AuditBatch = z.infer<typeof AuditBatch>;

// ---- Heartbeat --------------------------------------------------------------------------

export const Heartbeat = z.object({
  agentVersion: z.string().max(50),
  driver: DriverName,
  queue: z.object({ pending: z.number().int().min(0), dropped: z.number().int().min(0) }),
});
export type Heartbeat = z.infer<typeof Heartbeat>;

// ---- Commands (downlink) ----------------------------------------------------------------

export const ObjectRef = z.object({ apiVersion: z.string(), kind: z.string(), namespace: z.string().nullable(), name: z.string() });
export type ObjectRef = z.infer<typeof ObjectRef>;

export const BundleOperation = z.discriminatedUnion('action', [
  z.object({
    action: z.literal('apply'),
    object: z.record(z.string(), z.unknown()),
    /** The live object's resourceVersion the diff was computed against; null: it did not exist. */
    expectedResourceVersion: z.string().nullable(),
  }),
  z.object({ action: z.literal('delete'), ref: ObjectRef, expectedResourceVersion: z.string().nullable() }),
]);
export type BundleOperation = z.infer<typeof BundleOperation>;

/** A workload that a sleep or wake command scales down or restores (see agent/workload-sleep.ts). */
export const SleepTarget = z.object({ kind: z.enum(['Deployment', 'StatefulSet', 'CronJob']), namespace: z.string().min(1).max(63), name: z.string().min(1).max(253) });
export type SleepTarget = z.infer<typeof SleepTarget>;

export const CommandBundle = z.object({
  version: z.literal(PROTOCOL_VERSION),
  commandId: z.uuid(),
  /** sleep / wake (added to version 1): no operations; the agent reads each target and patches it. */
  type: z.enum(['apply', 'dry-run', 'sleep', 'wake']),
  targets: z.array(SleepTarget).max(100).optional(),
  changeId: z.string().nullable(),
  clusterId: z.uuid(),
  issuedAt: Timestamp,
  operations: z.array(BundleOperation).max(500),
  /** SHA-256 of the change content the approvals signed. */
  approvalsDigest: z.string().nullable(),
  approvals: z.array(z.object({ userId: z.string(), email: z.string(), at: Timestamp })),
  /**
   * Added to version 1: on the removal of an expired time-bound grant, the grant's apply
   * bundle exactly as the console signed it, whose approvals cover the removal (verified by
   * agent/grant-removal.ts). Absent on every other bundle, so their signed text is unchanged.
   */
  grantExpiry: z.object({ bundle: z.string().max(4_000_000), signature: z.string().max(200) }).optional(),
});
export type CommandBundle = z.infer<typeof CommandBundle>;

/** The bundle exactly as signed (canonical JSON), and the console's Ed25519 signature over it. */
export const SignedCommand = z.object({ bundle: z.string(), signature: z.string() });
export type SignedCommand = z.infer<typeof SignedCommand>;

export const CommandPoll = z.object({ commands: z.array(SignedCommand) });

export const OperationResult = z.object({
  ref: ObjectRef,
  outcome: z.enum(['applied', 'deleted', 'unchanged', 'failed', 'skipped', 'stale']),
  message: z.string().optional(),
  /** Audit-Id header of the API response, to link Kubernetes audit events exactly. */
  auditId: z.string().optional(),
  /** What the cluster stored (or would store, in a dry run). */
  object: z.record(z.string(), z.unknown()).optional(),
});
export type OperationResult = z.infer<typeof OperationResult>;

export const CommandResult = z.object({
  commandId: z.uuid(),
  status: z.enum(['applied', 'partial', 'failed', 'stale', 'refused', 'dry-run']),
  message: z.string().optional(),
  results: z.array(OperationResult),
});
export type CommandResult = z.infer<typeof CommandResult>;
