// What the abuse rules read and what they report. Rules are pure functions of the usage
// series, the flow rows and the tenant's thresholds, with the clock passed in; the
// detection job (server/services/abuse/run-abuse-detection.ts) feeds them from the database.

export const ABUSE_RULES = ['cpu-pinned-idle', 'mining-pool', 'egress-fanout', 'denied-burst', 'quota-pinned'] as const;
export type AbuseRule = (typeof ABUSE_RULES)[number];

export const RULE_TITLES: Record<AbuseRule, string> = {
  'cpu-pinned-idle': 'CPU held at its limit with little inbound traffic',
  'mining-pool': 'Connections to cryptocurrency mining pools',
  'egress-fanout': 'Egress fan-out to many new external addresses',
  'denied-burst': 'Burst of denied connection attempts (scanning)',
  'quota-pinned': 'Quota pinned at its ceiling',
};

export const SEVERITIES = ['low', 'medium', 'high', 'critical'] as const;
export type Severity = (typeof SEVERITIES)[number];

export function severityRank(s: Severity): number {
  return SEVERITIES.indexOf(s);
}

/** One minute of one workload's usage, summed over its pods. */
export interface UsagePoint {
  minute: Date;
  cpuMillicores: number;
  /** The sum of the pods' CPU limits; 0 when no limit is set. */
  cpuLimitMillicores: number;
  memoryBytes: number;
  replicas: number;
}

export interface WorkloadRef {
  clusterId: string;
  namespace: string;
  workload: string;
}

export interface WorkloadUsageSeries extends WorkloadRef {
  /** Ascending by minute. */
  points: UsagePoint[];
}

/** A row of flow_minutes: empty strings mean "none" (an address end has no workload). */
export interface FlowRow {
  clusterId: string;
  minute: Date;
  srcNamespace: string;
  srcWorkload: string;
  srcIp: string;
  dstNamespace: string;
  dstWorkload: string;
  dstIp: string;
  port: number;
  protocol: string;
  mtls: string;
  verdict: string;
  count: number;
}

/** One ResourceQuota resource of one namespace at one time (quantities as Kubernetes writes them). */
export interface QuotaSample {
  at: Date;
  clusterId: string;
  namespace: string;
  quota: string;
  resource: string;
  used: string;
  hard: string;
}

export type Evidence =
  | { kind: 'usage'; points: { minute: string; cpuMillicores: number; cpuLimitMillicores: number; inbound: number }[] }
  | { kind: 'flows'; flows: EvidenceFlow[] }
  | { kind: 'quota'; samples: { at: string; quota: string; resource: string; used: string; hard: string }[] };

/** Flow rows summed over the finding's window, per shape. */
export interface EvidenceFlow {
  from: string;
  to: string;
  port: number;
  protocol: string;
  verdict: string;
  count: number;
  firstMinute: string;
  lastMinute: string;
}

export interface Finding extends WorkloadRef {
  rule: AbuseRule;
  severity: Severity;
  /** When the behaviour started (the first minute of the evidence). */
  startedAt: Date;
  /** The last minute the behaviour was seen. */
  lastSeenAt: Date;
  /** Why the rule fired, in words, with the figures and the thresholds. */
  summary: string;
  evidence: Evidence;
}

export const minuteMs = 60_000;

export function workloadKey(r: { clusterId: string; namespace: string; workload: string }): string {
  return `${r.clusterId}\0${r.namespace}\0${r.workload}`;
}

export function endLabel(namespace: string, workload: string, ip: string): string {
  return workload ? `${namespace}/${workload}` : ip;
}

/** Sums flow rows per (from, to, port, protocol, verdict), busiest first. */
export function summarizeFlows(rows: readonly FlowRow[], limit = 50): EvidenceFlow[] {
  const byShape = new Map<string, EvidenceFlow>();
  for (const r of rows) {
    const from = endLabel(r.srcNamespace, r.srcWorkload, r.srcIp);
    const to = endLabel(r.dstNamespace, r.dstWorkload, r.dstIp);
    const key = `${from}\0${to}\0${r.port}\0${r.protocol}\0${r.verdict}`;
    const minute = r.minute.toISOString();
    const e = byShape.get(key);
    if (!e) byShape.set(key, { from, to, port: r.port, protocol: r.protocol, verdict: r.verdict, count: r.count, firstMinute: minute, lastMinute: minute });
    else {
      e.count += r.count;
      if (minute < e.firstMinute) e.firstMinute = minute;
      if (minute > e.lastMinute) e.lastMinute = minute;
    }
  }
  return [...byShape.values()].sort((a, b) => b.count - a.count || a.to.localeCompare(b.to)).slice(0, limit);
}

export function earliest(rows: readonly { minute: Date }[]): Date {
  return new Date(Math.min(...rows.map((r) => r.minute.getTime())));
}

export function latest(rows: readonly { minute: Date }[]): Date {
  return new Date(Math.max(...rows.map((r) => r.minute.getTime())));
}

/** Whether a flow's destination is outside the cluster (an address, no workload). */
export function isExternalDestination(r: FlowRow): boolean {
  return r.dstWorkload === '' && r.dstIp !== '';
}
