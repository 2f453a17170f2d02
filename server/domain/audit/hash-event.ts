// The hash that chains audit events: SHA-256 over the RFC 8785 canonical JSON of the
// event's content and the previous event's hash. Everything a reader relies on is covered.
// CHAINED_FIELDS is the one list of what an event holds: the hash, the stored columns, the
// insert and the rows read back all follow it.
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

export const CHAINED_FIELDS = [
  'seq',
  'id',
  'occurredAt',
  'source',
  'clusterId',
  'actorType',
  'actorId',
  'actorLabel',
  'tenantId',
  'action',
  'resourceType',
  'resourceId',
  'outcome',
  'clientAddress',
  'userAgent',
  'details',
  'prevHash',
] as const satisfies readonly (keyof ChainedContent)[];

// Every field of ChainedContent is in the list (a field added to one and not the other fails to compile).
type Unlisted = Exclude<keyof ChainedContent, (typeof CHAINED_FIELDS)[number]>;
const allListed: [Unlisted] extends [never] ? true : Unlisted = true;
void allListed;

/** The stored column of a field (occurredAt → occurred_at). */
export function columnOf(field: (typeof CHAINED_FIELDS)[number] | 'hash'): string {
  return field.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}

export function hashEvent(e: ChainedContent): string {
  // Fields are named by the list: a stored row also carries its own hash, which must not hash itself.
  const content: Record<string, unknown> = {};
  for (const f of CHAINED_FIELDS) content[f] = f === 'occurredAt' ? e.occurredAt.toISOString() : e[f];
  const canonical = canonicalize(content);
  if (canonical === undefined) throw new Error('audit event cannot be canonicalized');
  return createHash('sha256').update(canonical).digest('hex');
}
