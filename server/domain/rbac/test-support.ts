// Builders for tests: raw manifests in the shape the API takes, validated into objects.
import { validateDocuments } from './parse-objects';
import type { RbacObject } from './model';

type RawRule = { verbs: string[]; apiGroups?: string[]; resources?: string[]; resourceNames?: string[]; nonResourceURLs?: string[] };
type RawSubject = { kind: string; name: string; namespace?: string; apiGroup?: string };
const V1 = 'rbac.authorization.k8s.io/v1';

export const rawRole = (namespace: string, name: string, rules: RawRule[]) => ({ apiVersion: V1, kind: 'Role', metadata: { namespace, name }, rules });
export const rawClusterRole = (name: string, rules: RawRule[], extra: { labels?: Record<string, string>; aggregationRule?: unknown } = {}) => ({
  apiVersion: V1,
  kind: 'ClusterRole',
  metadata: { name, ...(extra.labels ? { labels: extra.labels } : {}) },
  rules,
  ...(extra.aggregationRule ? { aggregationRule: extra.aggregationRule } : {}),
});
export const rawRoleBinding = (namespace: string, name: string, roleRef: { kind: string; name: string }, subjects: RawSubject[]) => ({
  apiVersion: V1,
  kind: 'RoleBinding',
  metadata: { namespace, name },
  roleRef: { apiGroup: 'rbac.authorization.k8s.io', ...roleRef },
  subjects,
});
export const rawClusterRoleBinding = (name: string, roleName: string, subjects: RawSubject[]) => ({
  apiVersion: V1,
  kind: 'ClusterRoleBinding',
  metadata: { name },
  roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: roleName },
  subjects,
});
export const user = (name: string): RawSubject => ({ kind: 'User', name, apiGroup: 'rbac.authorization.k8s.io' });
export const group = (name: string): RawSubject => ({ kind: 'Group', name, apiGroup: 'rbac.authorization.k8s.io' });
export const sa = (namespace: string | undefined, name: string): RawSubject => ({ kind: 'ServiceAccount', name, ...(namespace ? { namespace } : {}) });

/** Validates raw manifests and fails loudly if any is invalid: tests build only valid sets. */
export function objectsOf(raws: unknown[]): RbacObject[] {
  const parsed = validateDocuments(raws.map((value, document) => ({ value, location: { source: 'test', document } })));
  const errors = parsed.issues.filter((i) => i.severity === 'error');
  if (errors.length > 0) throw new Error(`invalid test objects: ${JSON.stringify(errors)}`);
  return parsed.objects;
}
