// Server-side apply field ownership in miniature.
import { describe, expect, it } from 'vitest';
import { applyFields, leafPaths, ownedBy, ownsField, transferField } from './field-ownership';

describe('applyFields', () => {
  const live = { metadata: { name: 'p', labels: { a: '1' } }, spec: { podSelector: {}, egress: [{ to: [] }], ingress: [{ from: [] }] } };

  it('treats lists and empty maps as leaves', () => {
    expect(leafPaths(live)).toEqual([['metadata', 'name'], ['metadata', 'labels', 'a'], ['spec', 'podSelector'], ['spec', 'egress'], ['spec', 'ingress']]);
  });

  it('keeps fields owned by another manager when the applier leaves them out', () => {
    const r = applyFields(live, ownedBy('kubectl', live), 'agent', { metadata: { name: 'p', labels: { b: '2' } }, spec: { ingress: [] } });
    expect(r.object).toEqual({ metadata: { name: 'p', labels: { a: '1', b: '2' } }, spec: { podSelector: {}, egress: [{ to: [] }], ingress: [] } });
    expect(ownsField(r.owners, 'agent', ['spec', 'ingress'])).toBe(true);
    expect(ownsField(r.owners, 'kubectl', ['spec', 'ingress'])).toBe(false);
    expect(ownsField(r.owners, 'kubectl', ['spec', 'egress'])).toBe(true);
  });

  it('removes fields the applier owned alone and no longer sends', () => {
    const first = applyFields(undefined, new Map(), 'agent', live);
    const second = applyFields(first.object, first.owners, 'agent', { metadata: { name: 'p' }, spec: { podSelector: {} } });
    expect(second.object).toEqual({ metadata: { name: 'p' }, spec: { podSelector: {} } });
  });

  it('lets a controller take one field over', () => {
    const owners = transferField(ownedBy('kubectl', { spec: { replicas: 2, x: 1 } }), ['spec', 'replicas'], 'hpa');
    expect(ownsField(owners, 'hpa', ['spec', 'replicas'])).toBe(true);
    expect(ownsField(owners, 'kubectl', ['spec', 'replicas'])).toBe(false);
    expect(ownsField(owners, 'kubectl', ['spec', 'x'])).toBe(true);
  });
});
