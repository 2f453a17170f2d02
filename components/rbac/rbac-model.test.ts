import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { normalizeRequest, ruleAllows } from '@/server/domain/rbac/rule-matches';
import type { PolicyRule } from '@/server/domain/rbac/model';
import {
  type BindingModel,
  type RoleModel,
  EXPIRES_ANNOTATION,
  bindingFromObject,
  bindingToObject,
  matrixToRules,
  parseSource,
  renderSource,
  roleFromObject,
  roleToObject,
  rulesToMatrix,
} from './rbac-model';

const groups = ['', 'apps', 'batch', '*'];
const resources = ['pods', 'pods/exec', 'pods/log', 'deployments', 'secrets', '*', 'pods/*'];
const verbs = ['get', 'list', 'watch', 'create', 'delete', 'escalate', '*'];
const names = ['a', 'b'];
const urls = ['/healthz', '/metrics', '/api/*'];

const resourceRule = fc.record({
  apiGroups: fc.subarray(groups, { minLength: 1 }),
  resources: fc.subarray(resources, { minLength: 1 }),
  verbs: fc.subarray(verbs, { minLength: 1 }),
  resourceNames: fc.subarray(names),
  nonResourceURLs: fc.constant([] as string[]),
});
const urlRule = fc.record({
  apiGroups: fc.constant([] as string[]),
  resources: fc.constant([] as string[]),
  verbs: fc.subarray(['get', 'post', '*'], { minLength: 1 }),
  resourceNames: fc.constant([] as string[]),
  nonResourceURLs: fc.subarray(urls, { minLength: 1 }),
});
const request = fc.oneof(
  fc.record({ verb: fc.constantFrom(...verbs.filter((v) => v !== '*'), 'patch'), apiGroup: fc.constantFrom('', 'apps', 'batch', 'policy'), resource: fc.constantFrom('pods', 'pods/exec', 'pods/log', 'deployments', 'secrets', 'jobs'), name: fc.constantFrom('', 'a', 'b', 'c') }),
  fc.record({ verb: fc.constantFrom('get', 'post', 'put'), nonResourceURL: fc.constantFrom('/healthz', '/metrics', '/api/v1', '/version') }),
);

function full(r: Record<string, string[]>): PolicyRule {
  return { verbs: r.verbs ?? [], apiGroups: r.apiGroups ?? [], resources: r.resources ?? [], resourceNames: r.resourceNames ?? [], nonResourceURLs: r.nonResourceURLs ?? [] };
}
const allows = (rules: PolicyRule[], req: Parameters<typeof normalizeRequest>[0]) => rules.some((r) => ruleAllows(r, normalizeRequest(req)));

describe('matrix ↔ rules', () => {
  it('grants exactly what the rules granted, for any rules and any request', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(resourceRule, urlRule), { maxLength: 6 }), fc.array(request, { minLength: 20, maxLength: 20 }), (rules, requests) => {
        const m = rulesToMatrix(rules)!;
        const back = matrixToRules(m.rows, m.nonResource).map(full);
        for (const req of requests) expect(allows(back, req)).toBe(allows(rules, req));
      }),
      { numRuns: 300 },
    );
  });

  it('is a fixed point after one conversion (model → rules → model)', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(resourceRule, urlRule), { maxLength: 6 }), (rules) => {
        const m = rulesToMatrix(rules)!;
        const again = rulesToMatrix(matrixToRules(m.rows, m.nonResource))!;
        const norm = (x: typeof m) => ({
          rows: x.rows.map((r) => JSON.stringify(r)).sort(),
          urls: x.nonResource.map((r) => JSON.stringify(r)).sort(),
        });
        expect(norm(again)).toEqual(norm(m));
      }),
    );
  });

  it('refuses to show a rule that mixes resources and non-resource URLs', () => {
    expect(rulesToMatrix([{ verbs: ['get'], resources: ['pods'], nonResourceURLs: ['/x'], apiGroups: [''] }])).toBeNull();
  });

  it('merges rows of the same resource and names, and keeps rows with other names apart', () => {
    const m = rulesToMatrix([
      { apiGroups: [''], resources: ['pods'], verbs: ['get'] },
      { apiGroups: [''], resources: ['pods'], verbs: ['list'] },
      { apiGroups: [''], resources: ['pods'], verbs: ['delete'], resourceNames: ['a'] },
    ])!;
    expect(m.rows).toEqual([
      { apiGroup: '', resource: 'pods', resourceNames: [], verbs: ['get', 'list'] },
      { apiGroup: '', resource: 'pods', resourceNames: ['a'], verbs: ['delete'] },
    ]);
    expect(matrixToRules(m.rows, [])).toEqual([
      { apiGroups: [''], resources: ['pods'], verbs: ['get', 'list'] },
      { apiGroups: [''], resources: ['pods'], resourceNames: ['a'], verbs: ['delete'] },
    ]);
  });
});

describe('objects ↔ models', () => {
  it('keeps labels, annotations and an aggregation rule; drops non-resource URLs from a Role', () => {
    const role = roleFromObject({
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRole',
      metadata: { name: 'viewer', labels: { team: 'x' } },
      aggregationRule: { clusterRoleSelectors: [{ matchLabels: { a: 'b' } }] },
      rules: [{ nonResourceURLs: ['/healthz'], verbs: ['get'] }],
    })!;
    expect(roleToObject(role)).toEqual({
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRole',
      metadata: { name: 'viewer', labels: { team: 'x' } },
      aggregationRule: { clusterRoleSelectors: [{ matchLabels: { a: 'b' } }] },
      rules: [{ nonResourceURLs: ['/healthz'], verbs: ['get'] }],
    });
    expect(roleToObject({ ...role, kind: 'Role', namespace: 'shop' }).rules).toEqual([]);
  });

  it('carries a binding’s expiry as an annotation, next to the others', () => {
    const b = bindingFromObject({
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'RoleBinding',
      metadata: { name: 'oncall', namespace: 'shop', annotations: { owner: 'sre', [EXPIRES_ANNOTATION]: '2026-12-01T10:00:00.000Z' } },
      subjects: [{ kind: 'User', name: 'ana', apiGroup: 'rbac.authorization.k8s.io' }, { kind: 'ServiceAccount', name: 'ci', namespace: 'shop' }],
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'edit' },
    })!;
    expect(b.expiresAt).toBe('2026-12-01T10:00:00.000Z');
    expect(b.subjects).toEqual([{ kind: 'User', name: 'ana' }, { kind: 'ServiceAccount', name: 'ci', namespace: 'shop' }]);
    const none: BindingModel = { ...b, expiresAt: null };
    expect((bindingToObject(none).metadata as { annotations: unknown }).annotations).toEqual({ owner: 'sre' });
    expect(bindingFromObject(bindingToObject(b))).toEqual(b);
  });
});

describe('source ↔ documents', () => {
  const TEXT = `# a comment on the policy
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: { name: deny, namespace: shop }
spec: { podSelector: {} }
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata:
  name: reader
  namespace: shop
rules:
- apiGroups: [""]
  resources: [pods, pods/log]
  verbs: [get, list]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata:
  name: reader
  namespace: shop
  annotations:
    verity.dev/expires-at: "2026-12-01T10:00:00.000Z"
subjects:
- kind: Group
  name: support
  apiGroup: rbac.authorization.k8s.io
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: Role
  name: reader
`;

  it('reads RBAC objects into models and keeps other documents verbatim; YAML → model → YAML → model is stable', () => {
    const first = parseSource(TEXT);
    expect(first.errors).toEqual([]);
    expect(first.documents.map((d) => d.type)).toEqual(['other', 'role', 'binding']);
    expect(first.documents.map((d) => d.line)).toEqual([2, 7, 17]);
    const text = renderSource(first.documents);
    expect(text).toContain('# a comment on the policy\napiVersion: networking.k8s.io/v1');
    const second = parseSource(text);
    expect(second.errors).toEqual([]);
    expect(second.documents.map(({ line: _l, ...d }) => d).slice(1)).toEqual(first.documents.map(({ line: _l, ...d }) => d).slice(1));
    expect(renderSource(second.documents)).toBe(text);
  });

  it('model → YAML → model is the identity for any matrix', () => {
    fc.assert(
      fc.property(fc.array(resourceRule, { maxLength: 5 }), fc.array(urlRule, { maxLength: 3 }), fc.option(fc.constant('2027-01-01T00:00:00.000Z'), { nil: null }), (rules, urlRules, expiresAt) => {
        const m = rulesToMatrix([...rules, ...urlRules])!;
        const role: RoleModel = { kind: 'ClusterRole', name: 'r', namespace: null, rows: m.rows, nonResource: m.nonResource, rest: { metadata: {} } };
        const binding: BindingModel = { kind: 'ClusterRoleBinding', name: 'b', namespace: null, roleRef: { kind: 'ClusterRole', name: 'r' }, subjects: [{ kind: 'Group', name: 'g' }], expiresAt, rest: { metadata: {} } };
        const parsed = parseSource(renderSource([{ type: 'role', model: role, line: 1 }, { type: 'binding', model: binding, line: 1 }]));
        expect(parsed.errors).toEqual([]);
        const [r, b] = parsed.documents;
        const sortRows = (x: typeof role) => ({ ...x, rows: x.rows.map((y) => JSON.stringify(y)).sort(), nonResource: x.nonResource.map((y) => JSON.stringify(y)).sort() });
        expect(r!.type === 'role' && sortRows(r!.model)).toEqual(sortRows(role));
        expect(b!.type === 'binding' && b!.model).toEqual(binding);
      }),
      { numRuns: 100 },
    );
  });

  it('reports a YAML error at its line and shows no documents for that part', () => {
    const { errors } = parseSource('kind: Role\nmetadata:\n  name: [unclosed\n');
    expect(errors.length).toBeGreaterThan(0);
    expect(errors[0]!.line).toBeGreaterThanOrEqual(3);
  });

  it('leaves a rule the form cannot show as YAML, saying why', () => {
    const { documents } = parseSource('apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata: {name: x}\nrules:\n- resources: [pods]\n  nonResourceURLs: [/x]\n  verbs: [get]\n');
    expect(documents[0]).toMatchObject({ type: 'other', why: expect.stringContaining('edit it as YAML') });
  });
});
