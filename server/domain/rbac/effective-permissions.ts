// A subject's effective permissions: every rule that applies to it (with the binding and role
// it comes from) and those rules merged into a verbs × resources matrix a UI can render.
import type { RuleOrigin } from './aggregate-cluster-roles';
import type { BindingProblem, RbacIndex, SubjectEntry } from './index-bindings';
import type { ObjectRef, PolicyRule, Subject } from './model';
import { userInfoFor, type RequestSubject } from './subject';

/** '' means cluster-wide (a ClusterRoleBinding), otherwise the namespace a RoleBinding grants in. */
export type Scope = string;

export type RuleSource = { binding: ObjectRef; role: ObjectRef; ruleIndex: number };

export type AppliedRule = RuleSource & {
  scope: Scope;
  rule: PolicyRule;
  /** The binding subject through which the rule reaches the requester (a user, an SA, or one of its groups). */
  subject: Subject;
  aggregatedFrom?: RuleOrigin;
  /** False for non-resource rules reached through a RoleBinding, which the authorizer never consults. */
  effective: boolean;
};

export type MatrixRow = {
  scope: Scope;
  apiGroup: string;
  /** The rule's resource entry as written: `pods`, `pods/exec`, `*`, `*\/status`. */
  resource: string;
  /** Null when every name is allowed; otherwise only these names (and so never list/create). */
  resourceNames: string[] | null;
  /** Verb column → the rules that grant it. `*` stays its own column. */
  cells: Record<string, RuleSource[]>;
};

export type NonResourceRow = { url: string; cells: Record<string, RuleSource[]> };

export type EffectivePermissions = {
  subject: RequestSubject;
  namespace?: string;
  /** Matrix columns: `*` first, then the usual verbs in API order, then any others. */
  verbs: string[];
  rows: MatrixRow[];
  nonResourceURLs: NonResourceRow[];
  rules: AppliedRule[];
  missingRoles: BindingProblem[];
};

const VERB_ORDER = ['*', 'get', 'list', 'watch', 'create', 'update', 'patch', 'delete', 'deletecollection'];

export function sortVerbs(verbs: Iterable<string>): string[] {
  const rank = (v: string) => {
    const i = VERB_ORDER.indexOf(v);
    return i < 0 ? VERB_ORDER.length : i;
  };
  return [...new Set(verbs)].sort((a, b) => rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0));
}

function entriesFor(index: RbacIndex, subject: RequestSubject, namespace: string | undefined): SubjectEntry[] {
  const user = userInfoFor(subject);
  const out: SubjectEntry[] = [];
  const add = (list: SubjectEntry[] | undefined) => list && out.push(...list);
  add(index.clusterByUser.get(user.name));
  for (const g of user.groups) add(index.clusterByGroup.get(g));
  const namespaces = namespace === undefined ? [...new Set([...index.namespacedByUser.keys(), ...index.namespacedByGroup.keys()])] : [namespace];
  for (const ns of namespaces) {
    add(index.namespacedByUser.get(ns)?.get(user.name));
    const groups = index.namespacedByGroup.get(ns);
    if (groups) for (const g of user.groups) add(groups.get(g));
  }
  // One binding may name the requester twice (as a user and through a group): count it once.
  const seen = new Set<number>();
  return out.filter((e) => !seen.has(e.binding.ordinal) && seen.add(e.binding.ordinal)).sort((a, b) => a.binding.ordinal - b.binding.ordinal);
}

/** The rules that apply to a subject, in the authorizer's order, with where they come from. */
export function appliedRules(index: RbacIndex, subject: RequestSubject, namespace?: string): { rules: AppliedRule[]; missingRoles: BindingProblem[] } {
  const rules: AppliedRule[] = [];
  const missingRoles: BindingProblem[] = [];
  for (const e of entriesFor(index, subject, namespace)) {
    const b = e.binding;
    if (!b.role) {
      if (b.problem) missingRoles.push(b.problem);
      continue;
    }
    b.role.rules.forEach((rule, ruleIndex) => {
      const origin = b.role!.origins?.[ruleIndex];
      rules.push({
        scope: b.scope,
        binding: b.ref,
        role: b.role!.ref,
        ruleIndex,
        rule,
        subject: b.binding.subjects[e.subjectIndex]!,
        ...(origin ? { aggregatedFrom: origin } : {}),
        effective: rule.nonResourceURLs.length === 0 || b.scope === '',
      });
    });
  }
  return { rules, missingRoles };
}

/**
 * Without a namespace: cluster-wide grants plus the grants of every namespace, each row
 * carrying its scope. With one: what applies in that namespace (as SelfSubjectRulesReview).
 */
export function effectivePermissions(index: RbacIndex, subject: RequestSubject, namespace?: string): EffectivePermissions {
  const { rules, missingRoles } = appliedRules(index, subject, namespace);
  const rows = new Map<string, MatrixRow>();
  const urls = new Map<string, NonResourceRow>();
  const verbs = new Set<string>();
  const addCell = (cells: Record<string, RuleSource[]>, verb: string, src: RuleSource) => {
    const list = (cells[verb] ??= []);
    if (!list.some((s) => s.binding === src.binding && s.ruleIndex === src.ruleIndex)) list.push(src);
  };
  for (const r of rules) {
    if (!r.effective) continue;
    const src: RuleSource = { binding: r.binding, role: r.role, ruleIndex: r.ruleIndex };
    for (const v of r.rule.verbs) verbs.add(v);
    for (const url of r.rule.nonResourceURLs) {
      let row = urls.get(url);
      if (!row) urls.set(url, (row = { url, cells: {} }));
      for (const v of r.rule.verbs) addCell(row.cells, v, src);
    }
    const names = r.rule.resourceNames.length === 0 ? null : [...new Set(r.rule.resourceNames)].sort();
    for (const apiGroup of r.rule.apiGroups) {
      for (const resource of r.rule.resources) {
        const key = JSON.stringify([r.scope, apiGroup, resource, names]);
        let row = rows.get(key);
        if (!row) rows.set(key, (row = { scope: r.scope, apiGroup, resource, resourceNames: names, cells: {} }));
        for (const v of r.rule.verbs) addCell(row.cells, v, src);
      }
    }
  }
  const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  return {
    subject,
    ...(namespace !== undefined ? { namespace } : {}),
    verbs: sortVerbs(verbs),
    rows: [...rows.values()].sort(
      (a, b) => cmp(a.scope, b.scope) || cmp(a.apiGroup, b.apiGroup) || cmp(a.resource, b.resource) || cmp(JSON.stringify(a.resourceNames), JSON.stringify(b.resourceNames)),
    ),
    nonResourceURLs: [...urls.values()].sort((a, b) => cmp(a.url, b.url)),
    rules,
    missingRoles,
  };
}
