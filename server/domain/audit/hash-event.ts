// The hash that chains audit events: SHA-256 over the RFC 8785 canonical JSON of the
// event's content and the previous event's hash. Everything a reader relies on is covered.
import { createHash } from 'node:crypto';
import canonicalize from 'canonicalize';

export const GENESIS_HASH = '0'.repeat(64);

export interface ChainedContent {
  seq: number;
  id: string;
  occurredAt: Date;
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

export function hashEvent(event: ChainedContent): string {
  const canonical = canonicalize({ ...event, occurredAt: event.occurredAt.toISOString() });
  if (canonical === undefined) throw new Error('audit event cannot be canonicalized');
  return createHash('sha256').update(canonical).digest('hex');
}
