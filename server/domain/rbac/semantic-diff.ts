// What an RBAC change grants and takes away: for each subject named in a binding, the
// permissions gained and lost between two object sets, as an approver reads them.
import type { RuleSource, Scope } from './effective-permissions';
import { bindingFingerprint, buildRbacIndex, roleFingerprint, type BindingProblem, type IndexedBinding, type IndexedRole, type RbacIndex } from './index-bindings';
import { objectKey, objectRef, roleRefKey, type AnyBinding, type ObjectRef, type RbacObject } from './model';
import { resolveSubject, subjectKey, type ResolvedSubject } from './subject';

/** One atomic permission: a verb on one resource (one name, or all) in one scope, or a verb on a URL. */
export type Permission =
  | { type: 'resource'; scope: Scope; apiGroup: string; resource: string; verb: string; resourceName: string | null }
  | { type: 'nonResource'; url: string; verb: string };

export type PermissionChange = Permission & { via: RuleSource[] };

export type SubjectDiff = { subject: ResolvedSubject; gained: PermissionChange[]; lost: PermissionChange[] };

export type ObjectChange = { ref: ObjectRef; change: 'added' | 'removed' | 'changed' };

export type RbacDiff = {
  /** Subjects whose permissions changed, with what they gained and lost. */
  subjects: SubjectDiff[];
  /** Bindings whose subjects or role changed, and roles whose effective rules changed. */
  changedObjects: ObjectChange[];
  missingRolesAdded: BindingProblem[];
  missingRolesResolved: BindingProblem[];
};

// NUL cannot occur in Kubernetes names, groups, verbs or URLs, so it separates fields unambiguously.
function resourceKey(scope: string, apiGroup: string, resource: string, verb: string, resourceName: string | null): string {
  return `r\0${scope}\0${apiGroup}\0${resource}\0${verb}\0${resourceName === null ? '\u0001' : `n${resourceName}`}`;
}

function permissionKey(p: Permission): string {
  return p.type === 'resource' ? resourceKey(p.scope, p.apiGroup, p.resource, p.verb, p.resourceName) : `u\0${p.url}\0${p.verb}`;
}

// Non-resource rules compare by their effective prefix: `/api**` behaves as `/api*`.
function normalizeUrl(url: string): string {
  return url.endsWith('*') ? `${url.replace(/\*+$/, '')}*` : url;
}

/** The permissions the bindings naming one subject grant, keyed for set comparison. */
export function subjectPermissions(index: RbacIndex, key: string): Map<string, PermissionChange> {
  const out = new Map<string, PermissionChange>();
  const add = (p: Permission, via: RuleSource) => {
    const k = permissionKey(p);
    const existing = out.get(k);
    if (!existing) out.set(k, { ...p, via: [via] });
    else if (!existing.via.some((v) => v.binding === via.binding && v.ruleIndex === via.ruleIndex)) existing.via.push(via);
  };
  const seen = new Set<IndexedBinding>();
  for (const { binding: b } of index.bindingsBySubject.get(key) ?? []) {
    if (seen.has(b) || !b.role) continue;
    seen.add(b);
    b.role.rules.forEach((rule, ruleIndex) => {
      const via: RuleSource = { binding: b.ref, role: b.role!.ref, ruleIndex };
      if (rule.nonResourceURLs.length > 0) {
        // The authorizer only consults non-resource rules for cluster-wide requests.
        if (b.scope !== '') return;
        for (const url of rule.nonResourceURLs) for (const verb of rule.verbs) add({ type: 'nonResource', url: normalizeUrl(url), verb }, via);
        return;
      }
      const names: (string | null)[] = rule.resourceNames.length === 0 ? [null] : rule.resourceNames;
      for (const apiGroup of rule.apiGroups)
        for (const resource of rule.resources)
          for (const verb of rule.verbs)
            for (const resourceName of names) add({ type: 'resource', scope: b.scope, apiGroup, resource, verb, resourceName }, via);
    });
  }
  return out;
}

/** Which broad forms occur in a permission set, so covering keys that cannot be present are not built. */
type Broad = { starVerb: boolean; starGroup: boolean; starResource: boolean; anySubresource: boolean; clusterWide: boolean; allNames: boolean; urlPrefix: boolean };

function broadFormsOf(perms: Map<string, PermissionChange>): Broad {
  const b: Broad = { starVerb: false, starGroup: false, starResource: false, anySubresource: false, clusterWide: false, allNames: false, urlPrefix: false };
  for (const p of perms.values()) {
    if (p.verb === '*') b.starVerb = true;
    if (p.type === 'nonResource') {
      if (p.url.endsWith('*')) b.urlPrefix = true;
      continue;
    }
    if (p.apiGroup === '*') b.starGroup = true;
    if (p.resource === '*') b.starResource = true;
    if (p.resource.startsWith('*/')) b.anySubresource = true;
    if (p.scope === '') b.clusterWide = true;
    if (p.resourceName === null) b.allNames = true;
  }
  return b;
}

/** Keys of every permission present in a set with these broad forms that would allow everything `p` allows. */
function coveringKeys(p: Permission, broad: Broad): string[] {
  const keys: string[] = [];
  const verbs = p.verb === '*' || !broad.starVerb ? [p.verb] : [p.verb, '*'];
  if (p.type === 'nonResource') {
    const prefix = p.url.endsWith('*') ? p.url.slice(0, -1) : p.url;
    const urls = p.url.endsWith('*') ? [] : [p.url];
    if (broad.urlPrefix) for (let i = 0; i <= prefix.length; i++) urls.push(`${prefix.slice(0, i)}*`);
    for (const url of urls) for (const verb of verbs) keys.push(`u\0${url}\0${verb}`);
    return keys;
  }
  const scopes = p.scope === '' || !broad.clusterWide ? [p.scope] : [p.scope, ''];
  const groups = p.apiGroup === '*' || !broad.starGroup ? [p.apiGroup] : [p.apiGroup, '*'];
  const resources = [p.resource];
  if (p.resource !== '*' && broad.starResource) resources.push('*');
  const slash = p.resource.indexOf('/');
  if (slash >= 0 && broad.anySubresource) {
    const any = `*/${p.resource.slice(slash + 1)}`;
    if (any !== p.resource) resources.push(any);
  }
  const names = p.resourceName === null || !broad.allNames ? [p.resourceName] : [p.resourceName, null];
  for (const scope of scopes)
    for (const verb of verbs)
      for (const apiGroup of groups)
        for (const resource of resources) for (const resourceName of names) keys.push(resourceKey(scope, apiGroup, resource, verb, resourceName));
  return keys;
}

/** Permissions in `from` that nothing in `against` covers. */
function uncovered(from: Map<string, PermissionChange>, against: Map<string, PermissionChange>): PermissionChange[] {
  const out: [string, PermissionChange][] = [];
  const broad = broadFormsOf(against);
  for (const [key, p] of from) {
    if (against.has(key)) continue;
    if (!coveringKeys(p, broad).some((k) => against.has(k))) out.push([key, p]);
  }
  return out.sort((a, b) => (a[0] < b[0] ? -1 : 1)).map((e) => e[1]);
}

function addSubjects(b: IndexedBinding | AnyBinding | undefined, into: Map<string, ResolvedSubject>) {
  if (!b) return;
  const binding = 'binding' in b ? b.binding : b;
  const scope = binding.kind === 'RoleBinding' ? binding.namespace : '';
  for (const s of binding.subjects) {
    const r = resolveSubject(s, scope);
    if (r) into.set(subjectKey(r), r);
  }
}

// A missing role is the same problem while the binding and what it refers to are the same.
function problemKey(p: BindingProblem): string {
  return `${objectKey(p.binding)}->${objectKey(p.roleRef)}`;
}

function changedRoles(before: Map<string, IndexedRole>, after: Map<string, IndexedRole>, onChange: (key: string, change: ObjectChange['change'], ref: ObjectRef) => void) {
  for (const [key, r] of before) {
    const a = after.get(key);
    if (!a) onChange(key, 'removed', r.ref);
    else if (a !== r && a.rules !== r.rules && roleFingerprint(a) !== roleFingerprint(r)) onChange(key, 'changed', r.ref);
  }
  for (const [key, a] of after) if (!before.has(key)) onChange(key, 'added', a.ref);
}

function subjectDiffs(before: RbacIndex, after: RbacIndex, affected: Map<string, ResolvedSubject>): SubjectDiff[] {
  const subjects: SubjectDiff[] = [];
  for (const [key, subject] of affected) {
    const was = subjectPermissions(before, key);
    const now = subjectPermissions(after, key);
    const gained = uncovered(now, was);
    const lost = uncovered(was, now);
    if (gained.length > 0 || lost.length > 0) subjects.push({ subject, gained, lost });
  }
  return subjects.sort((a, b) => (subjectKey(a.subject) < subjectKey(b.subject) ? -1 : 1));
}

const byRef = (a: ObjectChange, b: ObjectChange) => (JSON.stringify(a.ref) < JSON.stringify(b.ref) ? -1 : 1);

/**
 * Per subject named in a binding, the permissions gained and lost. A permission only counts
 * as lost when nothing left still grants it (get on pods survives losing one of two bindings,
 * and is not lost when `*` replaces it), and only as gained when nothing before granted it.
 * Only subjects of bindings that changed, or whose role's effective rules changed, are recomputed.
 */
export function semanticDiff(before: RbacIndex, after: RbacIndex): RbacDiff {
  const affected = new Map<string, ResolvedSubject>();
  const changedObjects: ObjectChange[] = [];
  if (before === after) return { subjects: [], changedObjects, missingRolesAdded: [], missingRolesResolved: [] };

  for (const [key, b] of before.bindingsByKey) {
    const a = after.bindingsByKey.get(key);
    if (a && (a.binding === b.binding || bindingFingerprint(a.binding) === bindingFingerprint(b.binding))) continue;
    changedObjects.push({ ref: b.ref, change: a ? 'changed' : 'removed' });
    addSubjects(b, affected);
    addSubjects(a, affected);
  }
  for (const [key, a] of after.bindingsByKey) {
    if (before.bindingsByKey.has(key)) continue;
    changedObjects.push({ ref: a.ref, change: 'added' });
    addSubjects(a, affected);
  }
  changedRoles(before.roles, after.roles, (key, change, ref) => {
    changedObjects.push({ ref, change });
    for (const b of before.bindingsByRole.get(key) ?? []) addSubjects(b, affected);
    for (const b of after.bindingsByRole.get(key) ?? []) addSubjects(b, affected);
  });

  const beforeProblems = new Set(before.problems.map(problemKey));
  const afterProblems = new Set(after.problems.map(problemKey));
  return {
    subjects: subjectDiffs(before, after, affected),
    changedObjects: changedObjects.sort(byRef),
    missingRolesAdded: after.problems.filter((p) => !beforeProblems.has(problemKey(p))),
    missingRolesResolved: before.problems.filter((p) => !afterProblems.has(problemKey(p))),
  };
}

/**
 * The same answer as `semanticDiff(before, buildRbacIndex(after))` without indexing every
 * binding of the after set: roles are indexed (reusing the before index's compiled roles),
 * but only the bindings of affected subjects are. This is what a change request uses.
 */
export function semanticDiffObjects(before: RbacIndex, afterObjects: readonly RbacObject[]): RbacDiff {
  const afterBindings = new Map<string, AnyBinding>();
  const afterRoles: RbacObject[] = [];
  for (const o of afterObjects) {
    if (o.kind === 'RoleBinding' || o.kind === 'ClusterRoleBinding') afterBindings.set(objectKey(objectRef(o)), o);
    else afterRoles.push(o);
  }
  const affected = new Map<string, ResolvedSubject>();
  const changedObjects: ObjectChange[] = [];
  // Changed bindings, by key, with their after version (undefined once removed).
  const changed = new Map<string, AnyBinding | undefined>();
  for (const [key, b] of before.bindingsByKey) {
    const a = afterBindings.get(key);
    if (a && (a === b.binding || bindingFingerprint(a) === bindingFingerprint(b.binding))) continue;
    changed.set(key, a);
    changedObjects.push({ ref: b.ref, change: a ? 'changed' : 'removed' });
    addSubjects(b, affected);
    addSubjects(a, affected);
  }
  for (const [key, a] of afterBindings) {
    if (before.bindingsByKey.has(key)) continue;
    changed.set(key, a);
    changedObjects.push({ ref: objectRef(a), change: 'added' });
    addSubjects(a, affected);
  }

  const roles = buildRbacIndex(afterRoles, { reuse: before });
  // Unchanged bindings are identical on both sides, so the before index finds them.
  const relevant = new Map<string, AnyBinding>();
  const keepUnchanged = (b: IndexedBinding) => {
    if (!changed.has(b.key)) relevant.set(b.key, afterBindings.get(b.key)!);
  };
  changedRoles(before.roles, roles.roles, (key, change, ref) => {
    changedObjects.push({ ref, change });
    for (const b of before.bindingsByRole.get(key) ?? []) {
      addSubjects(b, affected);
      keepUnchanged(b);
    }
    for (const a of changed.values()) if (a && roleRefKey(a) === key) addSubjects(a, affected);
  });
  for (const key of affected.keys()) for (const e of before.bindingsBySubject.get(key) ?? []) keepUnchanged(e.binding);
  for (const [key, a] of changed) if (a) relevant.set(key, a);
  const after = buildRbacIndex([...afterRoles, ...relevant.values()], { reuse: roles });

  // Bindings outside `after` kept both their role and its existence, so their problems stand.
  const beforeProblems = new Set(before.problems.map(problemKey));
  const afterProblems = new Set(after.problems.map(problemKey));
  return {
    subjects: subjectDiffs(before, after, affected),
    changedObjects: changedObjects.sort(byRef),
    missingRolesAdded: after.problems.filter((p) => !beforeProblems.has(problemKey(p))),
    missingRolesResolved: before.problems.filter((p) => {
      const key = objectKey(p.binding);
      if (changed.has(key) && changed.get(key) === undefined) return true;
      return relevant.has(key) && !afterProblems.has(problemKey(p));
    }),
  };
}

/** One line per permission, e.g. `delete apps/deployments in namespace shop` or `get /healthz`. */
export function formatPermission(p: Permission): string {
  if (p.type === 'nonResource') return `${p.verb} ${p.url}`;
  const res = p.apiGroup === '' ? p.resource : `${p.apiGroup}/${p.resource}`;
  const name = p.resourceName === null ? '' : ` named ${p.resourceName}`;
  return `${p.verb} ${res}${name} ${p.scope === '' ? 'cluster-wide' : `in namespace ${p.scope}`}`;
}
