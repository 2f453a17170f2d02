// Permissions gained and lost per subject, with coverage by wildcards and other grants.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { buildRbacIndex } from './index-bindings';
import { formatPermission, semanticDiff, semanticDiffObjects } from './semantic-diff';
import type { RbacObject } from './model';
import { group, objectsOf, rawClusterRole, rawClusterRoleBinding, rawRole, rawRoleBinding, sa, user } from './test-support';

const base = [
  rawRole('shop', 'pods', [{ verbs: ['get', 'list'], apiGroups: [''], resources: ['pods'] }]),
  rawClusterRole('view', [{ verbs: ['get'], apiGroups: [''], resources: ['pods', 'services'] }]),
  rawClusterRole('health', [{ verbs: ['get'], nonResourceURLs: ['/healthz'] }]),
  rawRoleBinding('shop', 'pods', { kind: 'Role', name: 'pods' }, [user('jane')]),
  rawRoleBinding('shop', 'view', { kind: 'ClusterRole', name: 'view' }, [user('jane'), group('devs')]),
  rawClusterRoleBinding('health', 'health', [group('system:authenticated')]),
];
const diff = (before: unknown[], after: unknown[]) => semanticDiff(buildRbacIndex(objectsOf(before)), buildRbacIndex(objectsOf(after)));
const lines = (d: ReturnType<typeof diff>) =>
  d.subjects.map((s) => ({ subject: `${s.subject.kind} ${s.subject.namespace ? `${s.subject.namespace}/` : ''}${s.subject.name}`, gained: s.gained.map(formatPermission), lost: s.lost.map(formatPermission) }));

describe('semanticDiff', () => {
  it('is empty for identical sets', () => {
    expect(diff(base, base)).toEqual({ subjects: [], changedObjects: [], missingRolesAdded: [], missingRolesResolved: [] });
  });
  it('reports what a new binding grants, per subject', () => {
    const d = diff(base, [...base, rawRoleBinding('shop', 'ci', { kind: 'ClusterRole', name: 'view' }, [sa(undefined, 'ci')])]);
    expect(lines(d)).toEqual([{ subject: 'ServiceAccount shop/ci', gained: ['get pods in namespace shop', 'get services in namespace shop'], lost: [] }]);
    expect(d.changedObjects).toEqual([{ ref: { kind: 'RoleBinding', namespace: 'shop', name: 'ci' }, change: 'added' }]);
    expect(d.subjects[0]!.gained[0]!.via).toEqual([{ binding: { kind: 'RoleBinding', namespace: 'shop', name: 'ci' }, role: { kind: 'ClusterRole', name: 'view' }, ruleIndex: 0 }]);
  });
  it('does not count a permission as lost while another binding still grants it', () => {
    const d = diff(base, base.filter((o) => (o as { metadata: { name: string }; kind: string }).kind !== 'RoleBinding' || (o as { metadata: { name: string } }).metadata.name !== 'pods'));
    expect(lines(d)).toEqual([{ subject: 'User jane', gained: [], lost: ['list pods in namespace shop'] }]);
  });
  it('reads a role change as changes for everyone bound to it', () => {
    const widened = base.map((o) => ((o as { kind: string }).kind === 'ClusterRole' && (o as { metadata: { name: string } }).metadata.name === 'view' ? rawClusterRole('view', [{ verbs: ['get', 'delete'], apiGroups: [''], resources: ['pods'] }]) : o));
    expect(lines(diff(base, widened))).toEqual([
      { subject: 'Group devs', gained: ['delete pods in namespace shop'], lost: ['get services in namespace shop'] },
      { subject: 'User jane', gained: ['delete pods in namespace shop'], lost: ['get services in namespace shop'] },
    ]);
  });
  it('treats wildcards and cluster-wide grants as covering narrower ones', () => {
    const before = [rawClusterRole('r', [{ verbs: ['get'], apiGroups: [''], resources: ['pods/log'], resourceNames: ['a'] }]), rawRoleBinding('ns', 'b', { kind: 'ClusterRole', name: 'r' }, [user('u')])];
    const after = [rawClusterRole('r2', [{ verbs: ['*'], apiGroups: [''], resources: ['*/log'] }]), rawClusterRoleBinding('b2', 'r2', [user('u')])];
    expect(lines(diff(before, after))).toEqual([{ subject: 'User u', gained: ['* */log cluster-wide'], lost: [] }]);
    expect(lines(diff(after, before))).toEqual([{ subject: 'User u', gained: [], lost: ['* */log cluster-wide'] }]);
  });
  it('non-resource URLs: only cluster-wide grants count, prefixes cover', () => {
    const before = [rawClusterRole('h', [{ verbs: ['get'], nonResourceURLs: ['/metrics'] }]), rawClusterRoleBinding('h', 'h', [user('u')])];
    const after = [rawClusterRole('h', [{ verbs: ['get'], nonResourceURLs: ['/metrics*'] }]), rawClusterRoleBinding('h', 'h', [user('u')]), rawRoleBinding('ns', 'rb', { kind: 'ClusterRole', name: 'h' }, [user('v')])];
    expect(lines(diff(before, after))).toEqual([{ subject: 'User u', gained: ['get /metrics*'], lost: [] }]);
  });
  it('reports bindings whose role goes missing or appears', () => {
    const without = base.filter((o) => (o as { kind: string }).kind !== 'Role');
    const d = diff(base, without);
    expect(lines(d)).toEqual([{ subject: 'User jane', gained: [], lost: ['list pods in namespace shop'] }]);
    expect(d.missingRolesAdded.map((p) => p.binding.name)).toEqual(['pods']);
    expect(diff(without, base).missingRolesResolved.map((p) => p.binding.name)).toEqual(['pods']);
  });
});

const ruleArb = fc.record({
  verbs: fc.subarray(['get', 'list', '*'], { minLength: 1 }),
  apiGroups: fc.subarray(['', '*'], { minLength: 1 }),
  resources: fc.subarray(['pods', 'pods/log', '*', '*/log'], { minLength: 1 }),
  resourceNames: fc.subarray(['a'], { maxLength: 1 }),
});
const subjectArb = fc.oneof(fc.constantFrom('u1', 'u2').map(user), fc.constantFrom('g').map(group), fc.constantFrom('s').map((n) => sa('n1', n)));
const bindingArb = fc.tuple(fc.boolean(), fc.constantFrom('n1', 'n2'), fc.constantFrom('c1', 'c2', 'c3'), fc.array(subjectArb, { maxLength: 2 }));
const worldArb = fc.record({ roles: fc.tuple(fc.array(ruleArb, { maxLength: 2 }), fc.array(ruleArb, { maxLength: 2 })), bindings: fc.array(bindingArb, { maxLength: 4 }) });
type World = typeof worldArb extends fc.Arbitrary<infer T> ? T : never;
function build(w: World): RbacObject[] {
  return objectsOf([
    rawClusterRole('c1', w.roles[0]),
    rawClusterRole('c2', w.roles[1]),
    ...w.bindings.map(([cluster, ns, role, subjects], i) => (cluster ? rawClusterRoleBinding(`b${i}`, role, subjects) : rawRoleBinding(ns, `b${i}`, { kind: 'ClusterRole', name: role }, subjects))),
  ]);
}

describe('semanticDiff properties', () => {
  it('the diff of a set with itself (rebuilt) is empty', () => {
    fc.assert(
      fc.property(worldArb, (w) => {
        expect(semanticDiff(buildRbacIndex(build(w)), buildRbacIndex(build(w))).subjects).toEqual([]);
      }),
      { numRuns: 300 },
    );
  });
  it('swapping before and after swaps gained and lost', () => {
    fc.assert(
      fc.property(worldArb, worldArb, (a, b) => {
        const ia = buildRbacIndex(build(a));
        const ib = buildRbacIndex(build(b));
        const fwd = semanticDiff(ia, ib).subjects.map((s) => [s.subject, s.gained.map(formatPermission), s.lost.map(formatPermission)]);
        const back = semanticDiff(ib, ia).subjects.map((s) => [s.subject, s.lost.map(formatPermission), s.gained.map(formatPermission)]);
        expect(back).toEqual(fwd);
      }),
      { numRuns: 300 },
    );
  });
  it('adding a binding only ever gains', () => {
    fc.assert(
      fc.property(worldArb, bindingArb, (w, extra) => {
        const d = semanticDiff(buildRbacIndex(build(w)), buildRbacIndex(build({ ...w, bindings: [...w.bindings, extra] })));
        for (const s of d.subjects) expect(s.lost).toEqual([]);
      }),
      { numRuns: 300 },
    );
  });
});

describe('semanticDiffObjects', () => {
  const opArb = fc.oneof(
    fc.record({ op: fc.constant('remove' as const), at: fc.nat() }),
    fc.record({ op: fc.constant('add' as const), binding: bindingArb }),
    fc.record({ op: fc.constant('rules' as const), role: fc.constantFrom('c1', 'c2'), rules: fc.array(ruleArb, { maxLength: 2 }) }),
    fc.record({ op: fc.constant('subjects' as const), at: fc.nat(), subjects: fc.array(subjectArb, { maxLength: 2 }) }),
  );
  it('agrees with semanticDiff on a fully indexed after set', () => {
    fc.assert(
      fc.property(worldArb, fc.array(opArb, { minLength: 1, maxLength: 3 }), (w, ops) => {
        const before = build(w);
        let after: RbacObject[] = before.slice();
        ops.forEach((o, n) => {
          if (o.op === 'remove' && after.length > 0) after.splice(o.at % after.length, 1);
          if (o.op === 'add') {
            const [cluster, ns, role, subjects] = o.binding;
            after.push(...objectsOf([cluster ? rawClusterRoleBinding(`new${n}`, role, subjects) : rawRoleBinding(ns, `new${n}`, { kind: 'ClusterRole', name: role }, subjects)]));
          }
          if (o.op === 'rules') after = after.map((x) => (x.kind === 'ClusterRole' && x.name === o.role ? objectsOf([rawClusterRole(o.role, o.rules)])[0]! : x));
          if (o.op === 'subjects') {
            const bindings = after.filter((x) => x.kind === 'RoleBinding' || x.kind === 'ClusterRoleBinding');
            const target = bindings[o.at % Math.max(1, bindings.length)];
            const subjects = (objectsOf([rawClusterRoleBinding('x', 'c1', o.subjects)])[0] as Extract<RbacObject, { kind: 'ClusterRoleBinding' }>).subjects;
            if (target) after = after.map((x) => (x === target ? { ...target, subjects } : x));
          }
        });
        const idx = buildRbacIndex(before);
        expect(semanticDiffObjects(idx, after)).toEqual(semanticDiff(idx, buildRbacIndex(after)));
      }),
      { numRuns: 500 },
    );
  });
  it('reports a one-binding change', () => {
    const before = objectsOf(base);
    const after = [...before, ...objectsOf([rawRoleBinding('shop', 'ci', { kind: 'ClusterRole', name: 'view' }, [sa(undefined, 'ci')])])];
    expect(lines(semanticDiffObjects(buildRbacIndex(before), after))).toEqual([{ subject: 'ServiceAccount shop/ci', gained: ['get pods in namespace shop', 'get services in namespace shop'], lost: [] }]);
  });
});
