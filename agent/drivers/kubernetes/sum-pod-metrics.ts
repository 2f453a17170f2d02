// Pure: metrics.k8s.io PodMetrics summed per owning workload (ReplicaSets folded into their
// Deployment, Jobs into their CronJob, as the inventory's workloads are), with the requests
// and limits of the same pods, as the protocol's usage samples. Quantities are added
// exactly (server/domain/quotas/quantity.ts); metrics-server reports CPU in nanocores ("n").
import { parseQuantity, sumResourceMaps } from '../../../server/domain/quotas/quantity';
import type { QuotaUsageSample, WorkloadUsageSample } from '../../protocol/messages';
import { type OwnerIndex, type PodLike, workloadId, workloadKeyOf } from './derive-workloads';

/** The parts of a metrics.k8s.io/v1beta1 PodMetrics the sum reads. */
export interface PodMetricsLike {
  metadata?: { name?: string; namespace?: string };
  containers?: Array<{ name?: string; usage?: Record<string, string> }>;
}

export function sumPodMetrics(pods: readonly PodLike[], owners: OwnerIndex, metrics: readonly PodMetricsLike[], minute: Date): WorkloadUsageSample[] {
  const podByName = new Map(pods.map((p) => [`${p.metadata?.namespace ?? ''}/${p.metadata?.name ?? ''}`, p]));
  const groups = new Map<string, { key: ReturnType<typeof workloadKeyOf>; usage: Record<string, string>[]; requests: Record<string, string>[]; limits: Record<string, string>[]; pods: number }>();
  for (const m of metrics) {
    const pod = podByName.get(`${m.metadata?.namespace ?? ''}/${m.metadata?.name ?? ''}`);
    // A pod the inventory has not seen yet (or already forgot) is counted at the next sample.
    if (!pod) continue;
    const key = workloadKeyOf(pod, owners);
    const id = workloadId(key);
    const g = groups.get(id) ?? { key, usage: [], requests: [], limits: [], pods: 0 };
    g.pods += 1;
    for (const c of m.containers ?? []) g.usage.push(pick(c.usage));
    for (const c of pod.spec?.containers ?? []) {
      g.requests.push(pick(c.resources?.requests));
      g.limits.push(pick(c.resources?.limits));
    }
    groups.set(id, g);
  }
  const at = minute.toISOString();
  return [...groups.values()]
    .sort((a, b) => a.key.namespace.localeCompare(b.key.namespace) || a.key.name.localeCompare(b.key.name))
    .map((g) => {
      const usage = valid(sumResourceMaps(g.usage));
      const requests = valid(sumResourceMaps(g.requests));
      const limits = valid(sumResourceMaps(g.limits));
      return {
        minute: at,
        namespace: g.key.namespace,
        workload: g.key.name,
        kind: g.key.ownerKind,
        replicas: g.pods,
        usage: { cpu: usage.cpu ?? '0', memory: usage.memory ?? '0' },
        requests,
        limits,
      };
    });
}

// The API server never stores a malformed quantity, but one bad value must not cost the batch.
function valid(map: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(map).filter(([, v]) => parseQuantity(v).ok));
}

function pick(map: Record<string, string> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (map?.cpu !== undefined) out.cpu = String(map.cpu);
  if (map?.memory !== undefined) out.memory = String(map.memory);
  return out;
}

/** Each ResourceQuota's status (spec.hard before the quota controller has counted). */
export function quotaSamples(quotas: readonly { metadata?: { name?: string; namespace?: string }; spec?: { hard?: Record<string, string> }; status?: { hard?: Record<string, string>; used?: Record<string, string> } }[], minute: Date): QuotaUsageSample[] {
  return quotas.map((q) => ({
    minute: minute.toISOString(),
    namespace: q.metadata?.namespace ?? '',
    name: q.metadata?.name ?? '',
    hard: { ...(q.status?.hard ?? q.spec?.hard ?? {}) },
    used: { ...(q.status?.used ?? {}) },
  }));
}
