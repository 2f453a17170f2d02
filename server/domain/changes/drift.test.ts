import { describe, expect, it } from 'vitest';
import { verifyApplied } from './drift';

const key = { kind: 'NetworkPolicy' as const, namespace: 'payments', name: 'p' };
const approved = { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'p', namespace: 'payments', labels: { team: 'pay' } }, spec: { podSelector: {}, policyTypes: ['Ingress'], ingress: [] } };

describe('verifyApplied', () => {
  it('matches when the cluster holds every approved field, whatever it added', () => {
    const live = { ...approved, metadata: { ...approved.metadata, uid: 'x', resourceVersion: '9', annotations: { a: 'b' } }, status: {} };
    expect(verifyApplied({ action: 'apply', key, object: approved }, live)).toEqual({ state: 'matches' });
  });
  it('names the fields that differ, comparing lists whole', () => {
    const live = { ...approved, spec: { podSelector: {}, policyTypes: ['Ingress'], ingress: [{ from: [] }] } };
    expect(verifyApplied({ action: 'apply', key, object: approved }, live)).toEqual({ state: 'drift', differences: ['spec.ingress: approved [], cluster has [{"from":[]}]'] });
    const relabelled = { ...approved, metadata: { ...approved.metadata, labels: { team: 'other' } } };
    expect(verifyApplied({ action: 'apply', key, object: approved }, relabelled)).toMatchObject({ state: 'drift', differences: ['metadata.labels.team: approved "pay", cluster has "other"'] });
  });
  it('reports a missing object, and a deleted one that is still there', () => {
    expect(verifyApplied({ action: 'apply', key, object: approved }, null)).toEqual({ state: 'missing' });
    expect(verifyApplied({ action: 'delete', key }, approved)).toEqual({ state: 'still-present' });
    expect(verifyApplied({ action: 'delete', key }, null)).toEqual({ state: 'matches' });
  });
});
