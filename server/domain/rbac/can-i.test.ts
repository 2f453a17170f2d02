// canI, whoCan and aggregation against the RBAC documentation's cases, and the index against an unindexed authorizer.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { buildRbacIndex } from './index-bindings';
import { canI, canIUser } from './can-i';
import { whoCan } from './who-can';
import { aggregateClusterRoles } from './aggregate-cluster-roles';
import { roleRefKey, type ClusterRole, type RbacObject } from './model';
import { normalizeRequest, ruleAllows, type RequestAttributes } from './rule-matches';
import { bindingSubjectApplies, userInfoFor, type RequestSubject, type UserInfo } from './subject';
import { group, objectsOf, rawClusterRole, rawClusterRoleBinding, rawRole, rawRoleBinding, sa, user } from './test-support';

const podReader = [{ verbs: ['get', 'list', 'watch'], apiGroups: [''], resources: ['pods'] }];

const objects = objectsOf([
  rawRole('dev', 'pod-reader', podReader),
  rawRole('ops', 'pod-reader', podReader),
  rawRole('ops', 'cm-one', [{ verbs: ['get', 'update'], apiGroups: [''], resources: ['configmaps'], resourceNames: ['app-config'] }]),
  rawClusterRole('secret-reader', [{ verbs: ['get', 'watch', 'list'], apiGroups: [''], resources: ['secrets'] }]),
  rawClusterRole('node-reader', [{ verbs: ['get'], apiGroups: [''], resources: ['nodes'] }]),
  rawClusterRole('health', [{ verbs: ['get'], nonResourceURLs: ['/healthz', '/healthz/*'] }]),
  rawClusterRole('exec', [{ verbs: ['create'], apiGroups: [''], resources: ['pods/exec', 'pods/attach'] }, { verbs: ['get'], apiGroups: ['*'], resources: ['*/status'] }]),
  rawClusterRole('deployer', [{ verbs: ['*'], apiGroups: ['apps'], resources: ['deployments', 'replicasets'] }]),
  rawRoleBinding('dev', 'read-pods', { kind: 'Role', name: 'pod-reader' }, [user('jane')]),
  rawRoleBinding('dev', 'read-secrets', { kind: 'ClusterRole', name: 'secret-reader' }, [user('dave')]),
  rawRoleBinding('dev', 'builder', { kind: 'ClusterRole', name: 'deployer' }, [sa(undefined, 'builder')]),
  rawRoleBinding('ops', 'cm', { kind: 'Role', name: 'cm-one' }, [group('ops-team')]),
  rawRoleBinding('ops', 'dangling', { kind: 'Role', name: 'nope' }, [user('jane')]),
  rawRoleBinding('ops', 'cross-ns', { kind: 'Role', name: 'cm-one' }, [user('ann')]),
  rawRoleBinding('dev', 'rb-nonresource', { kind: 'ClusterRole', name: 'health' }, [user('nora')]),
  rawClusterRoleBinding('read-nodes', 'node-reader', [group('sre')]),
  rawClusterRoleBinding('health', 'health', [group('system:authenticated')]),
  rawClusterRoleBinding('exec', 'exec', [sa('ci', 'runner')]),
  rawClusterRoleBinding('missing', 'not-there', [user('mallory')]),
]);
const index = buildRbacIndex(objects);

const jane: RequestSubject = { kind: 'User', name: 'jane' };
type Case = [string, RequestSubject, RequestAttributes, boolean, string?];
// Expectations from the Kubernetes RBAC documentation ("Using RBAC Authorization").
const cases: Case[] = [
  ['Role grants in its namespace', jane, { verb: 'get', resource: 'pods', namespace: 'dev' }, true, 'RoleBinding "read-pods/dev" of Role "pod-reader" to User "jane" (rule 0)'],
  ['Role grants nothing in another namespace', jane, { verb: 'get', resource: 'pods', namespace: 'prod' }, false],
  ['Role grants nothing cluster-wide', jane, { verb: 'list', resource: 'pods' }, false],
  ['verb not in the rule', jane, { verb: 'delete', resource: 'pods', namespace: 'dev' }, false],
  ['RoleBinding to a ClusterRole grants only in its namespace', { kind: 'User', name: 'dave' }, { verb: 'get', resource: 'secrets', namespace: 'dev' }, true, 'RoleBinding "read-secrets/dev" of ClusterRole "secret-reader"'],
  ['… and not in another namespace', { kind: 'User', name: 'dave' }, { verb: 'get', resource: 'secrets', namespace: 'ops' }, false],
  ['… and not cluster-wide', { kind: 'User', name: 'dave' }, { verb: 'list', resource: 'secrets' }, false],
  ['ClusterRoleBinding grants cluster-scoped resources to a group', { kind: 'User', name: 'x', groups: ['sre'] }, { verb: 'get', resource: 'nodes' }, true, 'ClusterRoleBinding "read-nodes" of ClusterRole "node-reader" to Group "sre"'],
  ['ClusterRoleBinding grants in every namespace', { kind: 'User', name: 'x', groups: ['sre'] }, { verb: 'get', resource: 'nodes', namespace: 'anything' }, true],
  ['group membership is needed', { kind: 'User', name: 'x' }, { verb: 'get', resource: 'nodes' }, false],
  ['every authenticated user gets system:authenticated', { kind: 'User', name: 'anyone' }, { verb: 'get', nonResourceURL: '/healthz' }, true, 'Group "system:authenticated"'],
  ['prefix URL', { kind: 'User', name: 'anyone' }, { verb: 'get', nonResourceURL: '/healthz/etcd' }, true],
  ['URL not listed', { kind: 'User', name: 'anyone' }, { verb: 'get', nonResourceURL: '/metrics' }, false],
  ['anonymous is not authenticated', { kind: 'User', name: 'system:anonymous' }, { verb: 'get', nonResourceURL: '/healthz' }, false],
  ['non-resource rules bound by a RoleBinding never apply', { kind: 'User', name: 'nora', groups: ['system:unauthenticated'] }, { verb: 'get', nonResourceURL: '/healthz' }, false],
  ['resourceNames: named get', { kind: 'User', name: 'o', groups: ['ops-team'] }, { verb: 'get', resource: 'configmaps', name: 'app-config', namespace: 'ops' }, true],
  ['resourceNames: other name', { kind: 'User', name: 'o', groups: ['ops-team'] }, { verb: 'get', resource: 'configmaps', name: 'other', namespace: 'ops' }, false],
  ['resourceNames: unnamed update', { kind: 'User', name: 'o', groups: ['ops-team'] }, { verb: 'update', resource: 'configmaps', namespace: 'ops' }, false],
  ['SA subject without namespace means the binding namespace', { kind: 'ServiceAccount', namespace: 'dev', name: 'builder' }, { verb: 'delete', apiGroup: 'apps', resource: 'deployments', namespace: 'dev' }, true, 'ServiceAccount "builder/dev"'],
  ['… and not an SA of the same name elsewhere', { kind: 'ServiceAccount', namespace: 'ops', name: 'builder' }, { verb: 'delete', apiGroup: 'apps', resource: 'deployments', namespace: 'dev' }, false],
  ['* verb but wrong group', { kind: 'ServiceAccount', namespace: 'dev', name: 'builder' }, { verb: 'delete', resource: 'deployments', namespace: 'dev' }, false],
  ['SA via its user name', { kind: 'User', name: 'system:serviceaccount:dev:builder' }, { verb: 'get', apiGroup: 'apps', resource: 'replicasets', namespace: 'dev' }, true],
  ['subresource exec', { kind: 'ServiceAccount', namespace: 'ci', name: 'runner' }, { verb: 'create', resource: 'pods/exec', namespace: 'x' }, true],
  ['exec does not grant the pods resource', { kind: 'ServiceAccount', namespace: 'ci', name: 'runner' }, { verb: 'create', resource: 'pods', namespace: 'x' }, false],
  ['*/status on any group', { kind: 'ServiceAccount', namespace: 'ci', name: 'runner' }, { verb: 'get', apiGroup: 'apps', resource: 'deployments', subresource: 'status', namespace: 'x' }, true, '(rule 1)'],
  ['binding to a missing role grants nothing', { kind: 'User', name: 'mallory' }, { verb: 'get', resource: 'pods', namespace: 'dev' }, false, 'ClusterRole not-there, which does not exist'],
  ['a RoleBinding cannot reach a Role in another namespace', { kind: 'User', name: 'ann' }, { verb: 'get', resource: 'configmaps', name: 'app-config', namespace: 'dev' }, false],
];

describe('canI', () => {
  it.each(cases)('%s', (_name, subject, attrs, allowed, reason) => {
    const r = canI(index, subject, attrs);
    expect(r.allowed).toBe(allowed);
    if (reason) expect(r.reason).toContain(reason);
  });

  it('names the binding, role and rule index', () => {
    expect(canI(index, { kind: 'ServiceAccount', namespace: 'ci', name: 'runner' }, { verb: 'get', resource: 'pods/status', namespace: 'x' }).allowedBy).toEqual({
      binding: { kind: 'ClusterRoleBinding', name: 'exec' },
      role: { kind: 'ClusterRole', name: 'exec' },
      ruleIndex: 1,
      rule: { verbs: ['get'], apiGroups: ['*'], resources: ['*/status'], resourceNames: [], nonResourceURLs: [] },
      subject: { kind: 'ServiceAccount', namespace: 'ci', name: 'runner' },
    });
  });

  it('reports the missing roles of bindings that name the requester', () => {
    const r = canI(index, jane, { verb: 'get', resource: 'pods', namespace: 'ops' });
    expect(r.allowed).toBe(false);
    expect(r.missingRoles.map((p) => p.binding.name)).toEqual(['dangling']);
  });

  it('explains a RoleBinding to a Role that only exists in another namespace', () => {
    const idx = buildRbacIndex(objectsOf([rawRole('a', 'r', podReader), rawRoleBinding('b', 'x', { kind: 'Role', name: 'r' }, [user('u')])]));
    expect(idx.problems[0]!.message).toMatch(/only use a Role in its own namespace \(a Role "r" exists in a\)/);
  });

  it('service accounts carry their groups', () => {
    expect(userInfoFor({ kind: 'ServiceAccount', namespace: 'ns', name: 'sa' })).toEqual({
      name: 'system:serviceaccount:ns:sa',
      groups: ['system:serviceaccounts', 'system:serviceaccounts:ns', 'system:authenticated'],
    });
    const idx = buildRbacIndex(objectsOf([rawRoleBinding('ns', 'all-sas', { kind: 'Role', name: 'r' }, [group('system:serviceaccounts:ns')]), rawRole('ns', 'r', podReader)]));
    expect(canI(idx, { kind: 'ServiceAccount', namespace: 'ns', name: 'any' }, { verb: 'list', resource: 'pods', namespace: 'ns' }).allowed).toBe(true);
    expect(canI(idx, { kind: 'ServiceAccount', namespace: 'other', name: 'any' }, { verb: 'list', resource: 'pods', namespace: 'ns' }).allowed).toBe(false);
  });
});

describe('aggregated ClusterRoles', () => {
  const agg = objectsOf([
    rawClusterRole('monitoring', [], { aggregationRule: { clusterRoleSelectors: [{ matchLabels: { 'rbac.example.com/aggregate-to-monitoring': 'true' } }] } }),
    rawClusterRole('monitoring-endpoints', [{ verbs: ['get', 'list', 'watch'], apiGroups: [''], resources: ['services', 'endpoints', 'pods'] }], { labels: { 'rbac.example.com/aggregate-to-monitoring': 'true' } }),
    rawClusterRole('unrelated', [{ verbs: ['delete'], apiGroups: [''], resources: ['pods'] }], { labels: { other: 'true' } }),
    // An aggregated role can feed another: "admin" takes "edit", which takes its own sources.
    rawClusterRole('edit', [{ verbs: ['stale'], apiGroups: [''], resources: ['ignored'] }], { labels: { 'to-admin': 'true' }, aggregationRule: { clusterRoleSelectors: [{ matchExpressions: [{ key: 'to-edit', operator: 'Exists' }] }] } }),
    rawClusterRole('admin', [], { aggregationRule: { clusterRoleSelectors: [{ matchLabels: { 'to-admin': 'true' } }] } }),
    rawClusterRole('edit-source', [{ verbs: ['create'], apiGroups: ['apps'], resources: ['deployments'] }], { labels: { 'to-edit': 'yes' } }),
    rawClusterRole('edit-source-dup', [{ verbs: ['create'], apiGroups: ['apps'], resources: ['deployments'] }], { labels: { 'to-edit': 'no' } }),
    rawClusterRoleBinding('mon', 'monitoring', [user('prom')]),
    rawClusterRoleBinding('adm', 'admin', [user('root')]),
  ]);
  const idx = buildRbacIndex(agg);

  it('take the rules of every matching ClusterRole', () => {
    const r = canI(idx, { kind: 'User', name: 'prom' }, { verb: 'list', resource: 'endpoints', namespace: 'x' });
    expect(r.allowed).toBe(true);
    expect(r.reason).toContain('aggregated from ClusterRole "monitoring-endpoints" rule 0');
    expect(canI(idx, { kind: 'User', name: 'prom' }, { verb: 'delete', resource: 'pods', namespace: 'x' }).allowed).toBe(false);
  });
  it('aggregate transitively, drop duplicates and the written rules', () => {
    const rules = aggregateClusterRoles(agg.filter((o): o is ClusterRole => o.kind === 'ClusterRole'));
    expect(rules.get('edit')!.rules).toEqual([{ verbs: ['create'], apiGroups: ['apps'], resources: ['deployments'], resourceNames: [], nonResourceURLs: [] }]);
    expect(rules.get('admin')!.rules).toEqual(rules.get('edit')!.rules);
    expect(canI(idx, { kind: 'User', name: 'root' }, { verb: 'create', apiGroup: 'apps', resource: 'deployments', namespace: 'x' }).allowed).toBe(true);
    expect(canI(idx, { kind: 'User', name: 'root' }, { verb: 'stale', resource: 'ignored', namespace: 'x' }).allowed).toBe(false);
  });
  it('a cycle of aggregated roles with no plain source stays empty', () => {
    const cyc = objectsOf([
      rawClusterRole('a', [], { labels: { x: '1' }, aggregationRule: { clusterRoleSelectors: [{ matchLabels: { y: '1' } }] } }),
      rawClusterRole('b', [], { labels: { y: '1' }, aggregationRule: { clusterRoleSelectors: [{ matchLabels: { x: '1' } }] } }),
    ]);
    const rules = aggregateClusterRoles(cyc as ClusterRole[]);
    expect(rules.get('a')!.rules).toEqual([]);
    expect(rules.get('b')!.rules).toEqual([]);
  });
  it('an empty selector matches every other ClusterRole, not itself', () => {
    const all = objectsOf([rawClusterRole('all', [], { aggregationRule: { clusterRoleSelectors: [{}] } }), rawClusterRole('p', podReader)]);
    expect(aggregateClusterRoles(all as ClusterRole[]).get('all')!.rules).toHaveLength(1);
  });
});

describe('whoCan', () => {
  it('lists users, groups and service accounts allowed, with what allowed them', () => {
    const r = whoCan(index, { verb: 'get', resource: 'secrets', namespace: 'dev' });
    expect(r.subjects.map((s) => s.subject)).toEqual([{ kind: 'User', name: 'dave' }]);
    expect(r.subjects[0]!.grants[0]).toMatchObject({ binding: { kind: 'RoleBinding', namespace: 'dev', name: 'read-secrets' }, ruleIndex: 0 });
  });
  it('counts cluster bindings in every namespace and resolves SA namespaces', () => {
    const r = whoCan(index, { verb: 'create', apiGroup: 'apps', resource: 'deployments', namespace: 'dev' });
    expect(r.subjects.map((s) => s.subject)).toEqual([{ kind: 'ServiceAccount', namespace: 'dev', name: 'builder' }]);
    expect(whoCan(index, { verb: 'get', nonResourceURL: '/healthz' }).subjects.map((s) => s.subject)).toEqual([{ kind: 'Group', name: 'system:authenticated' }]);
  });
  it('reports bindings in scope whose role is missing', () => {
    expect(whoCan(index, { verb: 'get', resource: 'pods', namespace: 'ops' }).missingRoles.map((p) => p.binding.name).sort()).toEqual(['dangling', 'missing']);
  });
});

// The authorizer as written (VisitRulesFor + appliesTo + RuleAllows), with no index, to check the index against.
function referenceAllows(objs: RbacObject[], u: UserInfo, attrs: RequestAttributes): boolean {
  const req = normalizeRequest(attrs);
  const roles = buildRbacIndex(objs).roles; // aggregation is tested on its own above
  for (const b of objs) {
    if (b.kind !== 'ClusterRoleBinding' && b.kind !== 'RoleBinding') continue;
    const ns = b.kind === 'RoleBinding' ? b.namespace : '';
    if (b.kind === 'RoleBinding' && b.namespace !== req.namespace) continue;
    if (!b.subjects.some((s) => bindingSubjectApplies(u, s, ns))) continue;
    const role = roles.get(roleRefKey(b));
    if (role?.rules.some((r) => ruleAllows(r, req))) return true;
  }
  return false;
}

const names = ['a', 'b', 'c'];
const nsArb = fc.constantFrom('n1', 'n2');
const ruleArb = fc.record({
  verbs: fc.subarray(['get', 'list', 'create', '*'], { minLength: 1 }),
  apiGroups: fc.subarray(['', 'apps', '*'], { minLength: 1 }),
  resources: fc.subarray(['pods', 'pods/exec', 'secrets', '*', '*/exec'], { minLength: 1 }),
  resourceNames: fc.subarray(['x', 'y'], { maxLength: 1 }),
});
const subjectArb = fc.oneof(
  fc.constantFrom(...names).map((n) => user(n)),
  fc.constantFrom('g1', 'system:authenticated', 'system:serviceaccounts:n1').map((n) => group(n)),
  fc.tuple(fc.constantFrom<string | undefined>('n1', 'n2', undefined), fc.constantFrom('s1', 's2')).map(([ns, n]) => sa(ns, n)),
);
const worldArb = fc.record({
  roles: fc.array(fc.tuple(nsArb, fc.constantFrom('r1', 'r2'), fc.array(ruleArb, { maxLength: 2 })), { maxLength: 3 }),
  clusterRoles: fc.array(fc.tuple(fc.constantFrom('c1', 'c2'), fc.array(ruleArb, { maxLength: 2 })), { maxLength: 2 }),
  roleBindings: fc.array(fc.tuple(nsArb, fc.constantFrom('Role', 'ClusterRole'), fc.constantFrom('r1', 'r2', 'c1', 'c2'), fc.array(subjectArb, { maxLength: 2 })), { maxLength: 4 }),
  clusterBindings: fc.array(fc.tuple(fc.constantFrom('c1', 'c2', 'c3'), fc.array(subjectArb.filter((s) => s.kind !== 'ServiceAccount' || s.namespace !== undefined), { maxLength: 2 })), { maxLength: 2 }),
});
type World = typeof worldArb extends fc.Arbitrary<infer T> ? T : never;
function build(w: World): RbacObject[] {
  const seen = new Set<string>();
  const raws: unknown[] = [];
  const add = (key: string, raw: unknown) => !seen.has(key) && (seen.add(key), raws.push(raw));
  w.roles.forEach(([ns, n, rules]) => add(`r/${ns}/${n}`, rawRole(ns, n, rules)));
  w.clusterRoles.forEach(([n, rules]) => add(`c/${n}`, rawClusterRole(n, rules)));
  w.roleBindings.forEach(([ns, kind, n, subjects], i) => add(`rb/${i}`, rawRoleBinding(ns, `rb${i}`, { kind, name: n }, subjects)));
  w.clusterBindings.forEach(([n, subjects], i) => add(`crb/${i}`, rawClusterRoleBinding(`crb${i}`, n, subjects)));
  return objectsOf(raws);
}
const requesterArb = fc.oneof(
  fc.tuple(fc.constantFrom(...names), fc.subarray(['g1', 'g2'])).map(([name, groups]): RequestSubject => ({ kind: 'User', name, groups })),
  fc.tuple(nsArb, fc.constantFrom('s1', 's2')).map(([namespace, name]): RequestSubject => ({ kind: 'ServiceAccount', namespace, name })),
);
const requestArb = fc.record({
  verb: fc.constantFrom('get', 'list', 'create', 'delete'),
  apiGroup: fc.constantFrom('', 'apps'),
  resource: fc.constantFrom('pods', 'pods/exec', 'secrets', 'deployments'),
  namespace: fc.constantFrom('', 'n1', 'n2'),
  name: fc.constantFrom('', 'x', 'y'),
});

describe('canI properties', () => {
  it('agrees with the unindexed authorizer', () => {
    fc.assert(
      fc.property(worldArb, requesterArb, requestArb, (w, s, attrs) => {
        const objs = build(w);
        expect(canIUser(buildRbacIndex(objs), userInfoFor(s), attrs).allowed).toBe(referenceAllows(objs, userInfoFor(s), attrs));
      }),
      { numRuns: 1500 },
    );
  });
  it('adding a binding never removes a permission', () => {
    fc.assert(
      fc.property(worldArb, requesterArb, requestArb, fc.tuple(nsArb, fc.constantFrom('Role', 'ClusterRole'), fc.constantFrom('r1', 'c1'), fc.array(subjectArb, { maxLength: 2 })), (w, s, attrs, extra) => {
        const before = build(w);
        const after = build({ ...w, roleBindings: [...w.roleBindings, extra] });
        if (canI(buildRbacIndex(before), s, attrs).allowed) expect(canI(buildRbacIndex(after), s, attrs).allowed).toBe(true);
      }),
      { numRuns: 800 },
    );
  });
  it('whoCan lists a subject exactly when canI allows it (users and service accounts named directly)', () => {
    fc.assert(
      fc.property(worldArb, requestArb, (w, attrs) => {
        const idx = buildRbacIndex(build(w));
        const listed = new Set(whoCan(idx, attrs).subjects.filter((e) => e.subject.kind !== 'Group').map((e) => JSON.stringify(e.subject)));
        for (const subject of [...names.map((n): RequestSubject => ({ kind: 'User', name: n, groups: [] }))]) {
          const direct = canIUser(idx, { name: subject.name, groups: [] }, attrs).allowed;
          expect(listed.has(JSON.stringify({ kind: 'User', name: subject.name }))).toBe(direct);
        }
      }),
      { numRuns: 800 },
    );
  });
});

describe('buildRbacIndex with reuse', () => {
  const objs = objectsOf([
    rawClusterRole('agg', [], { aggregationRule: { clusterRoleSelectors: [{ matchLabels: { to: 'agg' } }] } }),
    rawClusterRole('part', [{ verbs: ['get'], apiGroups: [''], resources: ['pods'] }], { labels: { to: 'agg' } }),
    rawClusterRole('other', [{ verbs: ['list'], apiGroups: [''], resources: ['pods'] }]),
    rawRole('ns', 'r', podReader),
    rawClusterRoleBinding('b', 'agg', [user('u')]),
  ]);
  const before = buildRbacIndex(objs);
  const ask = (idx: ReturnType<typeof buildRbacIndex>, verb: string) => canI(idx, { kind: 'User', name: 'u' }, { verb, resource: 'pods', namespace: 'ns' }).allowed;

  it('keeps compiled roles that are the same objects, including aggregated ones when no ClusterRole changed', () => {
    const next = [...objs, ...objectsOf([rawRoleBinding('ns', 'rb', { kind: 'Role', name: 'r' }, [user('v')])])];
    const after = buildRbacIndex(next, { reuse: before });
    for (const key of ['ClusterRole//agg', 'ClusterRole//part', 'Role/ns/r']) expect(after.roles.get(key)).toBe(before.roles.get(key));
    expect(ask(after, 'get')).toBe(true);
  });
  it('re-aggregates when a ClusterRole changes', () => {
    const relabelled = objs.map((o) => (o.kind === 'ClusterRole' && o.name === 'other' ? { ...o, labels: { to: 'agg' } } : o));
    const after = buildRbacIndex(relabelled, { reuse: before });
    expect(ask(before, 'list')).toBe(false);
    expect(ask(after, 'list')).toBe(true);
    expect(after.roles.get('ClusterRole//part')).toBe(before.roles.get('ClusterRole//part'));
  });
});
