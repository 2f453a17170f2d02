// Rule: a namespace's quota held at its ceiling (used ≥ the threshold share of hard) in every
// sample over a sustained period: deploys there fail, and a runaway workload may be why.
// Quantities are compared exactly (server/domain/quotas/quantity.ts), never as floats.
import { durationMinutes, utcMinute } from './format';
import { type Finding, type QuotaSample, minuteMs } from './model';
import { formatPercent, parseQuantity, ratioAtLeast, usageRatio } from '../quotas/quantity';
import type { AbuseSettings } from './thresholds';

export interface QuotaPinnedInput {
  samples: readonly QuotaSample[];
  now: Date;
  settings: AbuseSettings['quotaPinned'];
}

/** Samples further apart than this do not make a continuous run. */
export const MAX_SAMPLE_GAP_MINUTES = 15;

export function detectQuotaPinned(input: QuotaPinnedInput): Finding[] {
  const s = input.settings;
  if (!s.enabled) return [];
  const per = Math.round(s.usedRatio * 10_000);
  const series = new Map<string, QuotaSample[]>();
  for (const q of input.samples) {
    const key = `${q.clusterId}\0${q.namespace}\0${q.quota}\0${q.resource}`;
    series.set(key, [...(series.get(key) ?? []), q]);
  }
  const byNamespace = new Map<string, { clusterId: string; namespace: string; pinned: { samples: QuotaSample[]; percent: string }[] }>();
  for (const samples of series.values()) {
    samples.sort((a, b) => a.at.getTime() - b.at.getTime());
    const atCeiling = (q: QuotaSample) => {
      const used = parseQuantity(q.used);
      const hard = parseQuantity(q.hard);
      if (!used.ok || !hard.ok) return null;
      const r = usageRatio(used.quantity, hard.quantity);
      return r && ratioAtLeast(r, BigInt(per), 10_000n) ? r : null;
    };
    const last = samples.at(-1)!;
    const lastRatio = atCeiling(last);
    if (!lastRatio || input.now.getTime() - last.at.getTime() > MAX_SAMPLE_GAP_MINUTES * minuteMs) continue;
    let start = samples.length - 1;
    while (start > 0 && atCeiling(samples[start - 1]!) && samples[start]!.at.getTime() - samples[start - 1]!.at.getTime() <= MAX_SAMPLE_GAP_MINUTES * minuteMs) start -= 1;
    const run = samples.slice(start);
    if (last.at.getTime() - run[0]!.at.getTime() < s.minutes * minuteMs) continue;
    const key = `${last.clusterId}\0${last.namespace}`;
    const entry = byNamespace.get(key) ?? { clusterId: last.clusterId, namespace: last.namespace, pinned: [] };
    entry.pinned.push({ samples: run, percent: formatPercent(lastRatio) });
    byNamespace.set(key, entry);
  }
  return [...byNamespace.values()].map((ns) => {
    const started = new Date(Math.min(...ns.pinned.map((p) => p.samples[0]!.at.getTime())));
    const lastSeen = new Date(Math.max(...ns.pinned.map((p) => p.samples.at(-1)!.at.getTime())));
    const parts = ns.pinned
      .map((p) => {
        const l = p.samples.at(-1)!;
        return `${l.quota} ${l.resource} ${l.used} of ${l.hard} (${p.percent}) since ${utcMinute(p.samples[0]!.at)}`;
      })
      .sort();
    return {
      clusterId: ns.clusterId,
      namespace: ns.namespace,
      workload: '',
      rule: 'quota-pinned' as const,
      severity: 'medium' as const,
      startedAt: started,
      lastSeenAt: lastSeen,
      summary: `Quota at its ceiling for ${durationMinutes(lastSeen.getTime() - started.getTime())}: ${parts.join('; ')}. Threshold: at least ${Math.round(s.usedRatio * 1000) / 10} % of hard for ${s.minutes} minutes.`,
      evidence: {
        kind: 'quota' as const,
        samples: ns.pinned.flatMap((p) => p.samples.slice(-120).map((q) => ({ at: q.at.toISOString(), quota: q.quota, resource: q.resource, used: q.used, hard: q.hard }))),
      },
    };
  });
}
