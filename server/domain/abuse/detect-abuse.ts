// Runs every abuse rule over one tenant's data with the tenant's thresholds.
import { detectCpuPinnedIdle } from './cpu-pinned-idle';
import { detectDeniedBurst } from './denied-burst';
import { detectEgressFanout } from './egress-fanout';
import { detectMiningPool } from './mining-pool';
import { type EvidenceFlow, type FlowRow, type Finding, type QuotaSample, type WorkloadUsageSeries } from './model';
import { detectQuotaPinned } from './quota-pinned';
import type { AbuseSettings } from './thresholds';

export interface TenantAbuseData {
  /** Flows out of and into the tenant's workloads over the longest rule window. */
  flows: readonly FlowRow[];
  /** External addresses the tenant's workloads reached before the fan-out window. */
  baseline: readonly { clusterId: string; namespace: string; workload: string; ip: string }[];
  usage: readonly WorkloadUsageSeries[];
  quotas: readonly QuotaSample[];
  /**
   * Whether a namespace belongs to the tenant. Evidence is read by the tenant's own admins and
   * viewers, so a flow's far end in another tenant is named only as "another tenant", as the
   * graph does.
   */
  ownsNamespace: (clusterId: string, namespace: string) => boolean;
}

export const ANOTHER_TENANT = 'another tenant';

/** How far back the detection job must read flows for these settings. */
export function lookbackMinutes(s: AbuseSettings): number {
  return Math.max(15, s.cpuPinned.minutes + 5, s.egressFanout.windowMinutes, 3 * s.deniedBurst.windowMinutes, s.sleep.idleMinutes + 5);
}

export function detectAbuse(data: TenantAbuseData, settings: AbuseSettings, now: Date): Finding[] {
  const findings = [
    ...detectMiningPool({ flows: data.flows, settings: settings.miningPool }),
    ...detectCpuPinnedIdle({ series: data.usage, flows: data.flows, now, settings: settings.cpuPinned }),
    ...detectEgressFanout({ flows: data.flows, baseline: data.baseline, now, settings: settings.egressFanout }),
    ...detectDeniedBurst({ flows: data.flows, settings: settings.deniedBurst }),
    ...detectQuotaPinned({ samples: data.quotas, now, settings: settings.quotaPinned }),
  ];
  return findings.map((f) => (f.evidence.kind === 'flows' ? { ...f, evidence: { kind: 'flows', flows: maskForeignEnds(f.clusterId, f.evidence.flows, data.ownsNamespace) } } : f));
}

/** Renames ends in namespaces the tenant does not own and sums the rows that become alike. */
function maskForeignEnds(clusterId: string, flows: readonly EvidenceFlow[], owns: TenantAbuseData['ownsNamespace']): EvidenceFlow[] {
  // Workload ends are labelled "namespace/workload"; external ends are bare addresses (no slash).
  const label = (end: string) => {
    const slash = end.indexOf('/');
    return slash > 0 && !owns(clusterId, end.slice(0, slash)) ? ANOTHER_TENANT : end;
  };
  const merged = new Map<string, EvidenceFlow>();
  for (const f of flows) {
    const m = { ...f, from: label(f.from), to: label(f.to) };
    const key = `${m.from}\0${m.to}\0${m.port}\0${m.protocol}\0${m.verdict}`;
    const e = merged.get(key);
    if (!e) merged.set(key, m);
    else {
      e.count += m.count;
      if (m.firstMinute < e.firstMinute) e.firstMinute = m.firstMinute;
      if (m.lastMinute > e.lastMinute) e.lastMinute = m.lastMinute;
    }
  }
  return [...merged.values()].sort((a, b) => b.count - a.count || a.to.localeCompare(b.to));
}
