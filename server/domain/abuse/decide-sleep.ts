// Activity-based sleep: whether one workload should be put to sleep now. Conservative by
// construction: any inbound connection in the window, any CPU reading at or above the
// threshold, any hole in the usage reports, a system namespace, an exemption label, or the
// tenant not having opted in, and the answer is no, with the reason in words.
import { plural, utcMinute } from './format';
import { type FlowRow, type UsagePoint, minuteMs } from './model';
import type { AbuseSettings } from './thresholds';

/** Namespaces of the platform itself: never slept, whatever a tenant's settings say. */
export const SYSTEM_NAMESPACES: ReadonlySet<string> = new Set(['kube-system', 'kube-public', 'kube-node-lease', 'default', 'istio-system', 'cert-manager', 'verity-system']);

export function isSystemNamespace(namespace: string): boolean {
  return SYSTEM_NAMESPACES.has(namespace) || namespace.startsWith('kube-') || namespace.startsWith('openshift-');
}

/** Only these scale to zero and back; a CronJob is suspended only on a person's request. */
export const AUTO_SLEEP_KINDS: ReadonlySet<string> = new Set(['Deployment', 'StatefulSet']);

/** A hole longer than this in the usage reports means the window is not known to be idle. */
export const MAX_REPORT_GAP_MINUTES = 3;

export interface SleepCandidate {
  clusterId: string;
  namespace: string;
  workload: string;
  ownerKind: string;
  /** The pods' labels. */
  labels: Readonly<Record<string, string>>;
  replicas: number;
}

export interface SleepInput {
  candidate: SleepCandidate;
  settings: AbuseSettings['sleep'];
  /** The workload's usage, ascending or not. */
  usage: readonly UsagePoint[];
  /** Flows into the workload (any source), at least over the window. */
  inbound: readonly FlowRow[];
  now: Date;
}

export type SleepDecision = { sleep: true; reason: string; idleSince: Date } | { sleep: false; reason: string };

export function decideSleep(input: SleepInput): SleepDecision {
  const { candidate: c, settings: s, now } = input;
  if (!s.enabled) return { sleep: false, reason: 'activity-based sleep is not enabled for this tenant' };
  if (isSystemNamespace(c.namespace)) return { sleep: false, reason: `${c.namespace} is a system namespace` };
  if (!AUTO_SLEEP_KINDS.has(c.ownerKind)) return { sleep: false, reason: `a ${c.ownerKind} is not put to sleep automatically` };
  if (c.replicas === 0) return { sleep: false, reason: 'it already runs no pods' };
  const exempt = c.labels[s.exemptLabel];
  if (exempt !== undefined && exempt !== 'false') return { sleep: false, reason: `it carries the exemption label ${s.exemptLabel}` };

  const windowStart = now.getTime() - s.idleMinutes * minuteMs;
  const served = input.inbound.filter(
    (f) => f.dstNamespace === c.namespace && f.dstWorkload === c.workload && f.clusterId === c.clusterId && f.verdict === 'allowed' && f.minute.getTime() >= windowStart && f.count > 0,
  );
  if (served.length > 0) {
    const n = served.reduce((a, f) => a + f.count, 0);
    return { sleep: false, reason: `it served ${plural(n, 'inbound connection')} in the last ${s.idleMinutes} minutes` };
  }

  const points = input.usage.filter((p) => p.minute.getTime() >= windowStart - MAX_REPORT_GAP_MINUTES * minuteMs && p.minute.getTime() <= now.getTime()).sort((a, b) => a.minute.getTime() - b.minute.getTime());
  const gap = MAX_REPORT_GAP_MINUTES * minuteMs;
  const covered =
    points.length > 0 &&
    points[0]!.minute.getTime() <= windowStart + gap &&
    now.getTime() - points.at(-1)!.minute.getTime() <= gap &&
    points.every((p, i) => i === 0 || p.minute.getTime() - points[i - 1]!.minute.getTime() <= gap);
  if (!covered) return { sleep: false, reason: `its usage reports do not cover the last ${s.idleMinutes} minutes without gaps` };
  const busy = points.find((p) => p.cpuMillicores >= s.cpuBelowMillicores);
  if (busy) return { sleep: false, reason: `its CPU reached ${Math.round(busy.cpuMillicores)} millicores at ${utcMinute(busy.minute)} (threshold ${s.cpuBelowMillicores})` };
  const peak = Math.max(...points.map((p) => p.cpuMillicores));
  const since = new Date(windowStart);
  return {
    sleep: true,
    idleSince: since,
    reason: `No inbound connections and CPU below ${s.cpuBelowMillicores} millicores (peak ${Math.round(peak)}) for the last ${s.idleMinutes} minutes, since ${utcMinute(since)}.`,
  };
}
