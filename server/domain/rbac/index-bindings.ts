// The evaluation index over one set of RBAC objects: roles with their rules precompiled
// (aggregation applied), bindings in evaluation order, and lookups by subject, namespace and role.
import { aggregateClusterRoles, type RuleOrigin } from './aggregate-cluster-roles';
import {
  formatObjectRef,
  objectKey,
  objectRef,
  roleRefKey,
  roleRefObject,
  type AnyBinding,
  type AnyRole,
  type ClusterRole,
  type ObjectRef,
  type PolicyRule,
  type RbacObject,
} from './model';
import { compileRule, type CompiledRule } from './rule-matches';
import { bindingSubjectMatchKey, resolveSubject, subjectKey } from './subject';

export type IndexedRole = {
  ref: ObjectRef;
  key: string;
  role: AnyRole;
  /** The rules the authorizer reads: for an aggregated ClusterRole, the aggregated ones. */
  rules: PolicyRule[];
  compiled: CompiledRule[];
  /** For aggregated ClusterRoles: which plain ClusterRole each rule came from. */
  origins?: RuleOrigin[];
};

export type IndexedBinding = {
  /** Evaluation order: ClusterRoleBindings by name, then RoleBindings by namespace and name. */
  ordinal: number;
  binding: AnyBinding;
  ref: ObjectRef;
  key: string;
  /** '' for a ClusterRoleBinding (everywhere), else the namespace it grants in. */
  scope: string;
  roleKey: string;
  roleRef: ObjectRef;
  /** Undefined when the referenced role does not exist: the binding grants nothing. */
  role: IndexedRole | undefined;
  /** Set when the role is missing. */
  problem?: BindingProblem;
};

export type SubjectEntry = { binding: IndexedBinding; subjectIndex: number };

/** A binding whose role does not exist. */
export type BindingProblem = { binding: ObjectRef; roleRef: ObjectRef; message: string };

export type RbacIndex = {
  objects: readonly RbacObject[];
  clusterRoleCount: number;
  roles: Map<string, IndexedRole>;
  bindings: IndexedBinding[];
  bindingsByKey: Map<string, IndexedBinding>;
  clusterBindings: IndexedBinding[];
  bindingsByNamespace: Map<string, IndexedBinding[]>;
  clusterByUser: Map<string, SubjectEntry[]>;
  clusterByGroup: Map<string, SubjectEntry[]>;
  namespacedByUser: Map<string, Map<string, SubjectEntry[]>>;
  namespacedByGroup: Map<string, Map<string, SubjectEntry[]>>;
  /** Bindings by the key of the role they refer to (whether or not it exists). */
  bindingsByRole: Map<string, IndexedBinding[]>;
  /** Bindings by resolved subject key (`User:alice`, `ServiceAccount:ns/name`). */
  bindingsBySubject: Map<string, SubjectEntry[]>;
  problems: BindingProblem[];
};

function push<K, V>(map: Map<K, V[]>, key: K, value: V) {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

function nested<V>(map: Map<string, Map<string, V[]>>, outer: string, inner: string, value: V) {
  let m = map.get(outer);
  if (!m) map.set(outer, (m = new Map()));
  push(m, inner, value);
}

function compareStrings(a: string, b: string) {
  return a < b ? -1 : a > b ? 1 : 0;
}

function indexRole(role: AnyRole, rules: PolicyRule[], origins: RuleOrigin[] | undefined): IndexedRole {
  const ref = objectRef(role);
  return { ref, key: objectKey(ref), role, rules, compiled: rules.map(compileRule), ...(origins ? { origins } : {}) };
}

const roleFingerprints = new WeakMap<IndexedRole, string>();
const bindingFingerprints = new WeakMap<AnyBinding, string>();

/** Canonical text of a role's effective rules: equal fingerprints mean equal permissions. Computed on first use. */
export function roleFingerprint(role: IndexedRole): string {
  let f = roleFingerprints.get(role);
  if (f === undefined) roleFingerprints.set(role, (f = JSON.stringify(role.rules)));
  return f;
}

/** Canonical text of what a binding grants to whom (role reference and subjects). */
export function bindingFingerprint(b: AnyBinding): string {
  let f = bindingFingerprints.get(b);
  if (f === undefined) bindingFingerprints.set(b, (f = JSON.stringify([b.roleRef, b.subjects])));
  return f;
}

export type BuildOptions = {
  /**
   * An index of an earlier version of the same cluster: roles that are the very same objects
   * (===) keep their compiled rules, so indexing the "after" side of a change costs little.
   */
  reuse?: RbacIndex;
};

function missingRoleMessage(b: AnyBinding, rolesByName: Map<string, string[]>): string {
  const target = formatObjectRef(roleRefObject(b));
  if (b.roleRef.kind === 'Role' && b.kind === 'RoleBinding') {
    const elsewhere = rolesByName.get(b.roleRef.name)?.filter((ns) => ns !== b.namespace) ?? [];
    if (elsewhere.length > 0) {
      return `refers to ${target}, which does not exist; a RoleBinding can only use a Role in its own namespace (a Role "${b.roleRef.name}" exists in ${elsewhere.join(', ')})`;
    }
  }
  return `refers to ${target}, which does not exist: the binding grants nothing`;
}

export function buildRbacIndex(objects: readonly RbacObject[], options: BuildOptions = {}): RbacIndex {
  const clusterRoles = objects.filter((o): o is ClusterRole => o.kind === 'ClusterRole');
  const previous = options.reuse?.roles;
  const reusable = (o: AnyRole): IndexedRole | undefined => {
    const old = previous?.get(objectKey(objectRef(o)));
    return old && old.role === o ? old : undefined;
  };
  // Aggregation depends on every ClusterRole; when none changed, the previous result stands.
  const sameClusterRoles =
    options.reuse !== undefined &&
    clusterRoles.length === options.reuse.clusterRoleCount &&
    clusterRoles.every((o) => reusable(o) !== undefined);
  const aggregated = sameClusterRoles ? new Map() : aggregateClusterRoles(clusterRoles);
  const roles = new Map<string, IndexedRole>();
  const rolesByName = new Map<string, string[]>();
  const rawBindings: AnyBinding[] = [];
  for (const o of objects) {
    if (o.kind === 'Role') {
      const r = reusable(o) ?? indexRole(o, o.rules, undefined);
      roles.set(r.key, r);
      push(rolesByName, o.name, o.namespace);
    } else if (o.kind === 'ClusterRole') {
      const agg = aggregated.get(o.name);
      const r = sameClusterRoles ? reusable(o)! : agg ? indexRole(o, agg.rules, agg.origins) : (reusable(o) ?? indexRole(o, o.rules, undefined));
      roles.set(r.key, r);
    } else rawBindings.push(o);
  }
  // Sort keys built once: NUL sorts before any character a namespace or name can hold.
  const sorted = rawBindings
    .map((b) => ({ b, key: b.kind === 'ClusterRoleBinding' ? `0${b.name}` : `1${b.namespace}\0${b.name}` }))
    .sort((x, y) => compareStrings(x.key, y.key))
    .map((x) => x.b);

  const index: RbacIndex = {
    objects,
    clusterRoleCount: clusterRoles.length,
    roles,
    bindings: [],
    bindingsByKey: new Map(),
    clusterBindings: [],
    bindingsByNamespace: new Map(),
    clusterByUser: new Map(),
    clusterByGroup: new Map(),
    namespacedByUser: new Map(),
    namespacedByGroup: new Map(),
    bindingsByRole: new Map(),
    bindingsBySubject: new Map(),
    problems: [],
  };

  sorted.forEach((b, ordinal) => {
    const ref = objectRef(b);
    const roleKey = roleRefKey(b);
    const scope = b.kind === 'RoleBinding' ? b.namespace : '';
    const ib: IndexedBinding = {
      ordinal,
      binding: b,
      ref,
      key: objectKey(ref),
      scope,
      roleKey,
      roleRef: roleRefObject(b),
      role: roles.get(roleKey),
    };
    index.bindings.push(ib);
    index.bindingsByKey.set(ib.key, ib);
    push(index.bindingsByRole, roleKey, ib);
    if (!ib.role) {
      ib.problem = { binding: ref, roleRef: ib.roleRef, message: missingRoleMessage(b, rolesByName) };
      index.problems.push(ib.problem);
    }
    if (scope === '') index.clusterBindings.push(ib);
    else push(index.bindingsByNamespace, scope, ib);
    b.subjects.forEach((s, subjectIndex) => {
      const entry = { binding: ib, subjectIndex };
      const match = bindingSubjectMatchKey(s, scope);
      if (match) {
        if (scope === '') push(match.by === 'user' ? index.clusterByUser : index.clusterByGroup, match.key, entry);
        else nested(match.by === 'user' ? index.namespacedByUser : index.namespacedByGroup, scope, match.key, entry);
      }
      const resolved = resolveSubject(s, scope);
      if (resolved) push(index.bindingsBySubject, subjectKey(resolved), entry);
    });
  });
  return index;
}
