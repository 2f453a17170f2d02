import { describe, expect, it } from 'vitest';
import { parseChangeObjects } from './change-objects';
import { dryRunAllowsApproval, dryRunForDigest, summarizeDryRun } from './dry-run';

const { operations } = parseChangeObjects(
  'apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: deny, namespace: pay}\nspec: {podSelector: {}}\n',
  [],
  { namespaces: new Set(['pay']), clusterScoped: false },
);
const ref = { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', namespace: 'pay', name: 'deny' };
const at = new Date('2026-11-30T12:00:00Z');

describe('summarizeDryRun', () => {
  it('diffs what the cluster would store against what was submitted, without server bookkeeping', () => {
    const stored = { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'deny', namespace: 'pay', uid: 'u1', creationTimestamp: 'x', managedFields: [] }, spec: { podSelector: {}, policyTypes: ['Ingress'] } };
    const r = summarizeDryRun(operations, 'c1', { status: 'dry-run', results: [{ ref, outcome: 'applied', object: stored }] }, at);
    expect(r.state).toBe('answered');
    if (r.state !== 'answered') return;
    // The API server's default shows; its bookkeeping does not.
    expect(r.objects[0]!.submitted).not.toContain('policyTypes');
    expect(r.objects[0]!.stored).toContain('policyTypes:');
    expect(r.objects[0]!.stored).not.toContain('uid');
    expect(dryRunAllowsApproval(r)).toBe(true);
  });

  it('names the refused object and its reason, and blocks approval', () => {
    const r = summarizeDryRun(operations, 'c1', { status: 'failed', message: 'operation 1 of 1 failed', results: [{ ref, outcome: 'failed', message: 'is invalid: spec.podSelector' }] }, at);
    expect(r).toMatchObject({ state: 'rejected', reason: 'NetworkPolicy/pay/deny: is invalid: spec.podSelector' });
    expect(dryRunAllowsApproval(r)).toBe(false);
    expect(summarizeDryRun(operations, 'c1', { status: 'stale', message: '1 object(s) changed', results: [{ ref, outcome: 'stale' }] }, at)).toMatchObject({ state: 'stale' });
    expect(summarizeDryRun(operations, 'c1', { status: 'refused', message: 'signature does not verify', results: [] }, at)).toMatchObject({ state: 'rejected', reason: expect.stringContaining('signature') });
  });

  it('digests what was answered, not when', () => {
    const a = summarizeDryRun(operations, 'c1', { status: 'dry-run', results: [{ ref, outcome: 'applied', object: { spec: {} } }] }, at);
    const b = summarizeDryRun(operations, 'c1', { status: 'dry-run', results: [{ ref, outcome: 'applied', object: { spec: {} } }] }, new Date('2026-12-01T00:00:00Z'));
    const c = summarizeDryRun(operations, 'c1', { status: 'dry-run', results: [{ ref, outcome: 'applied', object: { spec: { x: 1 } } }] }, at);
    expect(dryRunForDigest(a)).toEqual(dryRunForDigest(b));
    expect(dryRunForDigest(a)).not.toEqual(dryRunForDigest(c));
  });
});
