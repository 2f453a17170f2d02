// Rule: a burst of denied connection attempts from one workload to several destinations:
// what scanning looks like once NetworkPolicies are in force. The busiest window (sliding,
// minute by minute) is the one judged; the finding starts at the first window over the line.
import { count, plural, utcMinute } from './format';
import { type FlowRow, type Finding, latest, minuteMs, summarizeFlows, workloadKey } from './model';
import type { AbuseSettings } from './thresholds';

export interface DeniedBurstInput {
  flows: readonly FlowRow[];
  settings: AbuseSettings['deniedBurst'];
}

const target = (f: FlowRow) => `${f.dstWorkload ? `${f.dstNamespace}/${f.dstWorkload}` : f.dstIp}:${f.port}/${f.protocol}`;

export function detectDeniedBurst(input: DeniedBurstInput): Finding[] {
  const s = input.settings;
  if (!s.enabled) return [];
  const bySource = new Map<string, FlowRow[]>();
  for (const f of input.flows) {
    if (f.srcWorkload === '' || f.verdict !== 'denied') continue;
    const key = workloadKey({ clusterId: f.clusterId, namespace: f.srcNamespace, workload: f.srcWorkload });
    bySource.set(key, [...(bySource.get(key) ?? []), f]);
  }
  const findings: Finding[] = [];
  const windowMs = s.windowMinutes * minuteMs;
  for (const rows of bySource.values()) {
    rows.sort((a, b) => a.minute.getTime() - b.minute.getTime());
    const minutes = [...new Set(rows.map((r) => r.minute.getTime()))];
    let firstHit: { start: number; attempts: number; targets: number } | null = null;
    let best: { start: number; attempts: number; targets: number } | null = null;
    for (const start of minutes) {
      const inWindow = rows.filter((r) => r.minute.getTime() >= start && r.minute.getTime() < start + windowMs);
      const attempts = inWindow.reduce((a, r) => a + r.count, 0);
      const targets = new Set(inWindow.map(target)).size;
      if (attempts < s.attempts || targets < s.distinctTargets) continue;
      const hit = { start, attempts, targets };
      firstHit ??= hit;
      if (!best || attempts > best.attempts) best = hit;
    }
    if (!firstHit || !best) continue;
    const f = rows[0]!;
    const burst = rows.filter((r) => r.minute.getTime() >= firstHit.start);
    findings.push({
      clusterId: f.clusterId,
      namespace: f.srcNamespace,
      workload: f.srcWorkload,
      rule: 'denied-burst',
      severity: best.attempts >= 10 * s.attempts ? 'critical' : 'high',
      startedAt: new Date(firstHit.start),
      lastSeenAt: latest(burst),
      summary:
        `${plural(best.attempts, 'denied connection attempt')} to ${plural(best.targets, 'distinct destination')} within ${s.windowMinutes} minutes from ${utcMinute(new Date(best.start))}; ` +
        `the first burst over the threshold began ${utcMinute(new Date(firstHit.start))}. Threshold: ${count(s.attempts)} denied attempts to at least ${s.distinctTargets} destinations within ${s.windowMinutes} minutes.`,
      evidence: { kind: 'flows', flows: summarizeFlows(burst) },
    });
  }
  return findings;
}
