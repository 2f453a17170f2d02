// Builders for the abuse rules' tests: flow rows and usage points with defaults.
import type { FlowRow, UsagePoint, WorkloadUsageSeries } from './model';

export const CLUSTER = '00000000-0000-4000-8000-000000000001';
export const T0 = new Date('2026-03-05T12:00:00Z');
export const at = (minutes: number) => new Date(T0.getTime() + minutes * 60_000);

export function flow(over: Partial<FlowRow> & { minute: Date }): FlowRow {
  return {
    clusterId: CLUSTER,
    srcNamespace: 'sandbox',
    srcWorkload: 'trainer',
    srcIp: '',
    dstNamespace: '',
    dstWorkload: '',
    dstIp: '203.0.113.9',
    port: 443,
    protocol: 'TCP',
    mtls: 'unknown',
    verdict: 'allowed',
    count: 10,
    ...over,
  };
}

export function inbound(workload: string, minute: Date, count = 10, namespace = 'sandbox'): FlowRow {
  return flow({ minute, srcNamespace: 'istio-system', srcWorkload: 'gateway', dstNamespace: namespace, dstWorkload: workload, dstIp: '', port: 8080, count });
}

export function series(workload: string, points: Partial<UsagePoint>[], namespace = 'sandbox'): WorkloadUsageSeries {
  return {
    clusterId: CLUSTER,
    namespace,
    workload,
    points: points.map((p, i) => ({ minute: at(i), cpuMillicores: 100, cpuLimitMillicores: 2000, memoryBytes: 1e8, replicas: 1, ...p })),
  };
}

/** `n` consecutive minutes ending at minute `end` (inclusive), same values. */
export function minutes(n: number, end: number, p: Partial<UsagePoint>): Partial<UsagePoint>[] {
  return Array.from({ length: n }, (_, i) => ({ ...p, minute: at(end - n + 1 + i) }));
}
