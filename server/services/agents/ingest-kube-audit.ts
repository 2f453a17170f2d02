// Forwards the cluster's own Kubernetes audit events into Verity's audit trail, marked as
// coming from that cluster, with the tenant owning the namespace. Secret bodies never land.
import { and, eq, inArray } from 'drizzle-orm';
import type { AuditBatch, KubeAuditEvent } from '@/agent/protocol/messages';
import { tenantNamespaces } from '@/db/schema';
import { type AuditInput, appendAuditEvents } from '../audit/append-event';
import type { ServiceContext } from '../context';
import { inScope } from '../scope';
import { claimBatch, requireAgent } from './agent-principal';

const MAX_BODY_CHARS = 16_384;

/** Request and response bodies of Secrets are dropped (the agent does too; this is the second wall). */
export function redactKubeAuditEvent(e: KubeAuditEvent): KubeAuditEvent {
  const secret = e.objectRef?.resource === 'secrets';
  const cap = (body: unknown) => {
    if (body === undefined) return undefined;
    const text = JSON.stringify(body);
    return text.length > MAX_BODY_CHARS ? { truncated: true, size: text.length } : body;
  };
  return { ...e, requestObject: secret ? undefined : cap(e.requestObject), responseObject: secret ? undefined : cap(e.responseObject) };
}

function outcomeOf(code: number | undefined): 'success' | 'failure' | 'denied' {
  if (code === undefined || code < 400) return 'success';
  return code === 401 || code === 403 ? 'denied' : 'failure';
}

export async function ingestKubeAudit(ctx: ServiceContext, batch: AuditBatch) {
  const agent = requireAgent(ctx);
  return inScope(ctx, async (tx) => {
    if (!(await claimBatch(tx, agent.agentId, batch.batchId, 'kube-audit', ctx.now()))) return { duplicate: true, stored: 0 };
    const namespaces = [...new Set(batch.events.flatMap((e) => (e.objectRef?.namespace ? [e.objectRef.namespace] : [])))];
    const owners = namespaces.length
      ? await tx.select().from(tenantNamespaces).where(and(eq(tenantNamespaces.clusterId, agent.clusterId), inArray(tenantNamespaces.namespace, namespaces)))
      : [];
    const tenantOf = new Map(owners.map((o) => [o.namespace, o.tenantId]));
    // One chain-head lock for the whole batch, not one per event.
    const inputs: AuditInput[] = batch.events.map((raw) => {
      const e = redactKubeAuditEvent(raw);
      const ref = e.objectRef;
      const resource = ref?.resource ? `${ref.resource}${ref.subresource ? `/${ref.subresource}` : ''}` : null;
      return {
        action: `k8s.${e.verb}`,
        outcome: outcomeOf(e.responseStatus?.code),
        source: 'kubernetes',
        clusterId: agent.clusterId,
        tenantId: ref?.namespace ? (tenantOf.get(ref.namespace) ?? null) : null,
        occurredAt: e.stageTimestamp ? new Date(e.stageTimestamp) : e.requestReceivedTimestamp ? new Date(e.requestReceivedTimestamp) : undefined,
        actor: { type: 'kube-user', id: null, label: e.user.username ?? null },
        resourceType: resource,
        resourceId: ref?.name ? (ref.namespace ? `${ref.namespace}/${ref.name}` : ref.name) : (ref?.namespace ?? null),
        clientAddress: e.sourceIPs?.[0] ?? null,
        userAgent: e.userAgent ?? null,
        details: {
          auditID: e.auditID,
          stage: e.stage ?? null,
          requestURI: e.requestURI,
          user: e.user,
          impersonatedUser: e.impersonatedUser ?? null,
          sourceIPs: e.sourceIPs ?? [],
          responseStatus: e.responseStatus ?? null,
          decision: e.annotations?.['authorization.k8s.io/decision'] ?? null,
          reason: e.annotations?.['authorization.k8s.io/reason'] ?? null,
          annotations: e.annotations ?? {},
          requestObject: e.requestObject ?? null,
          responseObject: e.responseObject ?? null,
        },
      };
    });
    if (inputs.length > 0) await appendAuditEvents(tx, ctx, inputs);
    return { duplicate: false, stored: batch.events.length };
  });
}
