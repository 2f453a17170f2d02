// Runs every abuse rule over one tenant's data with the tenant's thresholds.
import { detectCpuPinnedIdle } from './cpu-pinned-idle';
import { detectDeniedBurst } from './denied-burst';
import { detectEgressFanout } from './egress-fanout';
import { detectMiningPool } from './mining-pool';
import type { FlowRow, Finding, QuotaSample, WorkloadUsageSeries } from './model';
import { detectQuotaPinned } from './quota-pinned';
import type { AbuseSettings } from './thresholds';

export interface TenantAbuseData {
  /** Flows out of and into the tenant's workloads over the longest rule window. */
  flows: readonly FlowRow[];
  /** External addresses the tenant's workloads reached before the fan-out window. */
  baseline: readonly { clusterId: string; namespace: string; workload: string; ip: string }[];
  usage: readonly WorkloadUsageSeries[];
  quotas: readonly QuotaSample[];
}

/** How far back the detection job must read flows for these settings. */
export function lookbackMinutes(s: AbuseSettings): number {
  return Math.max(15, s.cpuPinned.minutes + 5, s.egressFanout.windowMinutes, 3 * s.deniedBurst.windowMinutes, s.sleep.idleMinutes + 5);
}

export function detectAbuse(data: TenantAbuseData, settings: AbuseSettings, now: Date): Finding[] {
  return [
    ...detectMiningPool({ flows: data.flows, settings: settings.miningPool }),
    ...detectCpuPinnedIdle({ series: data.usage, flows: data.flows, now, settings: settings.cpuPinned }),
    ...detectEgressFanout({ flows: data.flows, baseline: data.baseline, now, settings: settings.egressFanout }),
    ...detectDeniedBurst({ flows: data.flows, settings: settings.deniedBurst }),
    ...detectQuotaPinned({ samples: data.quotas, now, settings: settings.quotaPinned }),
  ];
}
