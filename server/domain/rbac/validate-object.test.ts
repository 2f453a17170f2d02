// Validation as the API server does it: every invalid object named with its field; valid ones defaulted, never rejected.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { parseRbacObjects } from './parse-objects';
import { validateObject } from './validate-object';
import { rawClusterRole, rawClusterRoleBinding, rawRole, rawRoleBinding, user } from './test-support';

const V1 = 'rbac.authorization.k8s.io/v1';

// Each invalid object must be rejected with an error naming it and the offending field.
const invalid: [string, unknown, { kind: string; namespace?: string; name?: string }, string, RegExp][] = [
  ['rule without verbs', rawRole('a', 'r', [{ verbs: [], apiGroups: [''], resources: ['pods'] }]), { kind: 'Role', namespace: 'a', name: 'r' }, 'rules[0].verbs', /at least one/],
  ['rule with neither resources nor nonResourceURLs', rawClusterRole('c', [{ verbs: ['get'], apiGroups: [''] }]), { kind: 'ClusterRole', name: 'c' }, 'rules[0].resources', /at least one resource/],
  ['resource rule without apiGroups', rawClusterRole('c', [{ verbs: ['get'], resources: ['pods'] }]), { kind: 'ClusterRole', name: 'c' }, 'rules[0].apiGroups', /api group/],
  ['both resources and nonResourceURLs', rawClusterRole('c', [{ verbs: ['get'], apiGroups: [''], resources: ['pods'], nonResourceURLs: ['/x'] }]), { kind: 'ClusterRole', name: 'c' }, 'rules[0].nonResourceURLs', /both/],
  ['namespaced Role with nonResourceURLs', rawRole('a', 'r', [{ verbs: ['get'], nonResourceURLs: ['/healthz'] }]), { kind: 'Role', namespace: 'a', name: 'r' }, 'rules[0].nonResourceURLs', /namespaced rules cannot/],
  ['roleRef kind not Role/ClusterRole', rawRoleBinding('a', 'b', { kind: 'Group', name: 'x' }, [user('u')]), { kind: 'RoleBinding', namespace: 'a', name: 'b' }, 'roleRef.kind', /supported values/],
  ['ClusterRoleBinding to a Role', { ...rawClusterRoleBinding('b', 'r', [user('u')]), roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'r' } }, { kind: 'ClusterRoleBinding', name: 'b' }, 'roleRef.kind', /only refer to a ClusterRole/],
  ['RoleBinding to a Role in another namespace', { ...rawRoleBinding('a', 'b', { kind: 'Role', name: 'r' }, [user('u')]), roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'r', namespace: 'other' } }, { kind: 'RoleBinding', namespace: 'a', name: 'b' }, 'roleRef.namespace', /another namespace/],
  ['roleRef in another API group', { ...rawRoleBinding('a', 'b', { kind: 'Role', name: 'r' }, [user('u')]), roleRef: { apiGroup: 'example.com', kind: 'Role', name: 'r' } }, { kind: 'RoleBinding', namespace: 'a', name: 'b' }, 'roleRef.apiGroup', /supported values/],
  ['roleRef without name', rawRoleBinding('a', 'b', { kind: 'Role', name: '' }, [user('u')]), { kind: 'RoleBinding', namespace: 'a', name: 'b' }, 'roleRef.name', /required/],
  ['unknown subject kind', rawRoleBinding('a', 'b', { kind: 'Role', name: 'r' }, [{ kind: 'Robot', name: 'x' }]), { kind: 'RoleBinding', namespace: 'a', name: 'b' }, 'subjects[0].kind', /supported values/],
  ['SA subject of a ClusterRoleBinding without namespace', rawClusterRoleBinding('b', 'c', [{ kind: 'ServiceAccount', name: 'x' }]), { kind: 'ClusterRoleBinding', name: 'b' }, 'subjects[0].namespace', /required/],
  ['SA subject with an apiGroup', rawRoleBinding('a', 'b', { kind: 'Role', name: 'r' }, [{ kind: 'ServiceAccount', name: 'x', apiGroup: 'rbac.authorization.k8s.io' }]), { kind: 'RoleBinding', namespace: 'a', name: 'b' }, 'subjects[0].apiGroup', /supported values: ""/],
  ['SA subject with an invalid name', rawRoleBinding('a', 'b', { kind: 'Role', name: 'r' }, [{ kind: 'ServiceAccount', name: 'Bad_Name' }]), { kind: 'RoleBinding', namespace: 'a', name: 'b' }, 'subjects[0].name', /invalid service account name/],
  ['User subject with another apiGroup', rawRoleBinding('a', 'b', { kind: 'Role', name: 'r' }, [{ kind: 'User', name: 'x', apiGroup: 'v1' }]), { kind: 'RoleBinding', namespace: 'a', name: 'b' }, 'subjects[0].apiGroup', /supported values/],
  ['subject without name', rawRoleBinding('a', 'b', { kind: 'Role', name: 'r' }, [{ kind: 'User', name: '' }]), { kind: 'RoleBinding', namespace: 'a', name: 'b' }, 'subjects[0].name', /required/],
  ['object without name', { apiVersion: V1, kind: 'ClusterRole', metadata: {}, rules: [] }, { kind: 'ClusterRole' }, 'metadata.name', /required/],
  ['name with a slash', { apiVersion: V1, kind: 'ClusterRole', metadata: { name: 'a/b' }, rules: [] }, { kind: 'ClusterRole', name: 'a/b' }, 'metadata.name', /'\/'/],
  ['rules not a list', { apiVersion: V1, kind: 'ClusterRole', metadata: { name: 'c' }, rules: 'all' }, { kind: 'ClusterRole', name: 'c' }, 'rules', /list/],
  ['verbs not strings', rawClusterRole('c', [{ verbs: [1 as unknown as string], apiGroups: [''], resources: ['pods'] }]), { kind: 'ClusterRole', name: 'c' }, 'rules[0].verbs[0]', /string/],
  ['aggregationRule without selectors', rawClusterRole('c', [], { aggregationRule: { clusterRoleSelectors: [] } }), { kind: 'ClusterRole', name: 'c' }, 'aggregationRule.clusterRoleSelectors', /at least one/],
  ['selector with a bad operator', rawClusterRole('c', [], { aggregationRule: { clusterRoleSelectors: [{ matchExpressions: [{ key: 'k', operator: 'Like' }] }] } }), { kind: 'ClusterRole', name: 'c' }, 'aggregationRule.clusterRoleSelectors[0].matchExpressions[0].operator', /supported values/],
  ['unsupported apiVersion', { ...rawClusterRole('c', []), apiVersion: 'rbac.authorization.k8s.io/v2' }, { kind: 'ClusterRole', name: 'c' }, 'apiVersion', /unsupported/],
  ['invalid namespace', rawRole('Not_A_Label', 'r', []), { kind: 'Role', namespace: 'Not_A_Label', name: 'r' }, 'metadata.namespace', /RFC 1123/],
];

describe('validateObject rejects invalid objects, naming the object and field', () => {
  it.each(invalid)('%s', (_name, raw, object, path, message) => {
    const result = validateObject(raw);
    expect(result.object).toBeUndefined();
    const err = result.issues.find((i) => i.severity === 'error' && i.path === path);
    expect(err, JSON.stringify(result.issues)).toBeDefined();
    expect(err!.object).toEqual(object);
    expect(err!.message).toMatch(message);
  });
});

describe('validateObject accepts valid objects and applies v1 defaults', () => {
  it('defaults User/Group apiGroup and roleRef apiGroup', () => {
    const r = validateObject({
      apiVersion: V1, kind: 'ClusterRoleBinding', metadata: { name: 'b' },
      roleRef: { kind: 'ClusterRole', name: 'view' }, subjects: [{ kind: 'User', name: 'alice' }, { kind: 'Group', name: 'devs' }],
    });
    expect(r.issues).toEqual([]);
    expect(r.object).toMatchObject({ kind: 'ClusterRoleBinding', roleRef: { kind: 'ClusterRole', name: 'view' }, subjects: [{ kind: 'User', name: 'alice' }, { kind: 'Group', name: 'devs' }] });
  });
  it('keeps a RoleBinding SA subject without namespace (it means the binding namespace)', () => {
    const r = validateObject(rawRoleBinding('a', 'b', { kind: 'Role', name: 'r' }, [{ kind: 'ServiceAccount', name: 'builder' }]));
    expect(r.issues).toEqual([]);
    expect(r.object).toMatchObject({ subjects: [{ kind: 'ServiceAccount', name: 'builder' }] });
  });
  it('accepts bindings without subjects, roles without rules, and aggregated roles without rules', () => {
    expect(validateObject({ apiVersion: V1, kind: 'RoleBinding', metadata: { name: 'b', namespace: 'a' }, roleRef: { kind: 'Role', name: 'r', apiGroup: 'rbac.authorization.k8s.io' } }).object).toBeDefined();
    expect(validateObject({ apiVersion: V1, kind: 'Role', metadata: { name: 'r', namespace: 'a' } }).object).toMatchObject({ rules: [] });
    expect(validateObject(rawClusterRole('agg', [], { aggregationRule: { clusterRoleSelectors: [{ matchLabels: { a: 'b' } }] } })).object).toBeDefined();
  });
  it('gives a Role without namespace the default namespace, as kubectl apply does', () => {
    expect(validateObject({ apiVersion: V1, kind: 'Role', metadata: { name: 'r' }, rules: [] }).object).toMatchObject({ namespace: 'default' });
    expect(validateObject({ apiVersion: V1, kind: 'Role', metadata: { name: 'r' }, rules: [] }, { defaultNamespace: 'x' }).object).toMatchObject({ namespace: 'x' });
  });
  it('reads v1beta1 with a warning, ignores a namespace on cluster-scoped objects with a warning', () => {
    const r = validateObject({ ...rawClusterRole('c', []), apiVersion: 'rbac.authorization.k8s.io/v1beta1', metadata: { name: 'c', namespace: 'x' } });
    expect(r.object).toBeDefined();
    expect(r.issues.map((i) => [i.severity, i.path])).toEqual([['warning', 'apiVersion'], ['warning', 'metadata.namespace']]);
  });
  it('skips other kinds and records service accounts', () => {
    expect(validateObject({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd' } })).toEqual({ skippedKind: 'Deployment', issues: [] });
    expect(validateObject({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 's', namespace: 'n' } }).serviceAccount).toEqual({ namespace: 'n', name: 's' });
  });
  it('a non-resource ClusterRole rule is valid', () => {
    expect(validateObject(rawClusterRole('c', [{ verbs: ['get'], nonResourceURLs: ['/healthz', '/version*'] }])).issues).toEqual([]);
  });
});

describe('parseRbacObjects', () => {
  it('reads multi-document YAML, kind: List and JSON, and reports syntax errors per file', () => {
    const yaml = `
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: a}
rules: [{verbs: [get], apiGroups: [""], resources: [pods]}]
---
---
apiVersion: v1
kind: List
items:
- apiVersion: rbac.authorization.k8s.io/v1
  kind: Role
  metadata: {name: r, namespace: n}
- apiVersion: v1
  kind: Namespace
  metadata: {name: n}
`;
    const json = JSON.stringify({ apiVersion: 'v1', kind: 'List', items: [rawClusterRoleBinding('b', 'a', [user('u')])] });
    const parsed = parseRbacObjects([
      { source: 'a.yaml', text: yaml },
      { source: 'b.json', text: json },
      { source: 'bad.yaml', text: 'kind: [unclosed' },
    ]);
    expect(parsed.objects.map((o) => `${o.kind}/${o.name}`)).toEqual(['ClusterRole/a', 'Role/r', 'ClusterRoleBinding/b']);
    expect(parsed.skipped.map((s) => s.kind)).toEqual(['Namespace']);
    expect(parsed.issues).toHaveLength(1);
    expect(parsed.issues[0]!.message).toMatch(/cannot parse bad\.yaml/);
  });
  it('reports duplicate objects', () => {
    const parsed = parseRbacObjects([{ source: 'x.json', text: JSON.stringify([rawClusterRole('a', []), rawClusterRole('a', [])]) }]);
    expect(parsed.objects).toHaveLength(1);
    expect(parsed.issues[0]!.message).toMatch(/duplicate/);
  });
  it('never throws, whatever the input', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.jsonValue().map((v) => JSON.stringify(v))), (text) => {
        expect(() => parseRbacObjects([{ source: 's', text }])).not.toThrow();
      }),
      { numRuns: 500 },
    );
    fc.assert(
      fc.property(fc.anything(), (value) => {
        expect(() => validateObject(value)).not.toThrow();
        expect(() => validateObject({ apiVersion: V1, kind: 'RoleBinding', metadata: { name: 'b' }, roleRef: value, subjects: value, rules: value })).not.toThrow();
      }),
      { numRuns: 500 },
    );
  });
});
