import { describe, expect, it } from 'vitest';
import { buildRbacCatalog } from './rbac-catalog';

describe('buildRbacCatalog', () => {
  it('learns resources with their subresources from the cluster’s rules and kinds, subjects from bindings', () => {
    const c = buildRbacCatalog([
      { kind: 'Workload', namespace: 'shop', name: 'web', object: { ownerKind: 'StatefulSet' } },
      { kind: 'ServiceAccount', namespace: 'shop', name: 'ci', object: {} },
      { kind: 'Role', namespace: 'shop', name: 'debug', object: { rules: [{ apiGroups: [''], resources: ['pods/exec', 'pods/log', '*'], verbs: ['create', 'impersonate'] }] } },
      { kind: 'ClusterRole', namespace: '', name: 'view', object: { rules: [{ apiGroups: ['*'], resources: ['widgets'], verbs: ['*'] }] } },
      { kind: 'RoleBinding', namespace: 'shop', name: 'b', object: { subjects: [{ kind: 'User', name: 'ana' }, { kind: 'ServiceAccount', name: 'ci' }] } },
      { kind: 'ClusterRoleBinding', namespace: '', name: 'cb', object: { subjects: [{ kind: 'User', name: 'ana' }, { kind: 'Group', name: 'sre' }, { kind: 'Alien', name: 'x' }] } },
    ]);
    expect(c.resourceSource).toBe('inventory');
    expect(c.resources).toContainEqual({ apiGroup: '', resource: 'pods', subresources: ['exec', 'log'], source: 'rules' });
    expect(c.resources).toContainEqual({ apiGroup: 'apps', resource: 'statefulsets', subresources: [], source: 'inventory' });
    expect(c.resources).toContainEqual({ apiGroup: 'rbac.authorization.k8s.io', resource: 'roles', subresources: [], source: 'inventory' });
    // Wildcards are not resources to offer.
    expect(c.resources.some((r) => r.resource === '*' || r.resource === 'widgets')).toBe(false);
    expect(c.subjects).toEqual([
      { kind: 'Group', name: 'sre', boundIn: ['cb'] },
      { kind: 'ServiceAccount', name: 'ci', namespace: 'shop', boundIn: ['shop/b'] },
      { kind: 'User', name: 'ana', boundIn: ['shop/b', 'cb'] },
    ]);
    expect(c.serviceAccounts).toEqual([{ namespace: 'shop', name: 'ci' }]);
    expect(c.roles).toEqual([{ kind: 'ClusterRole', namespace: null, name: 'view' }, { kind: 'Role', namespace: 'shop', name: 'debug' }]);
    expect(c.verbs).toContain('impersonate');
  });

  it('falls back to the built-in list only when inventory names no resource, and says so', () => {
    const c = buildRbacCatalog([]);
    expect(c.resourceSource).toBe('built-in');
    expect(c.resources).toContainEqual({ apiGroup: 'apps', resource: 'deployments', subresources: [], source: 'built-in' });
  });
});
