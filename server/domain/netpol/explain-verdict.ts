// Renders verdicts as the sentences a security engineer reads in the CLI and the console.
import { formatPolicyRef } from './model';
import type { DirectionVerdict, RuleMatch, Verdict } from './evaluate-connection';

export function formatRuleMatch(m: RuleMatch, direction: 'ingress' | 'egress'): string {
  const peersKey = direction === 'ingress' ? 'from' : 'to';
  const peer = m.peer === null ? ` (no ${peersKey}: any peer)` : ` ${peersKey}[${m.peer}]`;
  const port = m.port === null ? ' (no ports: any port)' : ` ports[${m.port}]`;
  return `${formatPolicyRef(m.policy)} ${direction}[${m.rule}]${peer}${port}`;
}

export function explainDirection(d: DirectionVerdict): string {
  const what = d.direction === 'egress' ? `egress from ${d.subject}` : `ingress to ${d.subject}`;
  if (!d.inCluster) return `${what}: allowed, an address outside the cluster is not subject to NetworkPolicy`;
  if (!d.isolated) {
    return `${what}: allowed, not isolated for ${d.direction} (no policy selecting it has ${d.direction === 'egress' ? 'Egress' : 'Ingress'} in its policyTypes)`;
  }
  const by = `isolated by ${d.isolatingPolicies.map(formatPolicyRef).join(', ')}`;
  if (!d.allowed) return `${what}: denied, ${by}; no rule of those policies allows this peer and port`;
  return `${what}: allowed, ${by}; allowed by ${d.allowedBy.map((m) => formatRuleMatch(m, d.direction)).join('; ')}`;
}

export function formatConnection(v: Pick<Verdict, 'source' | 'destination' | 'port' | 'protocol'>): string {
  return `${v.source} -> ${v.destination} ${v.port}/${v.protocol}`;
}

/** First line: the verdict; then one line per direction. */
export function explainVerdict(v: Verdict): string[] {
  return [`${v.allowed ? 'allow' : 'deny'} ${formatConnection(v)}`, `  ${explainDirection(v.egress)}`, `  ${explainDirection(v.ingress)}`];
}
