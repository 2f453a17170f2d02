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

// The top-level keys in RFC 8785 order (UTF-16 code units, which is what sort() compares),
// each already written as a JSON key: the writer hashes every event, and building and sorting
// a fresh object per event cost more than the SHA-256 itself.
const SORTED_KEYS = [...CHAINED_FIELDS].sort().map((f) => [f, `${JSON.stringify(f)}:`] as const);
const SURROGATE = /[\uD800-\uDFFF]/;

/**
 * The canonical JSON of an event's content: the same bytes canonicalize() gives for the
 * object {field: value} (occurredAt as its ISO string). Plain values (strings without
 * surrogates, finite numbers, null) are written directly; anything else, and `details`,
 * goes through the library, so its rules (and refusals) hold unchanged.
 */
export function canonicalContent(e: ChainedContent): string {
  let out = '{';
  for (const [f, key] of SORTED_KEYS) {
    const v: unknown = f === 'occurredAt' ? e.occurredAt.toISOString() : e[f];
    let text: string;
    if (f === 'details' && typeof v === 'object' && v !== null) text = canonicalOrThrow(v);
    else if (v === null) text = 'null';
    else if (typeof v === 'string' && !SURROGATE.test(v)) text = JSON.stringify(v);
    else if (typeof v === 'number' && Number.isFinite(v)) text = JSON.stringify(v);
    else return slowCanonical(e);
    out += (out.length > 1 ? ',' : '') + key + text;
  }
  return `${out}}`;
}

function canonicalOrThrow(v: unknown): string {
  const c = canonicalize(v);
  if (c === undefined) throw new Error('audit event cannot be canonicalized');
  return c;
}

function slowCanonical(e: ChainedContent): string {
  const content: Record<string, unknown> = {};
  for (const f of CHAINED_FIELDS) content[f] = f === 'occurredAt' ? e.occurredAt.toISOString() : e[f];
  return canonicalOrThrow(content);
}

export function hashEvent(e: ChainedContent): string {
  // Fields are named by the list: a stored row also carries its own hash, which must not hash itself.
  return createHash('sha256').update(canonicalContent(e)).digest('hex');
}
