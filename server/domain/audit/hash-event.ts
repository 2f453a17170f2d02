// The hash that chains audit events: SHA-256 over the RFC 8785 canonical JSON of the
// event's content and the previous event's hash. Everything a reader relies on is covered.
import { createHash } from 'node:crypto';
import canonicalize from 'canonicalize';

export const GENESIS_HASH = '0'.repeat(64);

export interface ChainedContent {
  seq: number;
  id: string;
  occurredAt: Date;
  source: string;
  clusterId: string | null;
  actorType: string;
  actorId: string | null;
  actorLabel: string | null;
  tenantId: string | null;
  action: string;
  resourceType: string | null;
  resourceId: string | null;
  outcome: string;
  clientAddress: string | null;
  userAgent: string | null;
  details: Record<string, unknown>;
  prevHash: string;
}

export function hashEvent(e: ChainedContent): string {
  // Fields are named one by one: a stored row also carries its own hash, which must not hash itself.
  const canonical = canonicalize({
    seq: e.seq,
    id: e.id,
    occurredAt: e.occurredAt.toISOString(),
    source: e.source,
    clusterId: e.clusterId,
    actorType: e.actorType,
    actorId: e.actorId,
    actorLabel: e.actorLabel,
    tenantId: e.tenantId,
    action: e.action,
    resourceType: e.resourceType,
    resourceId: e.resourceId,
    outcome: e.outcome,
    clientAddress: e.clientAddress,
    userAgent: e.userAgent,
    details: e.details,
    prevHash: e.prevHash,
  });
  if (canonical === undefined) throw new Error('audit event cannot be canonicalized');
  return createHash('sha256').update(canonical).digest('hex');
}
