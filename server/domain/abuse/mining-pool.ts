// Rule: connections from a workload to known cryptocurrency mining pools (by address, or by
// stratum port when the connection leaves the cluster). Allowed connections are critical;
// attempts that a policy already denied are still reported, at medium severity, because
// something in the workload is trying.
import { plural, utcMinute } from './format';
import { type FlowRow, type Finding, earliest, isExternalDestination, latest, summarizeFlows, workloadKey } from './model';
import { poolMatcher } from './mining-pools';
import type { AbuseSettings } from './thresholds';

export interface MiningPoolInput {
  flows: readonly FlowRow[];
  settings: AbuseSettings['miningPool'];
}

export function detectMiningPool(input: MiningPoolInput): Finding[] {
  const s = input.settings;
  if (!s.enabled) return [];
  const matcher = poolMatcher({ addresses: s.extraAddresses, ports: s.extraPorts });
  const bySource = new Map<string, { rows: FlowRow[]; reasons: Map<string, string> }>();
  for (const f of input.flows) {
    if (f.srcWorkload === '' || !isExternalDestination(f)) continue;
    const why = matcher.match(f.dstIp, f.port);
    if (!why) continue;
    const key = workloadKey({ clusterId: f.clusterId, namespace: f.srcNamespace, workload: f.srcWorkload });
    const group = bySource.get(key) ?? { rows: [] as FlowRow[], reasons: new Map<string, string>() };
    group.rows.push(f);
    group.reasons.set(`${f.dstIp}:${f.port}`, why);
    bySource.set(key, group);
  }
  return [...bySource.values()].map(({ rows, reasons }) => {
    const f = rows[0]!;
    const allowed = rows.filter((r) => r.verdict === 'allowed').reduce((a, r) => a + r.count, 0);
    const total = rows.reduce((a, r) => a + r.count, 0);
    const started = earliest(rows);
    const destinations = [...reasons.entries()].sort(([a], [b]) => a.localeCompare(b));
    return {
      clusterId: f.clusterId,
      namespace: f.srcNamespace,
      workload: f.srcWorkload,
      rule: 'mining-pool' as const,
      severity: allowed > 0 ? ('critical' as const) : ('medium' as const),
      startedAt: started,
      lastSeenAt: latest(rows),
      summary:
        `${plural(total, 'connection')} since ${utcMinute(started)} to ${plural(destinations.length, 'mining-pool endpoint')} ` +
        `(${allowed > 0 ? `${plural(allowed, 'connection')} allowed` : 'every attempt denied by policy'}): ` +
        destinations.map(([dest, why]) => `${dest}: ${why}`).join('; ') +
        '.',
      evidence: { kind: 'flows' as const, flows: summarizeFlows(rows) },
    };
  });
}
