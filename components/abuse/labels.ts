// Words shared by the findings screens.
export const SEVERITY_BADGE: Record<string, string> = { low: 'success', medium: 'warn', high: 'failure', critical: 'failure' };
export const RULE_LABELS: Record<string, string> = {
  'cpu-pinned-idle': 'CPU at its limit, little inbound',
  'mining-pool': 'Mining-pool connections',
  'egress-fanout': 'Egress fan-out',
  'denied-burst': 'Denied bursts (scanning)',
  'quota-pinned': 'Quota at its ceiling',
};
export const SLEEP_STATUS: Record<string, string> = {
  sleeping: 'going to sleep (waiting for the agent)',
  asleep: 'asleep',
  waking: 'waking (waiting for the agent)',
  awake: 'awake again',
  failed: 'failed',
};
export const TRIGGER: Record<string, string> = { finding: 'a response to a finding', activity: 'activity-based sleep', manual: 'by hand' };

export function utc(d: Date | string | null | undefined): string {
  if (!d) return '';
  return `${new Date(d).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

export function subject(f: { namespace: string; workload: string }): string {
  return f.workload ? `${f.namespace}/${f.workload}` : `namespace ${f.namespace}`;
}
