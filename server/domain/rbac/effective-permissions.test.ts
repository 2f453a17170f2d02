// The permissions matrix: scopes, sources, ineffective rules, and agreement with canI.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { canI } from './can-i';
import type { RequestSubject } from './subject';
import { buildRbacIndex } from './index-bindings';
import { effectivePermissions, sortVerbs } from './effective-permissions';
import { group, objectsOf, rawClusterRole, rawClusterRoleBinding, rawRole, rawRoleBinding, sa, user } from './test-support';

const index = buildRbacIndex(
  objectsOf([
    rawRole('shop', 'pods', [{ verbs: ['get', 'list'], apiGroups: [''], resources: ['pods', 'pods/log'] }]),
    rawRole('shop', 'cfg', [{ verbs: ['update'], apiGroups: [''], resources: ['configmaps'], resourceNames: ['b', 'a'] }]),
    rawClusterRole('viewer', [{ verbs: ['get'], apiGroups: ['', 'apps'], resources: ['*'] }, { verbs: ['get'], nonResourceURLs: ['/healthz'] }]),
    rawClusterRole('ops', [{ verbs: ['*'], apiGroups: [''], resources: ['pods'] }]),
    rawRoleBinding('shop', 'pods', { kind: 'Role', name: 'pods' }, [user('jane'), group('devs')]),
    rawRoleBinding('shop', 'cfg', { kind: 'Role', name: 'cfg' }, [user('jane')]),
    rawRoleBinding('shop', 'view-in-shop', { kind: 'ClusterRole', name: 'viewer' }, [user('jane')]),
    rawRoleBinding('billing', 'ops', { kind: 'ClusterRole', name: 'ops' }, [group('devs')]),
    rawRoleBinding('billing', 'gone', { kind: 'Role', name: 'gone' }, [user('jane')]),
    rawClusterRoleBinding('health', 'viewer', [group('system:serviceaccounts')]),
    rawRoleBinding('shop', 'sa', { kind: 'Role', name: 'pods' }, [sa(undefined, 'web')]),
  ]),
);

describe('effectivePermissions', () => {
  it('merges the rules that apply in a namespace into a verbs × resources matrix', () => {
    const p = effectivePermissions(index, { kind: 'User', name: 'jane', groups: ['devs'] }, 'shop');
    expect(p.verbs).toEqual(['get', 'list', 'update']);
    const row = (resource: string, apiGroup = '') => p.rows.find((r) => r.resource === resource && r.apiGroup === apiGroup);
    expect(Object.keys(row('pods')!.cells)).toEqual(['get', 'list']);
    // Reached both as jane and as a member of devs through one binding: one source.
    expect(row('pods')!.cells.get).toEqual([{ binding: { kind: 'RoleBinding', namespace: 'shop', name: 'pods' }, role: { kind: 'Role', namespace: 'shop', name: 'pods' }, ruleIndex: 0 }]);
    expect(row('configmaps')).toMatchObject({ scope: 'shop', resourceNames: ['a', 'b'], cells: { update: [expect.anything()] } });
    expect(row('*', 'apps')).toMatchObject({ scope: 'shop', cells: { get: [expect.anything()] } });
    expect(p.rows.every((r) => r.scope === 'shop')).toBe(true);
  });
  it('marks non-resource rules bound by a RoleBinding as not effective and leaves them out of the matrix', () => {
    const p = effectivePermissions(index, { kind: 'User', name: 'jane' }, 'shop');
    expect(p.rules.filter((r) => !r.effective).map((r) => r.rule.nonResourceURLs)).toEqual([['/healthz']]);
    expect(p.nonResourceURLs).toEqual([]);
  });
  it('without a namespace covers cluster-wide grants and every namespace, keeping * explicit', () => {
    const p = effectivePermissions(index, { kind: 'User', name: 'x', groups: ['devs'] });
    expect(p.verbs).toEqual(['*', 'get', 'list']);
    expect(p.rows.map((r) => `${r.scope}:${r.resource}`)).toEqual(['billing:pods', 'shop:pods', 'shop:pods/log']);
  });
  it('includes service-account groups and cluster-wide non-resource URLs; reports missing roles', () => {
    const p = effectivePermissions(index, { kind: 'ServiceAccount', namespace: 'shop', name: 'web' });
    expect(p.nonResourceURLs).toMatchObject([{ url: '/healthz', cells: { get: [{ binding: { name: 'health' } }] } }]);
    expect(p.rows.map((r) => `${r.scope}:${r.apiGroup}/${r.resource}`)).toEqual([':/*', ':apps/*', 'shop:/pods', 'shop:/pods/log']);
    expect(effectivePermissions(index, { kind: 'User', name: 'jane' }).missingRoles.map((m) => m.binding.name)).toEqual(['gone']);
  });
  it('orders verbs * first, then API order, then the rest', () => {
    expect(sortVerbs(['impersonate', 'list', '*', 'get', 'bind', 'get'])).toEqual(['*', 'get', 'list', 'bind', 'impersonate']);
  });
});


describe('effectivePermissions agrees with canI', () => {
  const ruleArb = fc.record({
    verbs: fc.subarray(['get', 'list', 'create', '*'], { minLength: 1 }),
    apiGroups: fc.subarray(['', 'apps', '*'], { minLength: 1 }),
    resources: fc.subarray(['pods', 'pods/exec', 'deployments', '*', '*/exec'], { minLength: 1 }),
    resourceNames: fc.subarray(['x'], { maxLength: 1 }),
  });
  const subjectArb = fc.oneof(fc.constant(user('u')), fc.constant(group('g')), fc.constant(sa('n1', 's')), fc.constant(sa(undefined, 's')));
  const worldArb = fc.record({
    rules: fc.tuple(fc.array(ruleArb, { maxLength: 2 }), fc.array(ruleArb, { maxLength: 2 })),
    bindings: fc.array(fc.tuple(fc.boolean(), fc.constantFrom('n1', 'n2'), fc.constantFrom('c1', 'c2'), fc.array(subjectArb, { minLength: 1, maxLength: 2 })), { maxLength: 4 }),
  });
  const requesters: RequestSubject[] = [
    { kind: 'User', name: 'u', groups: ['g'] },
    { kind: 'User', name: 'v' },
    { kind: 'ServiceAccount', namespace: 'n1', name: 's' },
    { kind: 'ServiceAccount', namespace: 'n2', name: 's' },
  ];
  it('every concrete cell is allowed by canI, and every allowing rule is listed', () => {
    fc.assert(
      fc.property(
        worldArb,
        fc.constantFrom(...requesters),
        fc.record({ verb: fc.constantFrom('get', 'list', 'create'), apiGroup: fc.constantFrom('', 'apps'), resource: fc.constantFrom('pods', 'pods/exec', 'deployments'), namespace: fc.constantFrom('', 'n1', 'n2'), name: fc.constantFrom('', 'x') }),
        (w, who, attrs) => {
          const idx = buildRbacIndex(
            objectsOf([
              rawClusterRole('c1', w.rules[0]),
              rawClusterRole('c2', w.rules[1]),
              ...w.bindings.map(([cluster, ns, role, subjects], i) =>
                cluster ? rawClusterRoleBinding(`b${i}`, role, subjects.filter((s) => s.kind !== 'ServiceAccount' || s.namespace)) : rawRoleBinding(ns, `b${i}`, { kind: 'ClusterRole', name: role }, subjects),
              ),
            ]),
          );
          const perms = effectivePermissions(idx, who);
          for (const row of perms.rows) {
            if (row.apiGroup === '*' || row.resource === '*' || row.resource.startsWith('*/')) continue;
            for (const verb of Object.keys(row.cells)) {
              if (verb === '*') continue;
              const request = { verb, apiGroup: row.apiGroup, resource: row.resource, namespace: row.scope === '' ? 'n2' : row.scope, name: row.resourceNames?.[0] ?? '' };
              expect(canI(idx, who, request).allowed, JSON.stringify(request)).toBe(true);
            }
          }
          const answer = canI(idx, who, attrs);
          if (answer.allowed) {
            const listed = perms.rules.some((r) => r.binding === answer.allowedBy!.binding && r.ruleIndex === answer.allowedBy!.ruleIndex);
            expect(listed).toBe(true);
          }
        },
      ),
      { numRuns: 600 },
    );
  });
});
