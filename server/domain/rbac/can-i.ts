// canI: the RBAC authorizer's decision for one subject and one request, naming the binding,
// role and rule that allowed it, in the authorizer's own words.
import type { RuleOrigin } from './aggregate-cluster-roles';
import type { BindingProblem, IndexedBinding, RbacIndex, SubjectEntry } from './index-bindings';
import { formatObjectRef, type ObjectRef, type PolicyRule, type Subject } from './model';
import { combinedResource, firstAllowingRule, normalizeRequest, type NormalizedRequest, type RequestAttributes } from './rule-matches';
import { describeBindingSubject, userInfoFor, type RequestSubject, type UserInfo } from './subject';

export type AllowedBy = {
  binding: ObjectRef;
  role: ObjectRef;
  ruleIndex: number;
  rule: PolicyRule;
  /** The subject in the binding that matched the requester. */
  subject: Subject;
  /** For a rule of an aggregated ClusterRole, the ClusterRole it was aggregated from. */
  aggregatedFrom?: RuleOrigin;
};

export type CanIResult = {
  allowed: boolean;
  /** One line, worded like the authorizer's reason. */
  reason: string;
  allowedBy?: AllowedBy;
  /** Bindings that name the requester but grant nothing because their role is missing. */
  missingRoles: BindingProblem[];
};

export function allowedByOf(b: IndexedBinding, subjectIndex: number, ruleIndex: number): AllowedBy {
  const role = b.role!;
  const origin = role.origins?.[ruleIndex];
  return {
    binding: b.ref,
    role: role.ref,
    ruleIndex,
    rule: role.rules[ruleIndex]!,
    subject: b.binding.subjects[subjectIndex]!,
    ...(origin ? { aggregatedFrom: origin } : {}),
  };
}

export function describeAllowedBy(a: AllowedBy, bindingNamespace: string): string {
  const binding = a.binding.namespace !== undefined ? `RoleBinding "${a.binding.name}/${a.binding.namespace}"` : `ClusterRoleBinding "${a.binding.name}"`;
  const from = a.aggregatedFrom ? `, aggregated from ClusterRole "${a.aggregatedFrom.clusterRole}" rule ${a.aggregatedFrom.ruleIndex}` : '';
  return `RBAC: allowed by ${binding} of ${a.role.kind} "${a.role.name}" to ${describeBindingSubject(a.subject, bindingNamespace)} (rule ${a.ruleIndex}${from})`;
}

/** canI for a user info as the authenticator produced it (no groups added). */
export function canIUser(index: RbacIndex, user: UserInfo, attrs: RequestAttributes | NormalizedRequest): CanIResult {
  const req = 'resourceRequest' in attrs ? attrs : normalizeRequest(attrs);
  const combined = combinedResource(req);
  let best: SubjectEntry | undefined;
  let bestRule = -1;
  const missing = new Map<number, IndexedBinding>();

  // Every applicable binding is looked at and the lowest ordinal wins, so the answer does not
  // depend on which lookup found a binding first (the authorizer stops at the first it lists).
  const consider = (entries: SubjectEntry[] | undefined) => {
    if (!entries) return;
    for (const e of entries) {
      const b = e.binding;
      if (!b.role) {
        missing.set(b.ordinal, b);
        continue;
      }
      if (best && (b.ordinal > best.binding.ordinal || (b.ordinal === best.binding.ordinal && e.subjectIndex >= best.subjectIndex))) continue;
      const i = best && b.ordinal === best.binding.ordinal ? bestRule : firstAllowingRule(b.role.compiled, req, combined);
      if (i >= 0) {
        best = e;
        bestRule = i;
      }
    }
  };

  consider(index.clusterByUser.get(user.name));
  for (const g of user.groups) consider(index.clusterByGroup.get(g));
  if (req.namespace !== '') {
    consider(index.namespacedByUser.get(req.namespace)?.get(user.name));
    const groups = index.namespacedByGroup.get(req.namespace);
    if (groups) for (const g of user.groups) consider(groups.get(g));
  }

  const missingRoles = [...missing.values()]
    .sort((a, b) => a.ordinal - b.ordinal)
    .map((b) => b.problem!);

  if (best) {
    const allowedBy = allowedByOf(best.binding, best.subjectIndex, bestRule);
    return { allowed: true, reason: describeAllowedBy(allowedBy, best.binding.scope), allowedBy, missingRoles };
  }
  const notes = missingRoles.map((p) => `; ${formatObjectRef(p.binding)} ${p.message}`).join('');
  return { allowed: false, reason: `RBAC: no rule of any role bound to this subject allows it${notes}`, missingRoles };
}

/** Whether the subject may make the request, and which binding, role and rule allowed it. */
export function canI(index: RbacIndex, subject: RequestSubject, attrs: RequestAttributes): CanIResult {
  return canIUser(index, userInfoFor(subject), attrs);
}
