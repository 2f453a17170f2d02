import { describe, expect, it } from 'vitest';
import { type ChainedContent, GENESIS_HASH, hashEvent } from './hash-event';
import { createChainVerifier, type StoredEvent } from './verify-chain';

function chain(n: number): StoredEvent[] {
  const out: StoredEvent[] = [];
  let prev = GENESIS_HASH;
  for (let i = 1; i <= n; i++) {
    const c: ChainedContent = {
      seq: i, id: `00000000-0000-0000-0000-00000000000${i}`, occurredAt: new Date(Date.UTC(2026, 0, 1, 0, 0, i)), source: 'console', clusterId: null, actorType: 'user', actorId: 'u1', actorLabel: 'a@x',
      tenantId: null, action: 'tenant.created', resourceType: 'tenant', resourceId: `t${i}`, outcome: 'success', clientAddress: '10.0.0.1', userAgent: 'ua', details: { n: i, nested: { b: 1, a: [1, 2] } }, prevHash: prev,
    };
    const hash = hashEvent(c);
    out.push({ ...c, hash });
    prev = hash;
  }
  return out;
}

function run(events: StoredEvent[], head = { seq: events.length, hash: events.at(-1)?.hash ?? GENESIS_HASH }) {
  const v = createChainVerifier();
  for (const e of events) {
    const b = v.push(e);
    if (b) return b;
  }
  return v.finish(head);
}

describe('audit chain verification', () => {
  it('accepts an intact chain and an empty one', () => {
    expect(run(chain(5))).toBeNull();
    expect(run([], { seq: 0, hash: GENESIS_HASH })).toBeNull();
  });
  it('hashes canonically: key order in details does not matter', () => {
    const [e] = chain(1);
    expect(hashEvent({ ...e!, details: { nested: { a: [1, 2], b: 1 }, n: 1 } })).toBe(e!.hash);
  });
  it.each([
    ['action', { action: 'tenant.deleted' }],
    ['actor', { actorLabel: 'mallory@x' }],
    ['time', { occurredAt: new Date(Date.UTC(2026, 0, 1)) }],
    ['details', { details: { n: 3, nested: { b: 2, a: [1, 2] } } }],
    ['outcome', { outcome: 'failure' }],
    ['client address', { clientAddress: '10.6.6.6' }],
  ])('names an event whose %s was edited', (_, change) => {
    const events = chain(5);
    events[2] = { ...events[2]!, ...change };
    expect(run(events)).toMatchObject({ seq: 3, kind: 'hash-mismatch' });
  });
  it('names a removed event as a gap', () => {
    const events = chain(5);
    events.splice(1, 1);
    expect(run(events)).toMatchObject({ seq: 2, kind: 'gap' });
  });
  it('notices a rewritten event whose hash was recomputed: the next link breaks', () => {
    const events = chain(5);
    const forged = { ...events[1]!, action: 'x' };
    events[1] = { ...forged, hash: hashEvent(forged) };
    expect(run(events)).toMatchObject({ seq: 3, kind: 'broken-link' });
  });
  it('notices a cut tail against the chain head', () => {
    const events = chain(5);
    const head = { seq: 5, hash: events[4]!.hash };
    expect(run(events.slice(0, 4), head)).toMatchObject({ seq: 5, kind: 'truncated' });
  });
});
