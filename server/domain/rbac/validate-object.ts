// Turns one decoded manifest document into a normalized RBAC object, applying the v1
// defaults and the API server's validation, and naming the object and field for every problem.
import { z } from 'zod';
import {
  RBAC_GROUP,
  SourceLocation,
  type ClusterRole,
  type ClusterRoleBinding,
  type LabelSelector,
  type LabelSelectorRequirement,
  type PolicyRule,
  type RbacObject,
  type Role,
  type RoleBinding,
  type ServiceAccountRef,
  type Subject,
} from './model';

export const ValidationIssue = z.object({
  severity: z.enum(['error', 'warning']),
  object: z.object({ kind: z.string(), namespace: z.string().optional(), name: z.string().optional() }),
  /** Field path inside the object, as the API server prints it (`rules[0].verbs`). */
  path: z.string(),
  message: z.string(),
  location: SourceLocation.optional(),
});
export type ValidationIssue = z.infer<typeof ValidationIssue>;

export type ValidateObjectResult = {
  object?: RbacObject;
  /** ServiceAccount manifests are kept so findings can tell which accounts exist. */
  serviceAccount?: ServiceAccountRef;
  /** Set when the document is not an RBAC object or ServiceAccount and was left out. */
  skippedKind?: string;
  issues: ValidationIssue[];
};

export type ValidateOptions = {
  /** Namespace given to namespaced objects that carry none, as `kubectl apply` would. */
  defaultNamespace?: string;
  location?: SourceLocation;
};

const RBAC_KINDS = new Set(['Role', 'ClusterRole', 'RoleBinding', 'ClusterRoleBinding']);
const RBAC_V1 = `${RBAC_GROUP}/v1`;
// Served until Kubernetes 1.22 with the same schema; old dumps still carry them.
const RBAC_OLD_VERSIONS = new Set([`${RBAC_GROUP}/v1beta1`, `${RBAC_GROUP}/v1alpha1`]);
const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The API server's rule for Role/binding names: a valid path segment. */
function pathSegmentProblem(name: string): string | undefined {
  if (name === '.' || name === '..') return `may not be '${name}'`;
  if (name.includes('/')) return "may not contain '/'";
  if (name.includes('%')) return "may not contain '%'";
  return undefined;
}

function dnsSubdomainProblem(name: string): string | undefined {
  if (name.length > 253) return 'must be no more than 253 characters';
  if (!DNS1123_SUBDOMAIN.test(name)) return 'must be a lowercase RFC 1123 subdomain';
  return undefined;
}

class Collector {
  readonly issues: ValidationIssue[] = [];
  constructor(
    public object: ValidationIssue['object'],
    private readonly location: SourceLocation | undefined,
  ) {}
  error(path: string, message: string) {
    this.issues.push({ severity: 'error', object: { ...this.object }, path, message, location: this.location });
  }
  warn(path: string, message: string) {
    this.issues.push({ severity: 'warning', object: { ...this.object }, path, message, location: this.location });
  }
  get failed() {
    return this.issues.some((i) => i.severity === 'error');
  }
}

function stringList(c: Collector, value: unknown, path: string): string[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) {
    c.error(path, 'must be a list of strings');
    return [];
  }
  const out: string[] = [];
  value.forEach((v, i) => {
    if (typeof v === 'string') out.push(v);
    else c.error(`${path}[${i}]`, 'must be a string');
  });
  return out;
}

function stringMap(c: Collector, value: unknown, path: string): Record<string, string> {
  if (value === undefined || value === null) return {};
  if (!isRecord(value)) {
    c.error(path, 'must be a map of strings');
    return {};
  }
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(value)) {
    if (typeof v === 'string') out[k] = v;
    else c.error(`${path}.${k}`, 'must be a string');
  }
  return out;
}

function requiredName(c: Collector, value: unknown, path: string): string {
  if (value === undefined || value === null || value === '') {
    c.error(path, 'name is required');
    return '';
  }
  if (typeof value !== 'string') {
    c.error(path, 'must be a string');
    return '';
  }
  return value;
}

// Mirrors ValidatePolicyRule in pkg/apis/rbac/validation.
function policyRule(c: Collector, raw: unknown, path: string, namespaced: boolean): PolicyRule | undefined {
  if (!isRecord(raw)) {
    c.error(path, 'rule must be an object');
    return undefined;
  }
  const rule: PolicyRule = {
    verbs: stringList(c, raw.verbs, `${path}.verbs`),
    apiGroups: stringList(c, raw.apiGroups, `${path}.apiGroups`),
    resources: stringList(c, raw.resources, `${path}.resources`),
    resourceNames: stringList(c, raw.resourceNames, `${path}.resourceNames`),
    nonResourceURLs: stringList(c, raw.nonResourceURLs, `${path}.nonResourceURLs`),
  };
  if (rule.verbs.length === 0) c.error(`${path}.verbs`, 'verbs must contain at least one value');
  if (rule.nonResourceURLs.length > 0) {
    if (namespaced) c.error(`${path}.nonResourceURLs`, 'namespaced rules cannot apply to non-resource URLs');
    if (rule.apiGroups.length > 0 || rule.resources.length > 0 || rule.resourceNames.length > 0) {
      c.error(`${path}.nonResourceURLs`, 'rules cannot apply to both regular resources and non-resource URLs');
    }
    return rule;
  }
  if (rule.apiGroups.length === 0) c.error(`${path}.apiGroups`, 'resource rules must supply at least one api group');
  if (rule.resources.length === 0) {
    c.error(`${path}.resources`, 'resource rules must supply at least one resource (or the rule must list nonResourceURLs)');
  }
  return rule;
}

function rules(c: Collector, raw: unknown, namespaced: boolean): PolicyRule[] {
  if (raw === undefined || raw === null) return [];
  if (!Array.isArray(raw)) {
    c.error('rules', 'must be a list of rules');
    return [];
  }
  const out: PolicyRule[] = [];
  raw.forEach((r, i) => {
    const rule = policyRule(c, r, `rules[${i}]`, namespaced);
    if (rule) out.push(rule);
  });
  return out;
}

function labelSelector(c: Collector, raw: unknown, path: string): LabelSelector {
  const selector: LabelSelector = { matchLabels: {}, matchExpressions: [] };
  if (!isRecord(raw)) {
    c.error(path, 'label selector must be an object');
    return selector;
  }
  selector.matchLabels = stringMap(c, raw.matchLabels, `${path}.matchLabels`);
  const exprs = raw.matchExpressions;
  if (exprs === undefined || exprs === null) return selector;
  if (!Array.isArray(exprs)) {
    c.error(`${path}.matchExpressions`, 'must be a list');
    return selector;
  }
  exprs.forEach((e, i) => {
    const p = `${path}.matchExpressions[${i}]`;
    if (!isRecord(e)) return c.error(p, 'must be an object');
    const key = typeof e.key === 'string' && e.key !== '' ? e.key : (c.error(`${p}.key`, 'key is required'), '');
    const values = stringList(c, e.values, `${p}.values`);
    const op = e.operator;
    if (op !== 'In' && op !== 'NotIn' && op !== 'Exists' && op !== 'DoesNotExist') {
      return c.error(`${p}.operator`, `unsupported value ${JSON.stringify(op)}: supported values: "In", "NotIn", "Exists", "DoesNotExist"`);
    }
    if ((op === 'In' || op === 'NotIn') && values.length === 0) {
      c.error(`${p}.values`, 'must be specified when `operator` is \'In\' or \'NotIn\'');
    }
    if ((op === 'Exists' || op === 'DoesNotExist') && values.length > 0) {
      c.error(`${p}.values`, 'may not be specified when `operator` is \'Exists\' or \'DoesNotExist\'');
    }
    const req: LabelSelectorRequirement = { key, operator: op, values };
    selector.matchExpressions.push(req);
  });
  return selector;
}

// Mirrors ValidateRoleBindingSubject, after SetDefaults_Subject has filled in apiGroup.
function subject(c: Collector, raw: unknown, path: string, namespaced: boolean): Subject | undefined {
  if (!isRecord(raw)) {
    c.error(path, 'subject must be an object');
    return undefined;
  }
  const name = requiredName(c, raw.name, `${path}.name`);
  const kind = raw.kind;
  const apiGroup = raw.apiGroup === undefined || raw.apiGroup === null ? '' : raw.apiGroup;
  const namespace = typeof raw.namespace === 'string' && raw.namespace !== '' ? raw.namespace : undefined;
  if (raw.namespace !== undefined && raw.namespace !== null && typeof raw.namespace !== 'string') {
    c.error(`${path}.namespace`, 'must be a string');
  }
  if (kind === 'ServiceAccount') {
    if (name !== '') {
      const problem = dnsSubdomainProblem(name);
      if (problem) c.error(`${path}.name`, `invalid service account name ${JSON.stringify(name)}: ${problem}`);
    }
    if (apiGroup !== '') c.error(`${path}.apiGroup`, `unsupported value ${JSON.stringify(apiGroup)}: supported values: ""`);
    if (!namespaced && namespace === undefined) c.error(`${path}.namespace`, 'namespace is required for a ServiceAccount subject of a ClusterRoleBinding');
    return { kind, name, ...(namespace !== undefined ? { namespace } : {}) };
  }
  if (kind === 'User' || kind === 'Group') {
    if (apiGroup !== '' && apiGroup !== RBAC_GROUP) {
      c.error(`${path}.apiGroup`, `unsupported value ${JSON.stringify(apiGroup)}: supported values: "${RBAC_GROUP}"`);
    }
    if (namespace !== undefined) c.warn(`${path}.namespace`, `namespace is ignored for a ${kind} subject`);
    return { kind, name };
  }
  c.error(`${path}.kind`, `unsupported value ${JSON.stringify(kind ?? '')}: supported values: "ServiceAccount", "User", "Group"`);
  return undefined;
}

function bindingParts(c: Collector, raw: Record<string, unknown>, bindingKind: 'RoleBinding' | 'ClusterRoleBinding', namespace: string) {
  const namespaced = bindingKind === 'RoleBinding';
  const subjects: Subject[] = [];
  if (raw.subjects !== undefined && raw.subjects !== null) {
    if (!Array.isArray(raw.subjects)) c.error('subjects', 'must be a list of subjects');
    else raw.subjects.forEach((s, i) => {
      const subj = subject(c, s, `subjects[${i}]`, namespaced);
      if (subj) subjects.push(subj);
    });
  }
  const ref = raw.roleRef;
  if (!isRecord(ref)) {
    c.error('roleRef', 'roleRef is required');
    return { subjects, roleRef: undefined };
  }
  const apiGroup = ref.apiGroup === undefined || ref.apiGroup === null || ref.apiGroup === '' ? RBAC_GROUP : ref.apiGroup;
  if (apiGroup !== RBAC_GROUP) c.error('roleRef.apiGroup', `unsupported value ${JSON.stringify(apiGroup)}: supported values: "${RBAC_GROUP}"`);
  const name = requiredName(c, ref.name, 'roleRef.name');
  if (name !== '') {
    const problem = pathSegmentProblem(name);
    if (problem) c.error('roleRef.name', problem);
  }
  if (typeof ref.namespace === 'string' && ref.namespace !== '' && ref.namespace !== namespace) {
    // RoleRef has no namespace: a binding can only ever reach a Role in its own namespace.
    c.error('roleRef.namespace', `a ${bindingKind} cannot refer to a Role in another namespace (${JSON.stringify(ref.namespace)})`);
  }
  const kind = ref.kind;
  if (bindingKind === 'ClusterRoleBinding') {
    if (kind !== 'ClusterRole') {
      c.error('roleRef.kind', `unsupported value ${JSON.stringify(kind ?? '')}: a ClusterRoleBinding may only refer to a ClusterRole`);
      return { subjects, roleRef: undefined };
    }
  } else if (kind !== 'Role' && kind !== 'ClusterRole') {
    c.error('roleRef.kind', `unsupported value ${JSON.stringify(kind ?? '')}: supported values: "Role", "ClusterRole"`);
    return { subjects, roleRef: undefined };
  }
  return { subjects, roleRef: { kind: kind as 'Role' | 'ClusterRole', name } };
}

/** Validates one decoded document. Never throws; a document it cannot read is an error issue. */
export function validateObject(raw: unknown, options: ValidateOptions = {}): ValidateObjectResult {
  const location = options.location;
  if (!isRecord(raw)) {
    return {
      issues: [{ severity: 'error', object: { kind: '' }, path: '', message: 'document is not an object', location }],
    };
  }
  const kind = typeof raw.kind === 'string' ? raw.kind : '';
  const apiVersion = typeof raw.apiVersion === 'string' ? raw.apiVersion : '';
  const meta = isRecord(raw.metadata) ? raw.metadata : undefined;
  const rawName = meta?.name;
  const rawNamespace = meta?.namespace;
  const c = new Collector({ kind, ...(typeof rawName === 'string' ? { name: rawName } : {}) }, location);

  if (kind === 'ServiceAccount' && apiVersion === 'v1') {
    const name = requiredName(c, rawName, 'metadata.name');
    const namespace = typeof rawNamespace === 'string' && rawNamespace !== '' ? rawNamespace : (options.defaultNamespace ?? 'default');
    return c.failed ? { issues: c.issues } : { serviceAccount: { namespace, name }, issues: c.issues };
  }
  if (!RBAC_KINDS.has(kind)) {
    if (kind === '') c.error('kind', 'kind is required');
    return c.failed ? { issues: c.issues } : { skippedKind: kind, issues: c.issues };
  }
  if (apiVersion !== RBAC_V1) {
    if (RBAC_OLD_VERSIONS.has(apiVersion)) c.warn('apiVersion', `${apiVersion} is no longer served (removed in Kubernetes 1.22); read as ${RBAC_V1}`);
    else c.error('apiVersion', `unsupported value ${JSON.stringify(apiVersion)} for kind ${kind}: expected "${RBAC_V1}"`);
  }
  if (meta === undefined) c.error('metadata', 'metadata is required');
  const name = requiredName(c, rawName, 'metadata.name');
  if (name !== '') {
    const problem = pathSegmentProblem(name);
    if (problem) c.error('metadata.name', problem);
  }
  const labels = stringMap(c, meta?.labels, 'metadata.labels');
  const namespaced = kind === 'Role' || kind === 'RoleBinding';
  let namespace = '';
  if (rawNamespace !== undefined && rawNamespace !== null && typeof rawNamespace !== 'string') {
    c.error('metadata.namespace', 'must be a string');
  } else if (namespaced) {
    namespace = typeof rawNamespace === 'string' && rawNamespace !== '' ? rawNamespace : (options.defaultNamespace ?? 'default');
    c.object.namespace = namespace;
    if (!DNS1123_LABEL.test(namespace) || namespace.length > 63) c.error('metadata.namespace', `invalid namespace ${JSON.stringify(namespace)}: must be a lowercase RFC 1123 label`);
  } else if (typeof rawNamespace === 'string' && rawNamespace !== '') {
    c.warn('metadata.namespace', `${kind} is cluster-scoped; namespace ${JSON.stringify(rawNamespace)} is ignored`);
  }
  const loc = location ? { location } : {};

  let object: RbacObject | undefined;
  switch (kind) {
    case 'Role': {
      const role: Role = { kind: 'Role', namespace, name, labels, rules: rules(c, raw.rules, true), ...loc };
      object = role;
      break;
    }
    case 'ClusterRole': {
      const role: ClusterRole = { kind: 'ClusterRole', name, labels, rules: rules(c, raw.rules, false), ...loc };
      const agg = raw.aggregationRule;
      if (agg !== undefined && agg !== null) {
        if (!isRecord(agg)) c.error('aggregationRule', 'must be an object');
        else {
          const sels = agg.clusterRoleSelectors;
          if (!Array.isArray(sels) || sels.length === 0) {
            c.error('aggregationRule.clusterRoleSelectors', 'at least one clusterRoleSelector required if aggregationRule is non-nil');
          } else {
            role.aggregationRule = { clusterRoleSelectors: sels.map((s, i) => labelSelector(c, s, `aggregationRule.clusterRoleSelectors[${i}]`)) };
          }
        }
      }
      object = role;
      break;
    }
    case 'RoleBinding': {
      const { subjects, roleRef } = bindingParts(c, raw, 'RoleBinding', namespace);
      if (roleRef) {
        const b: RoleBinding = { kind: 'RoleBinding', namespace, name, labels, subjects, roleRef, ...loc };
        object = b;
      }
      break;
    }
    case 'ClusterRoleBinding': {
      const { subjects, roleRef } = bindingParts(c, raw, 'ClusterRoleBinding', '');
      if (roleRef) {
        const b: ClusterRoleBinding = { kind: 'ClusterRoleBinding', name, labels, subjects, roleRef, ...loc };
        object = b;
      }
      break;
    }
  }
  if (c.failed || object === undefined) return { issues: c.issues };
  return { object, issues: c.issues };
}
