// Rule: CPU held near its limit for a sustained period while the workload receives little
// inbound traffic. A busy web service runs hot because it serves requests; a miner runs hot
// for nobody. Only the run of minutes still going on now counts (the last point is recent).
import type { AbuseSettings } from './thresholds';
import { count, durationMinutes, utcMinute } from './format';
import { type FlowRow, type Finding, type UsagePoint, type WorkloadUsageSeries, minuteMs, workloadKey } from './model';

/** A gap longer than this between usage points ends a run (the agent missed a report). */
export const MAX_GAP_MINUTES = 3;
const EVIDENCE_POINTS = 180;

export interface CpuPinnedInput {
  series: readonly WorkloadUsageSeries[];
  /** Flows into the workloads over at least the series' span. */
  flows: readonly FlowRow[];
  now: Date;
  settings: AbuseSettings['cpuPinned'];
}

const pinned = (p: UsagePoint, ratio: number) => p.cpuLimitMillicores > 0 && p.replicas > 0 && p.cpuMillicores >= ratio * p.cpuLimitMillicores;

export function detectCpuPinnedIdle(input: CpuPinnedInput): Finding[] {
  const s = input.settings;
  if (!s.enabled) return [];
  // Allowed inbound connections per workload per minute.
  const inbound = new Map<string, Map<number, number>>();
  for (const f of input.flows) {
    if (f.dstWorkload === '' || f.verdict !== 'allowed') continue;
    const key = workloadKey({ clusterId: f.clusterId, namespace: f.dstNamespace, workload: f.dstWorkload });
    const perMinute = inbound.get(key) ?? new Map<number, number>();
    perMinute.set(f.minute.getTime(), (perMinute.get(f.minute.getTime()) ?? 0) + f.count);
    inbound.set(key, perMinute);
  }
  const findings: Finding[] = [];
  for (const series of input.series) {
    const points = [...series.points].sort((a, b) => a.minute.getTime() - b.minute.getTime());
    const last = points.at(-1);
    if (!last || input.now.getTime() - last.minute.getTime() > MAX_GAP_MINUTES * minuteMs) continue;
    // Walk back from the latest point while the CPU stays pinned and no report is missing.
    let start = points.length - 1;
    if (!pinned(last, s.limitRatio)) continue;
    while (start > 0 && pinned(points[start - 1]!, s.limitRatio) && points[start]!.minute.getTime() - points[start - 1]!.minute.getTime() <= MAX_GAP_MINUTES * minuteMs) start -= 1;
    const run = points.slice(start);
    const first = run[0]!;
    const spanMs = last.minute.getTime() - first.minute.getTime() + minuteMs;
    if (spanMs < s.minutes * minuteMs) continue;
    const perMinute = inbound.get(workloadKey(series)) ?? new Map<number, number>();
    let received = 0;
    for (const [minute, n] of perMinute) if (minute >= first.minute.getTime() && minute <= last.minute.getTime()) received += n;
    const inboundRate = received / (spanMs / minuteMs);
    if (inboundRate > s.maxInboundPerMinute) continue;
    const avgCpu = run.reduce((a, p) => a + p.cpuMillicores, 0) / run.length;
    const avgLimit = run.reduce((a, p) => a + p.cpuLimitMillicores, 0) / run.length;
    const percent = Math.floor((avgCpu / avgLimit) * 1000) / 10;
    const shown = points.slice(Math.max(0, points.length - EVIDENCE_POINTS));
    findings.push({
      clusterId: series.clusterId,
      namespace: series.namespace,
      workload: series.workload,
      rule: 'cpu-pinned-idle',
      severity: spanMs >= 6 * s.minutes * minuteMs ? 'critical' : 'high',
      startedAt: first.minute,
      lastSeenAt: last.minute,
      summary:
        `CPU has stayed at ${percent} % of its limit (${count(avgCpu)} of ${count(avgLimit)} millicores on average) for ${durationMinutes(spanMs)} since ${utcMinute(first.minute)}, ` +
        `while the workload received ${inboundRate.toFixed(1)} inbound connections a minute. ` +
        `Threshold: at least ${Math.round(s.limitRatio * 100)} % of the limit for ${s.minutes} minutes with at most ${s.maxInboundPerMinute} inbound connections a minute.`,
      evidence: {
        kind: 'usage',
        points: shown.map((p) => ({ minute: p.minute.toISOString(), cpuMillicores: Math.round(p.cpuMillicores), cpuLimitMillicores: Math.round(p.cpuLimitMillicores), inbound: perMinute.get(p.minute.getTime()) ?? 0 })),
      },
    });
  }
  return findings;
}

