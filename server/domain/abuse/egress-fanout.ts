// Rule: a workload contacting many external addresses it had not contacted before, within a
// short window: a worm spreading, a proxy for someone else, or a scanner of the internet.
// "Before" is the baseline: the addresses the workload reached in the hours preceding the window.
import { count, plural, utcMinute } from './format';
import { type FlowRow, type Finding, earliest, isExternalDestination, latest, minuteMs, summarizeFlows, workloadKey } from './model';
import type { AbuseSettings } from './thresholds';

export interface EgressFanoutInput {
  /** Flows of at least the last `windowMinutes`. */
  flows: readonly FlowRow[];
  /** External addresses each workload reached during the baseline before the window. */
  baseline: readonly { clusterId: string; namespace: string; workload: string; ip: string }[];
  now: Date;
  settings: AbuseSettings['egressFanout'];
}

export function detectEgressFanout(input: EgressFanoutInput): Finding[] {
  const s = input.settings;
  if (!s.enabled) return [];
  const windowStart = input.now.getTime() - s.windowMinutes * minuteMs;
  const known = new Set(input.baseline.map((b) => `${workloadKey(b)}\0${b.ip}`));
  const bySource = new Map<string, { rows: FlowRow[]; fresh: Set<string> }>();
  for (const f of input.flows) {
    if (f.srcWorkload === '' || !isExternalDestination(f) || f.minute.getTime() < windowStart || f.minute.getTime() > input.now.getTime()) continue;
    const key = workloadKey({ clusterId: f.clusterId, namespace: f.srcNamespace, workload: f.srcWorkload });
    if (known.has(`${key}\0${f.dstIp}`)) continue;
    const group = bySource.get(key) ?? { rows: [] as FlowRow[], fresh: new Set<string>() };
    group.rows.push(f);
    group.fresh.add(f.dstIp);
    bySource.set(key, group);
  }
  const findings: Finding[] = [];
  for (const { rows, fresh } of bySource.values()) {
    if (fresh.size < s.newAddresses) continue;
    const f = rows[0]!;
    const started = earliest(rows);
    const total = rows.reduce((a, r) => a + r.count, 0);
    findings.push({
      clusterId: f.clusterId,
      namespace: f.srcNamespace,
      workload: f.srcWorkload,
      rule: 'egress-fanout',
      severity: fresh.size >= 10 * s.newAddresses ? 'critical' : 'high',
      startedAt: started,
      lastSeenAt: latest(rows),
      summary:
        `Reached ${plural(fresh.size, 'external address', 'external addresses')} in the last ${s.windowMinutes} minutes (since ${utcMinute(started)}, ${count(total)} connections) ` +
        `that it had not contacted in the ${s.baselineHours} hours before. Threshold: ${s.newAddresses} new addresses within ${s.windowMinutes} minutes.`,
      evidence: { kind: 'flows', flows: summarizeFlows(rows, 100) },
    });
  }
  return findings;
}
