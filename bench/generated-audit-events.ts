// The audit log both audit benchmarks generate: event k of `total`, spread over `days`
// ending at `end`, shaped like forwarded Kubernetes audit batches mixed with console and
// agent events. Fields are tied to k, so a query's expected share of matches is known
// (tenant k % 20, actor k % 500, ...); one event in 200 arrives three days late.
import type { ChainedContent } from '@/server/domain/audit/hash-event';
import type { AuditInput } from '@/server/services/audit/append-event';

export const TENANTS = Array.from({ length: 20 }, (_, i) => `00000000-0000-4000-8000-${String(i + 1).padStart(12, '0')}`);
export const CLUSTERS = Array.from({ length: 5 }, (_, i) => `00000000-0000-4000-9000-${String(i + 1).padStart(12, '0')}`);
const ACTIONS = ['k8s.get', 'k8s.list', 'k8s.watch', 'k8s.create', 'k8s.update', 'k8s.patch', 'k8s.delete', 'user.signed_in', 'change.submitted', 'agent.command_result'];
const RESOURCES = ['pods', 'deployments', 'services', 'configmaps', 'secrets', 'networkpolicies', 'rolebindings'];
const OUTCOMES = ['success', 'success', 'success', 'success', 'failure', 'denied'] as const;
const NOTES = ['payments', 'storefront', 'analytics', 'quarantine', 'rotate', 'escalate'];
const TAGS = ['alpha', 'bravo', 'charlie', 'delta'];
const DAY = 86_400_000;

export function generatedEvent(k: number, log: { total: number; days: number; end: number }): AuditInput {
  const action = ACTIONS[k % 10]!;
  const source = action.startsWith('k8s.') ? 'kubernetes' : action.startsWith('agent.') ? 'agent' : 'console';
  const outcome = OUTCOMES[Math.floor(k / 7) % 6]!;
  const start = log.end - log.days * DAY;
  const at = start + Math.floor((k / log.total) * log.days * DAY) - (k % 200 === 0 ? 3 * DAY : 0);
  return {
    action,
    source,
    outcome,
    occurredAt: new Date(at),
    clusterId: CLUSTERS[k % 5]!,
    tenantId: TENANTS[k % 20]!,
    actor: { type: source === 'kubernetes' ? 'kube-user' : 'user', id: null, label: `user${k % 500}@example.test` },
    resourceType: RESOURCES[Math.floor(k / 10) % 7]!,
    resourceId: `ns${k % 40}/obj-${k % 1000}`,
    clientAddress: `10.0.${k % 250}.${k % 200}`,
    userAgent: 'kubectl/v1.31',
    details: { auditID: `a-${k}`, verb: action.slice(4), note: `${NOTES[k % 6]} ${TAGS[Math.floor(k / 3) % 4]}`, responseStatus: { code: outcome === 'denied' ? 403 : 200 } },
  };
}

/** A generated event as the chain holds it: what the writer would store for it at `seq` after `prevHash`. */
export function chainedContent(input: AuditInput, id: string, seq: number, prevHash: string): ChainedContent {
  return {
    seq, id, occurredAt: input.occurredAt!, source: input.source!, clusterId: input.clusterId!, actorType: input.actor!.type, actorId: input.actor!.id,
    actorLabel: input.actor!.label, tenantId: input.tenantId!, action: input.action, resourceType: input.resourceType!, resourceId: input.resourceId!, outcome: input.outcome,
    clientAddress: input.clientAddress!, userAgent: input.userAgent!, details: input.details!, prevHash,
  };
}
