// The writer's fast canonical form must give exactly the bytes the RFC 8785 library gives,
// or every stored hash would stop verifying.
import { createHash } from 'node:crypto';
import canonicalize from 'canonicalize';
import { describe, expect, it } from 'vitest';
import { CHAINED_FIELDS, type ChainedContent, canonicalContent, GENESIS_HASH, hashEvent } from './hash-event';

function libraryCanonical(e: ChainedContent): string | undefined {
  const content: Record<string, unknown> = {};
  for (const f of CHAINED_FIELDS) content[f] = f === 'occurredAt' ? e.occurredAt.toISOString() : e[f];
  return canonicalize(content);
}

const base: ChainedContent = {
  seq: 42, id: '4f1c2a8e-1111-4a2b-8c3d-000000000001', occurredAt: new Date('2026-01-10T12:00:00.123Z'), source: 'kubernetes',
  clusterId: null, actorType: 'kube-user', actorId: null, actorLabel: 'system:serviceaccount:kube-system:default', tenantId: null,
  action: 'k8s.get', resourceType: 'secrets', resourceId: 'acme-web/db-password', outcome: 'denied', clientAddress: '10.0.0.1',
  userAgent: 'kubectl/v1.31 (linux/amd64)', details: { auditID: 'a-1', responseStatus: { code: 403 } }, prevHash: GENESIS_HASH,
};

describe('canonical content', () => {
  const cases: [string, Partial<ChainedContent>][] = [
    ['a plain event', {}],
    ['quotes, backslashes, control characters and non-ASCII text', { actorLabel: 'ren\u00e9 "the" \\ admin\n\t\u0001', resourceId: '\u65e5\u672c/\u00e9t\u00e9 \ud83d\ude00' }],
    ['numbers and nested details in any key order', { seq: 9_007_199_254_740_991, details: { z: 1e21, a: [0.1, -0, 1e-7, true, null, { y: 'x', b: '\u20ac' }], '\u00e9': 1, B: 2, '': 3 } }],
    ['empty details and every optional field set', { details: {}, clusterId: 'c', actorId: 'u', tenantId: 't' }],
    ['keys that sort differently by code unit and by code point', { details: { '\ud83d\ude00': 1, '\uff61': 2, a: 3 } }],
  ];
  it.each(cases)('%s: the same bytes as the RFC 8785 library', (_, patch) => {
    const e = { ...base, ...patch };
    expect(canonicalContent(e)).toBe(libraryCanonical(e));
  });

  it('falls back to the library, refusals included, for values it does not write itself', () => {
    const lone = { ...base, actorLabel: 'bad \ud800' };
    expect(() => canonicalContent(lone)).toThrow();
    expect(() => libraryCanonical(lone)).toThrow();
    const missing = { ...base, actorId: undefined } as unknown as ChainedContent;
    expect(canonicalContent(missing)).toBe(libraryCanonical(missing));
    const stringSeq = { ...base, seq: '42' } as unknown as ChainedContent;
    expect(canonicalContent(stringSeq)).toBe(libraryCanonical(stringSeq));
    expect(() => canonicalContent({ ...base, seq: Number.NaN })).toThrow();
  });

  it('hashes as before: SHA-256 of the library\'s canonical form', () => {
    for (const [, patch] of cases) {
      const e = { ...base, ...patch };
      expect(hashEvent(e)).toBe(createHash('sha256').update(libraryCanonical(e)!).digest('hex'));
    }
  });
});
