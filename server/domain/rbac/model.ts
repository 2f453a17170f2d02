// The normalized RBAC objects the engine works on: rbac.authorization.k8s.io/v1 Roles,
// ClusterRoles and bindings after defaulting, flattened out of `metadata` so lookups stay cheap.
import { z } from 'zod';

export const RBAC_GROUP = 'rbac.authorization.k8s.io';

/** A PolicyRule with every list present (the API treats absent and empty lists alike). */
export const PolicyRule = z.object({
  verbs: z.array(z.string()),
  apiGroups: z.array(z.string()),
  resources: z.array(z.string()),
  resourceNames: z.array(z.string()),
  nonResourceURLs: z.array(z.string()),
});
export type PolicyRule = z.infer<typeof PolicyRule>;

export const LabelSelectorRequirement = z.object({
  key: z.string(),
  operator: z.enum(['In', 'NotIn', 'Exists', 'DoesNotExist']),
  values: z.array(z.string()),
});
export type LabelSelectorRequirement = z.infer<typeof LabelSelectorRequirement>;

export const LabelSelector = z.object({
  matchLabels: z.record(z.string(), z.string()),
  matchExpressions: z.array(LabelSelectorRequirement),
});
export type LabelSelector = z.infer<typeof LabelSelector>;

export const SubjectKind = z.enum(['User', 'Group', 'ServiceAccount']);
export type SubjectKind = z.infer<typeof SubjectKind>;

/** A subject as it is written in a binding (namespace only for ServiceAccounts). */
export const Subject = z.object({
  kind: SubjectKind,
  name: z.string(),
  namespace: z.string().optional(),
});
export type Subject = z.infer<typeof Subject>;

export const RoleRef = z.object({
  kind: z.enum(['Role', 'ClusterRole']),
  name: z.string(),
});
export type RoleRef = z.infer<typeof RoleRef>;

/** Where an object came from, so errors and findings can point back at the file. */
export const SourceLocation = z.object({
  source: z.string(),
  document: z.number().int(),
  item: z.number().int().optional(),
});
export type SourceLocation = z.infer<typeof SourceLocation>;

const common = {
  name: z.string(),
  labels: z.record(z.string(), z.string()),
  location: SourceLocation.optional(),
};

export const Role = z.object({ kind: z.literal('Role'), namespace: z.string(), ...common, rules: z.array(PolicyRule) });
export type Role = z.infer<typeof Role>;

export const ClusterRole = z.object({
  kind: z.literal('ClusterRole'),
  ...common,
  rules: z.array(PolicyRule),
  aggregationRule: z.object({ clusterRoleSelectors: z.array(LabelSelector) }).optional(),
});
export type ClusterRole = z.infer<typeof ClusterRole>;

export const RoleBinding = z.object({
  kind: z.literal('RoleBinding'),
  namespace: z.string(),
  ...common,
  subjects: z.array(Subject),
  roleRef: RoleRef,
});
export type RoleBinding = z.infer<typeof RoleBinding>;

export const ClusterRoleBinding = z.object({
  kind: z.literal('ClusterRoleBinding'),
  ...common,
  subjects: z.array(Subject),
  roleRef: RoleRef,
});
export type ClusterRoleBinding = z.infer<typeof ClusterRoleBinding>;

export const RbacObject = z.discriminatedUnion('kind', [Role, ClusterRole, RoleBinding, ClusterRoleBinding]);
export type RbacObject = z.infer<typeof RbacObject>;
export type AnyRole = Role | ClusterRole;
export type AnyBinding = RoleBinding | ClusterRoleBinding;

/** Identifies one object; what findings, reasons and diffs point at. */
export const ObjectRef = z.object({
  kind: z.enum(['Role', 'ClusterRole', 'RoleBinding', 'ClusterRoleBinding', 'ServiceAccount']),
  namespace: z.string().optional(),
  name: z.string(),
});
export type ObjectRef = z.infer<typeof ObjectRef>;

export const ServiceAccountRef = z.object({ namespace: z.string(), name: z.string() });
export type ServiceAccountRef = z.infer<typeof ServiceAccountRef>;

export function objectRef(obj: RbacObject): ObjectRef {
  return obj.kind === 'Role' || obj.kind === 'RoleBinding'
    ? { kind: obj.kind, namespace: obj.namespace, name: obj.name }
    : { kind: obj.kind, name: obj.name };
}

export function formatObjectRef(ref: ObjectRef): string {
  return ref.namespace !== undefined ? `${ref.kind} ${ref.namespace}/${ref.name}` : `${ref.kind} ${ref.name}`;
}

/** Stable map key for an object: kind, namespace and name cannot contain "/" together ambiguously. */
export function objectKey(ref: ObjectRef): string {
  return `${ref.kind}/${ref.namespace ?? ''}/${ref.name}`;
}

/** Key of the role a binding refers to; a Role is looked up in the binding's own namespace. */
export function roleRefKey(binding: AnyBinding): string {
  if (binding.roleRef.kind === 'ClusterRole') return `ClusterRole//${binding.roleRef.name}`;
  // A ClusterRoleBinding to a Role looks the Role up in namespace "" and so never finds one.
  const ns = binding.kind === 'RoleBinding' ? binding.namespace : '';
  return `Role/${ns}/${binding.roleRef.name}`;
}

export function roleRefObject(binding: AnyBinding): ObjectRef {
  return binding.roleRef.kind === 'ClusterRole'
    ? { kind: 'ClusterRole', name: binding.roleRef.name }
    : { kind: 'Role', namespace: binding.kind === 'RoleBinding' ? binding.namespace : '', name: binding.roleRef.name };
}
