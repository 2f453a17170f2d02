import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DEFAULT_RULE, evaluateApprovals } from './approval-rule';
import { changeDigest } from './change-digest';
import { parseChangeObjects } from './change-objects';
import { type ChangeEvent, type ChangeState, reduceChange } from './reduce-change';

const tenantReach = { namespaces: new Set(['payments']), clusterScoped: false };
const globalReach = { namespaces: null, clusterScoped: true };
const np = (ns = 'payments', extra = '') => `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: default-deny
  namespace: ${ns}
spec:
  podSelector: {}
  policyTypes: [Ingress]${extra}
`;

describe('parseChangeObjects', () => {
  it('accepts governed objects in reach and strips server-owned fields', () => {
    const r = parseChangeObjects(`${np()}---\n${np().replace('default-deny', 'b').replace('  namespace: payments', '  namespace: payments\n  resourceVersion: "12"\n  uid: x')}`, [], tenantReach);
    expect(r.problems).toEqual([]);
    expect(r.operations.map((o) => o.key)).toEqual([
      { kind: 'NetworkPolicy', namespace: 'payments', name: 'default-deny' },
      { kind: 'NetworkPolicy', namespace: 'payments', name: 'b' },
    ]);
    expect(JSON.stringify(r.operations)).not.toContain('resourceVersion');
  });
  it('refuses kinds Verity does not govern, naming the allowed ones', () => {
    const r = parseChangeObjects('apiVersion: v1\nkind: Secret\nmetadata: {name: s, namespace: payments}\n', [], tenantReach);
    expect(r.problems[0]).toMatchObject({ where: 'document 1', path: 'kind', message: expect.stringContaining('Secret is not governed') });
  });
  it('refuses objects outside the tenant and cluster-scoped objects without global scope', () => {
    expect(parseChangeObjects(np('storefront'), [], tenantReach).problems[0]!.message).toBe("namespace storefront is not one of this tenant's namespaces");
    const cr = 'apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata: {name: x}\nrules: []\n';
    expect(parseChangeObjects(cr, [], tenantReach).problems[0]!.message).toContain('cluster-scoped');
    expect(parseChangeObjects(cr, [], globalReach).problems).toEqual([]);
    expect(parseChangeObjects('', [{ kind: 'NetworkPolicy', namespace: 'storefront', name: 'x' }], tenantReach).problems[0]!.where).toBe('delete[0]');
  });
  it('reports bad YAML at its line and engine errors at their path', () => {
    const bad = parseChangeObjects(`${np()}---\nkind: [unclosed\n`, [], tenantReach);
    expect(bad.problems[0]).toMatchObject({ where: 'document 2', message: expect.stringContaining('YAML') });
    expect(bad.problems[0]!.line).toBeGreaterThanOrEqual(10);
    const invalid = parseChangeObjects(np('payments', '\n  ingress:\n    - from:\n        - ipBlock: {cidr: 10.0.0.0/33}'), [], tenantReach);
    expect(invalid.problems[0]).toMatchObject({ object: 'NetworkPolicy/payments/default-deny', path: 'spec.ingress[0].from[0].ipBlock.cidr' });
    expect(invalid.operations).toEqual([]);
  });
  it('refuses the same object twice, and applying and deleting one object', () => {
    expect(parseChangeObjects(`${np()}---\n${np()}`, [], tenantReach).problems[0]!.message).toContain('appears twice');
    expect(parseChangeObjects(np(), [{ kind: 'NetworkPolicy', namespace: 'payments', name: 'default-deny' }], tenantReach).problems[0]!.message).toContain('both applied and deleted');
  });
  it('never throws on arbitrary text', () => {
    fc.assert(fc.property(fc.string(), (s) => void parseChangeObjects(s, [], tenantReach)));
  });
});

describe('changeDigest', () => {
  const base = { changeId: 'c', clusterId: 'k', revision: 1, operations: parseChangeObjects(np(), [], tenantReach).operations, baseVersions: { 'NetworkPolicy/payments/default-deny': null }, dryRun: { ok: true } };
  it('is stable under key order and changes with any previewed part', () => {
    expect(changeDigest(base)).toBe(changeDigest({ ...base, dryRun: { ok: true } }));
    expect(changeDigest({ ...base, revision: 2 })).not.toBe(changeDigest(base));
    expect(changeDigest({ ...base, baseVersions: { 'NetworkPolicy/payments/default-deny': '7' } })).not.toBe(changeDigest(base));
    expect(changeDigest({ ...base, dryRun: { ok: false } })).not.toBe(changeDigest(base));
  });
});

describe('evaluateApprovals', () => {
  const now = new Date('2026-11-23T12:00:00Z');
  const at = (min: number) => new Date(now.getTime() - min * 60_000);
  const rule = { requiredApprovals: 2, approvalTtlMinutes: 60 };
  it('needs two different people, neither the requester, on the current digest, not expired', () => {
    const s = evaluateApprovals(rule, [
      { userId: 'req', decision: 'approve', digest: 'd', at: at(1) },
      { userId: 'a', decision: 'approve', digest: 'd', at: at(2) },
      { userId: 'a', decision: 'approve', digest: 'd', at: at(1) },
      { userId: 'b', decision: 'approve', digest: 'old', at: at(1) },
      { userId: 'c', decision: 'approve', digest: 'd', at: at(61) },
    ], 'req', 'd', now);
    expect(s).toMatchObject({ met: false, missing: 1 });
    expect(s.ignored.map((i) => i.reason).sort()).toEqual(['duplicate', 'expired', 'requester', 'stale-digest']);
    expect(evaluateApprovals(rule, [{ userId: 'a', decision: 'approve', digest: 'd', at: at(1) }, { userId: 'b', decision: 'approve', digest: 'd', at: at(1) }], 'req', 'd', now).met).toBe(true);
  });
  it('a rejection stops the change', () => {
    expect(evaluateApprovals(DEFAULT_RULE, [{ userId: 'a', decision: 'approve', digest: 'd', at: now }, { userId: 'b', decision: 'reject', digest: 'd', at: now }], 'r', 'd', now)).toMatchObject({ met: false, rejected: true });
  });
});

describe('reduceChange', () => {
  const now = new Date('2026-11-23T12:00:00Z');
  const rule = { requiredApprovals: 2, approvalTtlMinutes: 60 };
  const start: ChangeState = { status: 'draft', requesterId: 'req', revision: 1, digest: null, decisions: [] };

  it('walks draft → pending → approved → applying → applied', () => {
    let s = start;
    const step = (e: ChangeEvent) => {
      const r = reduceChange(s, e, rule, now);
      if (!r.ok) throw new Error(r.reason);
      s = r.state;
    };
    step({ type: 'submit', by: 'req', digest: 'd1' });
    step({ type: 'approve', by: 'a', at: now, digest: 'd1' });
    expect(s.status).toBe('pending');
    step({ type: 'approve', by: 'b', at: now, digest: 'd1' });
    expect(s.status).toBe('approved');
    step({ type: 'issue', digest: 'd1' });
    step({ type: 'result', outcome: 'applied' });
    expect(s.status).toBe('applied');
  });

  it('refuses self-approval, double votes, stale digests, and issuing other content', () => {
    const pending = { ...start, status: 'pending' as const, digest: 'd1' };
    expect(reduceChange(pending, { type: 'approve', by: 'req', at: now, digest: 'd1' }, rule, now)).toEqual({ ok: false, reason: 'you cannot approve or reject your own change' });
    expect(reduceChange(pending, { type: 'approve', by: 'a', at: now, digest: 'd0' }, rule, now)).toMatchObject({ ok: false, reason: expect.stringContaining('edited') });
    const once = reduceChange(pending, { type: 'approve', by: 'a', at: now, digest: 'd1' }, rule, now);
    expect(once.ok && reduceChange(once.state, { type: 'approve', by: 'a', at: now, digest: 'd1' }, rule, now)).toMatchObject({ ok: false });
    const approved = { ...pending, status: 'approved' as const, decisions: [{ userId: 'a', decision: 'approve' as const, digest: 'd1', at: now }, { userId: 'b', decision: 'approve' as const, digest: 'd1', at: now }] };
    expect(reduceChange(approved, { type: 'issue', digest: 'd2' }, rule, now)).toMatchObject({ ok: false });
  });

  it('property: whatever happens, an issued change carries enough approvals of exactly its content, none by the requester', () => {
    const users = ['req', 'a', 'b', 'c'];
    const event = fc.oneof(
      fc.record({ type: fc.constant('edit' as const), by: fc.constantFrom(...users) }),
      fc.record({ type: fc.constant('submit' as const), by: fc.constantFrom(...users), digest: fc.constantFrom('d1', 'd2', 'd3') }),
      fc.record({ type: fc.constantFrom('approve' as const, 'reject' as const), by: fc.constantFrom(...users), at: fc.constant(now), digest: fc.constantFrom('d1', 'd2', 'd3') }),
      fc.record({ type: fc.constant('cancel' as const), by: fc.constantFrom(...users) }),
      fc.record({ type: fc.constant('issue' as const), digest: fc.constantFrom('d1', 'd2', 'd3') }),
      fc.record({ type: fc.constant('result' as const), outcome: fc.constantFrom('applied' as const, 'failed' as const, 'stale' as const) }),
      fc.record({ type: fc.constant('rebase' as const), by: fc.constantFrom(...users) }),
    );
    fc.assert(
      fc.property(fc.array(event, { maxLength: 30 }), (events) => {
        let s = start;
        for (const e of events) {
          const r = reduceChange(s, e, rule, now);
          if (!r.ok) continue;
          if (e.type === 'issue') {
            expect(e.digest).toBe(s.digest);
            const voters = new Set(s.decisions.filter((d) => d.decision === 'approve' && d.digest === e.digest).map((d) => d.userId));
            expect(voters.has('req')).toBe(false);
            expect(voters.size).toBeGreaterThanOrEqual(2);
          }
          s = r.state;
        }
      }),
      { numRuns: 2000 },
    );
  });
});

describe('problem lines', () => {
  it('points at the offending field, not just the document', () => {
    const text = `${np()}---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: b, namespace: payments}\nspec:\n  podSelector: {}\n  policyTypes: [Ingres]\n`;
    const r = parseChangeObjects(text, [], { namespaces: new Set(['payments']), clusterScoped: false });
    expect(r.problems[0]).toMatchObject({ path: 'spec.policyTypes[0]', line: 15 });
  });
});
