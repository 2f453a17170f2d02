// whoCan: every subject named in a binding that is allowed a request, with what allowed it.
import { allowedByOf, type AllowedBy } from './can-i';
import type { BindingProblem, IndexedBinding, IndexedRole, RbacIndex } from './index-bindings';
import { combinedResource, firstAllowingRule, normalizeRequest, type RequestAttributes } from './rule-matches';
import { resolveSubject, subjectKey, type ResolvedSubject } from './subject';

export type WhoCanEntry = { subject: ResolvedSubject; grants: AllowedBy[] };

export type WhoCanResult = {
  subjects: WhoCanEntry[];
  /** Bindings in scope for the request whose role does not exist. */
  missingRoles: BindingProblem[];
};

const KIND_ORDER = { User: 0, Group: 1, ServiceAccount: 2 } as const;

/**
 * Subjects as the bindings name them: a group stands for all its members, and a namespaced
 * request also counts ClusterRoleBindings. A request with no namespace is a cluster-scoped
 * (or all-namespaces) request, which only ClusterRoleBindings can allow.
 */
export function whoCan(index: RbacIndex, attrs: RequestAttributes): WhoCanResult {
  const req = normalizeRequest(attrs);
  const combined = combinedResource(req);
  const verdicts = new Map<IndexedRole, number>();
  const bySubject = new Map<string, WhoCanEntry>();
  const missingRoles: BindingProblem[] = [];
  const visit = (bindings: readonly IndexedBinding[] | undefined) => {
    if (!bindings) return;
    for (const b of bindings) {
      if (!b.role) {
        if (b.problem) missingRoles.push(b.problem);
        continue;
      }
      let ruleIndex = verdicts.get(b.role);
      if (ruleIndex === undefined) verdicts.set(b.role, (ruleIndex = firstAllowingRule(b.role.compiled, req, combined)));
      if (ruleIndex < 0) continue;
      b.binding.subjects.forEach((s, i) => {
        const resolved = resolveSubject(s, b.scope);
        if (!resolved) return;
        const key = subjectKey(resolved);
        let entry = bySubject.get(key);
        if (!entry) bySubject.set(key, (entry = { subject: resolved, grants: [] }));
        entry.grants.push(allowedByOf(b, i, ruleIndex!));
      });
    }
  };
  visit(index.clusterBindings);
  if (req.namespace !== '') visit(index.bindingsByNamespace.get(req.namespace));
  const subjects = [...bySubject.values()].sort(
    (a, b) =>
      KIND_ORDER[a.subject.kind] - KIND_ORDER[b.subject.kind] ||
      (a.subject.namespace ?? '').localeCompare(b.subject.namespace ?? '') ||
      a.subject.name.localeCompare(b.subject.name),
  );
  return { subjects, missingRoles };
}
