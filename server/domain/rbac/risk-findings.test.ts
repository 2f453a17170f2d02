// One finding per risky grant, with its severity, stable id and the objects behind it.
import { describe, expect, it } from 'vitest';
import { buildRbacIndex } from './index-bindings';
import { riskFindings } from './risk-findings';
import { group, objectsOf, rawClusterRole, rawClusterRoleBinding, rawRole, rawRoleBinding, sa, user } from './test-support';

const index = buildRbacIndex(
  objectsOf([
    rawClusterRole('cluster-admin', [{ verbs: ['*'], apiGroups: ['*'], resources: ['*'] }]),
    rawClusterRole('star-verbs', [{ verbs: ['*'], apiGroups: [''], resources: ['configmaps'] }]),
    rawClusterRole('all-resources', [{ verbs: ['get'], apiGroups: ['apps'], resources: ['*'] }]),
    rawClusterRole('secret-reader', [{ verbs: ['list'], apiGroups: [''], resources: ['secrets'] }]),
    rawRole('shop', 'one-secret', [{ verbs: ['get'], apiGroups: [''], resources: ['secrets'], resourceNames: ['tls'] }]),
    rawClusterRole('debug', [{ verbs: ['create'], apiGroups: [''], resources: ['pods/exec'] }, { verbs: ['get'], apiGroups: [''], resources: ['pods/attach'] }]),
    rawClusterRole('rbac-manager', [{ verbs: ['escalate', 'bind'], apiGroups: ['rbac.authorization.k8s.io'], resources: ['clusterroles'] }]),
    rawClusterRole('impersonator', [{ verbs: ['impersonate'], apiGroups: [''], resources: ['users', 'groups'] }]),
    rawClusterRole('deployer', [{ verbs: ['create'], apiGroups: ['apps'], resources: ['deployments'] }]),
    rawClusterRole('unused-wildcard', [{ verbs: ['*'], apiGroups: ['*'], resources: ['*'] }]),
    rawClusterRole('agg', [], { aggregationRule: { clusterRoleSelectors: [{ matchLabels: { agg: 'true' } }] } }),
    rawClusterRole('agg-part', [{ verbs: ['get'], apiGroups: [''], resources: ['secrets'] }], { labels: { agg: 'true' } }),
    { ...rawClusterRole('system:controller:x', [{ verbs: ['get'], apiGroups: [''], resources: ['secrets'] }]), metadata: { name: 'system:controller:x', labels: { 'kubernetes.io/bootstrapping': 'rbac-defaults' } } },
    rawClusterRoleBinding('admins', 'cluster-admin', [user('root')]),
    rawClusterRoleBinding('masters', 'cluster-admin', [group('system:masters')]),
    rawRoleBinding('shop', 'shop-admin', { kind: 'ClusterRole', name: 'cluster-admin' }, [user('owner')]),
    rawClusterRoleBinding('everyone-reads-secrets', 'secret-reader', [group('system:authenticated')]),
    rawClusterRoleBinding('anon', 'all-resources', [group('system:unauthenticated')]),
    rawClusterRoleBinding('system:discovery', 'star-verbs', [group('system:authenticated')]),
    rawClusterRoleBinding('debuggers', 'debug', [user('oncall')]),
    rawClusterRoleBinding('rbac', 'rbac-manager', [user('ops')]),
    rawClusterRoleBinding('imp', 'impersonator', [user('proxy')]),
    rawRoleBinding('kube-system', 'deploy-system', { kind: 'ClusterRole', name: 'deployer' }, [sa('kube-system', 'ci')]),
    rawRoleBinding('shop', 'deploy-shop', { kind: 'ClusterRole', name: 'deployer' }, [sa(undefined, 'ghost')]),
    rawRoleBinding('shop', 'one', { kind: 'Role', name: 'one-secret' }, [sa(undefined, 'web')]),
    rawRoleBinding('shop', 'dangling', { kind: 'Role', name: 'missing' }, [user('x')]),
    rawClusterRoleBinding('agg', 'agg', [user('a')]),
  ]),
);

describe('riskFindings', () => {
  const findings = riskFindings(index, { serviceAccounts: [{ namespace: 'shop', name: 'web' }, { namespace: 'kube-system', name: 'ci' }] });
  const byId = new Map(findings.map((f) => [f.id, f]));
  const expectFinding = (id: string, severity: string, message?: RegExp) => {
    const f = byId.get(id);
    expect(f, `${id} in ${[...byId.keys()].join('\n')}`).toBeDefined();
    expect(f!.severity).toBe(severity);
    if (message) expect(f!.message).toMatch(message);
    return f!;
  };

  it.each<[string, string, RegExp?]>([
    ['full-wildcard/ClusterRole/cluster-admin/rules[0]', 'critical', /every verb on every resource/],
    ['full-wildcard/ClusterRole/unused-wildcard/rules[0]', 'high', /not bound by any binding/],
    ['wildcard-verbs/ClusterRole/star-verbs/rules[0]', 'high', /every verb on configmaps/],
    ['wildcard-resources/ClusterRole/all-resources/rules[0]', 'high', /every resource in API group\(s\) "apps"/],
    ['secrets-read/ClusterRole/secret-reader/rules[0]', 'high', /can list secrets/],
    ['secrets-read/Role/shop/one-secret/rules[0]', 'low', /named tls/],
    ['secrets-read/ClusterRole/agg/rules[0]', 'high', /aggregated from ClusterRole agg-part/],
    ['secrets-read/ClusterRole/agg-part/rules[0]', 'high'],
    ['pods-exec/ClusterRole/debug/rules[0]', 'high'],
    ['pods-attach/ClusterRole/debug/rules[1]', 'high'],
    ['escalate/ClusterRole/rbac-manager/rules[0]', 'high'],
    ['bind/ClusterRole/rbac-manager/rules[0]', 'high'],
    ['impersonate/ClusterRole/impersonator/rules[0]', 'critical', /users, groups/],
    ['cluster-admin-binding/ClusterRoleBinding/admins', 'critical', /everywhere to User root/],
    ['cluster-admin-binding/ClusterRoleBinding/masters', 'low'],
    ['cluster-admin-binding/RoleBinding/shop/shop-admin', 'high', /in namespace shop/],
    ['broad-group-binding/ClusterRoleBinding/everyone-reads-secrets/subjects[0]', 'medium', /every authenticated user/],
    ['broad-group-binding/ClusterRoleBinding/anon/subjects[0]', 'high', /anonymous/],
    ['broad-group-binding/ClusterRoleBinding/system:discovery/subjects[0]', 'low'],
    ['workload-create-privileged-namespace/RoleBinding/kube-system/deploy-system', 'critical', /create deployments in kube-system/],
    ['missing-service-account/RoleBinding/shop/deploy-shop/subjects[0]', 'medium', /ServiceAccount shop\/ghost/],
    ['missing-role/RoleBinding/shop/dangling', 'medium', /Role shop\/missing/],
  ])('%s (%s)', (id, severity, message) => {
    expectFinding(id, severity, message);
  });

  it('names the objects behind a finding', () => {
    expect(byId.get('secrets-read/ClusterRole/secret-reader/rules[0]')!.objects).toEqual([
      { kind: 'ClusterRole', name: 'secret-reader' },
      { kind: 'ClusterRoleBinding', name: 'everyone-reads-secrets' },
    ]);
    expect(byId.get('missing-role/RoleBinding/shop/dangling')!.objects).toEqual([
      { kind: 'RoleBinding', namespace: 'shop', name: 'dangling' },
      { kind: 'Role', namespace: 'shop', name: 'missing' },
    ]);
  });
  it('does not repeat a full wildcard as its parts, skips bootstrap roles, and needs a list to report missing service accounts', () => {
    expect(findings.filter((f) => f.objects[0]!.name === 'cluster-admin' && f.objects[0]!.kind === 'ClusterRole').map((f) => f.check)).toEqual(['full-wildcard']);
    expect(findings.some((f) => f.objects[0]!.name === 'system:controller:x')).toBe(false);
    expect(riskFindings(index, { includeBootstrapRoles: true }).some((f) => f.objects[0]!.name === 'system:controller:x')).toBe(true);
    expect(riskFindings(index).some((f) => f.check === 'missing-service-account')).toBe(false);
    expect(findings.some((f) => f.id.includes('deploy-shop') && f.check === 'workload-create-privileged-namespace')).toBe(false);
  });
  it('is sorted by severity then id, and ids are unique', () => {
    const ranks = { critical: 0, high: 1, medium: 2, low: 3 };
    const keys = findings.map((f) => [ranks[f.severity], f.id] as const);
    expect(keys).toEqual([...keys].sort((a, b) => a[0] - b[0] || (a[1] < b[1] ? -1 : 1)));
    expect(new Set(findings.map((f) => f.id)).size).toBe(findings.length);
  });
  it('privileged namespaces are configurable', () => {
    const f = riskFindings(index, { privilegedNamespaces: ['shop'] });
    expect(f.find((x) => x.id === 'workload-create-privileged-namespace/RoleBinding/shop/deploy-shop')?.severity).toBe('high');
  });
});
