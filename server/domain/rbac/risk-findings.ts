// Risky RBAC grants, each with a severity, a stable id and the objects behind it: what a
// security engineer triages first.
import { z } from 'zod';
import type { IndexedBinding, IndexedRole, RbacIndex } from './index-bindings';
import { formatObjectRef, ObjectRef, ServiceAccountRef, type PolicyRule } from './model';
import { normalizeRequest, ruleAllows, type NormalizedRequest } from './rule-matches';
import { AUTHENTICATED_GROUP, UNAUTHENTICATED_GROUP, ALL_SERVICE_ACCOUNTS_GROUP, resolveSubject } from './subject';
import { WORKLOAD_RESOURCES } from './well-known-resources';

export const Severity = z.enum(['critical', 'high', 'medium', 'low']);
export type Severity = z.infer<typeof Severity>;

export const RiskCheck = z.enum([
  'full-wildcard',
  'wildcard-verbs',
  'wildcard-resources',
  'secrets-read',
  'pods-exec',
  'pods-attach',
  'workload-create-privileged-namespace',
  'escalate',
  'bind',
  'impersonate',
  'cluster-admin-binding',
  'broad-group-binding',
  'missing-role',
  'missing-service-account',
]);
export type RiskCheck = z.infer<typeof RiskCheck>;

export const RiskFinding = z.object({
  /** Stable across runs: check plus the object (and rule or subject) it is about. */
  id: z.string(),
  check: RiskCheck,
  severity: Severity,
  message: z.string(),
  /** The object the finding is about first, then the objects that make it matter (bindings of a role, its role for a binding). */
  objects: z.array(ObjectRef),
  ruleIndex: z.number().int().optional(),
});
export type RiskFinding = z.infer<typeof RiskFinding>;

export const RiskOptions = z.object({
  /** Namespaces where creating pods means running next to cluster components. */
  privilegedNamespaces: z.array(z.string()).default(['kube-system', 'kube-public', 'kube-node-lease']),
  /** When given, ServiceAccount subjects not in this list are reported. */
  serviceAccounts: z.array(ServiceAccountRef).optional(),
  /**
   * Roles labelled `kubernetes.io/bootstrapping: rbac-defaults` (the API server's own
   * policy) are not reported for their rules unless asked; their bindings still are.
   */
  includeBootstrapRoles: z.boolean().default(false),
});
export type RiskOptions = z.input<typeof RiskOptions>;

const SEVERITY_RANK: Record<Severity, number> = { critical: 0, high: 1, medium: 2, low: 3 };
const LOWER: Record<Severity, Severity> = { critical: 'high', high: 'medium', medium: 'low', low: 'low' };
const BOOTSTRAP_LABEL = 'kubernetes.io/bootstrapping';
// Bindings the API server creates for everyone; they grant discovery and self-review only.
const DEFAULT_BROAD_BINDINGS = new Set(['system:basic-user', 'system:discovery', 'system:public-info-viewer']);

function refId(ref: ObjectRef): string {
  return ref.namespace !== undefined ? `${ref.kind}/${ref.namespace}/${ref.name}` : `${ref.kind}/${ref.name}`;
}

// Findings ask the same few questions of every rule, so the requests are built once.
const req = (verb: string, apiGroup: string, resource: string, subresource = ''): NormalizedRequest =>
  normalizeRequest({ verb, apiGroup, resource, subresource });
const SECRET_READS = ['get', 'list', 'watch'].map((v) => req(v, '', 'secrets'));
const EXEC = ['create', 'get'].map((v) => req(v, '', 'pods', 'exec'));
const ATTACH = ['create', 'get'].map((v) => req(v, '', 'pods', 'attach'));
const ESCALATE = ['roles', 'clusterroles'].map((r) => req('escalate', 'rbac.authorization.k8s.io', r));
const BIND = ['roles', 'clusterroles'].map((r) => req('bind', 'rbac.authorization.k8s.io', r));
const IMPERSONATE = [
  ...['users', 'groups', 'serviceaccounts', 'uids'].map((r) => req('impersonate', '', r)),
  req('impersonate', 'authentication.k8s.io', 'userextras', 'scopes'),
];
const WORKLOAD_CREATE = WORKLOAD_RESOURCES.map((w) => req('create', w.apiGroup, w.resource));

/** Whether the rule allows the request; a rule limited to names is asked about one of them ("can it touch some secret"). */
function allows(rule: PolicyRule, request: NormalizedRequest): boolean {
  const name = rule.resourceNames[0];
  return ruleAllows(rule, name === undefined ? request : { ...request, name });
}

type RuleCheck = { check: RiskCheck; severity: (role: IndexedRole, rule: PolicyRule) => Severity; test: (rule: PolicyRule) => string | undefined };

const isBootstrap = (role: IndexedRole) => role.role.labels[BOOTSTRAP_LABEL] === 'rbac-defaults';
const clusterWide = (high: Severity, namespaced: Severity) => (role: IndexedRole) => (role.role.kind === 'ClusterRole' ? high : namespaced);

const RULE_CHECKS: RuleCheck[] = [
  {
    check: 'wildcard-verbs',
    severity: clusterWide('high', 'medium'),
    test: (r) => (r.verbs.includes('*') ? `allows every verb on ${r.nonResourceURLs.length > 0 ? `non-resource URLs ${r.nonResourceURLs.join(', ')}` : `${r.resources.join(', ')}`}` : undefined),
  },
  {
    check: 'wildcard-resources',
    severity: clusterWide('high', 'medium'),
    test: (r) => (r.resources.includes('*') ? `allows ${r.verbs.join(', ')} on every resource in API group(s) ${r.apiGroups.map((g) => JSON.stringify(g)).join(', ')}` : undefined),
  },
  {
    check: 'secrets-read',
    severity: (role, rule) => (rule.resourceNames.length > 0 ? 'low' : role.role.kind === 'ClusterRole' ? 'high' : 'medium'),
    test: (r) => {
      const verbs = SECRET_READS.filter((q) => allows(r, q)).map((q) => q.verb);
      return verbs.length > 0 ? `can ${verbs.join(', ')} secrets${r.resourceNames.length > 0 ? ` named ${r.resourceNames.join(', ')}` : ''}` : undefined;
    },
  },
  {
    check: 'pods-exec',
    severity: clusterWide('high', 'high'),
    test: (r) => (EXEC.some((q) => allows(r, q)) ? 'can run commands in containers (pods/exec)' : undefined),
  },
  {
    check: 'pods-attach',
    severity: clusterWide('high', 'high'),
    test: (r) => (ATTACH.some((q) => allows(r, q)) ? 'can attach to running containers (pods/attach)' : undefined),
  },
  {
    check: 'escalate',
    severity: () => 'high',
    test: (r) =>
      ESCALATE.some((q) => allows(r, q))
        ? 'can escalate: create or update roles with permissions it does not hold'
        : undefined,
  },
  {
    check: 'bind',
    severity: () => 'high',
    test: (r) =>
      BIND.some((q) => allows(r, q))
        ? 'can bind roles it does not hold to anyone'
        : undefined,
  },
  {
    check: 'impersonate',
    severity: () => 'critical',
    test: (r) => {
      const targets = IMPERSONATE.filter((q) => allows(r, q)).map((q) => q.resource);
      return targets.length > 0 ? `can impersonate ${targets.join(', ')}` : undefined;
    },
  },
];

function roleFindings(role: IndexedRole, boundVia: ObjectRef[]): RiskFinding[] {
  const out: RiskFinding[] = [];
  const bound = boundVia.length > 0;
  const objects = [role.ref, ...boundVia];
  role.rules.forEach((rule, ruleIndex) => {
    const id = (check: RiskCheck) => `${check}/${refId(role.ref)}/rules[${ruleIndex}]`;
    const origin = role.origins?.[ruleIndex];
    const suffix = `${origin ? ` (aggregated from ClusterRole ${origin.clusterRole})` : ''}${bound ? '' : '; not bound by any binding'}`;
    const adjust = (s: Severity) => (bound ? s : LOWER[s]);
    if (rule.verbs.includes('*') && rule.apiGroups.includes('*') && rule.resources.includes('*')) {
      // Everything else would repeat this one: a rule that allows all of it.
      out.push({ id: id('full-wildcard'), check: 'full-wildcard', severity: adjust('critical'), message: `${formatObjectRef(role.ref)} rule ${ruleIndex} allows every verb on every resource${suffix}`, objects, ruleIndex });
      return;
    }
    for (const c of RULE_CHECKS) {
      const what = c.test(rule);
      if (what === undefined) continue;
      out.push({ id: id(c.check), check: c.check, severity: adjust(c.severity(role, rule)), message: `${formatObjectRef(role.ref)} rule ${ruleIndex} ${what}${suffix}`, objects, ruleIndex });
    }
  });
  return out;
}

function bindingFindings(b: IndexedBinding, opts: z.output<typeof RiskOptions>, knownSas: Set<string> | undefined): RiskFinding[] {
  const out: RiskFinding[] = [];
  const objects = [b.ref, b.roleRef];
  const bid = refId(b.ref);
  const subjects = b.binding.subjects;
  if (!b.role) {
    out.push({ id: `missing-role/${bid}`, check: 'missing-role', severity: 'medium', message: `${formatObjectRef(b.ref)} ${b.problem?.message ?? 'refers to a missing role'}; whoever creates it grants its subjects`, objects });
  }
  if (b.roleRef.kind === 'ClusterRole' && b.roleRef.name === 'cluster-admin') {
    const onlyMasters = subjects.length > 0 && subjects.every((s) => s.kind === 'Group' && s.name === 'system:masters');
    const severity: Severity = onlyMasters ? 'low' : b.scope === '' ? 'critical' : 'high';
    const where = b.scope === '' ? 'everywhere' : `in namespace ${b.scope}`;
    out.push({ id: `cluster-admin-binding/${bid}`, check: 'cluster-admin-binding', severity, message: `${formatObjectRef(b.ref)} grants cluster-admin ${where} to ${subjects.map((s) => `${s.kind} ${s.name}`).join(', ') || 'no one'}`, objects });
  }
  subjects.forEach((s, i) => {
    if (s.kind === 'Group' && (s.name === AUTHENTICATED_GROUP || s.name === UNAUTHENTICATED_GROUP || s.name === ALL_SERVICE_ACCOUNTS_GROUP)) {
      const isDefault = DEFAULT_BROAD_BINDINGS.has(b.binding.name) && b.scope === '';
      const severity: Severity = isDefault ? 'low' : s.name === UNAUTHENTICATED_GROUP ? 'high' : 'medium';
      const who = s.name === UNAUTHENTICATED_GROUP ? 'anonymous requests' : s.name === AUTHENTICATED_GROUP ? 'every authenticated user' : 'every service account';
      out.push({ id: `broad-group-binding/${bid}/subjects[${i}]`, check: 'broad-group-binding', severity, message: `${formatObjectRef(b.ref)} grants ${formatObjectRef(b.roleRef)} to ${s.name} (${who})`, objects });
    }
    if (s.kind === 'ServiceAccount' && knownSas) {
      const r = resolveSubject(s, b.scope);
      if (r && !knownSas.has(`${r.namespace}/${r.name}`)) {
        out.push({ id: `missing-service-account/${bid}/subjects[${i}]`, check: 'missing-service-account', severity: 'medium', message: `${formatObjectRef(b.ref)} names ServiceAccount ${r.namespace}/${r.name}, which does not exist; whoever creates it gets ${formatObjectRef(b.roleRef)}`, objects });
      }
    }
  });
  if (b.role) {
    const privileged = b.scope === '' ? opts.privilegedNamespaces : opts.privilegedNamespaces.filter((ns) => ns === b.scope);
    if (privileged.length > 0) {
      const hits = new Set<string>();
      let firstRule: number | undefined;
      b.role.rules.forEach((rule, ruleIndex) => {
        // create carries no name, so a rule limited to names never allows it: ask without one.
        for (const q of WORKLOAD_CREATE) {
          if (ruleAllows(rule, q)) {
            hits.add(q.resource);
            firstRule ??= ruleIndex;
          }
        }
      });
      if (hits.size > 0) {
        out.push({
          id: `workload-create-privileged-namespace/${bid}`,
          check: 'workload-create-privileged-namespace',
          severity: privileged.includes('kube-system') ? 'critical' : 'high',
          message: `${formatObjectRef(b.ref)} lets ${subjects.map((s) => `${s.kind} ${s.name}`).join(', ') || 'no one'} create ${[...hits].join(', ')} in ${privileged.join(', ')}`,
          objects,
          ...(firstRule !== undefined ? { ruleIndex: firstRule } : {}),
        });
      }
    }
  }
  return out;
}

/** Every finding over the index, most severe first, then by id. */
export function riskFindings(index: RbacIndex, options: RiskOptions = {}): RiskFinding[] {
  const opts = RiskOptions.parse(options);
  const knownSas = opts.serviceAccounts ? new Set(opts.serviceAccounts.map((s) => `${s.namespace}/${s.name}`)) : undefined;
  const out: RiskFinding[] = [];
  // A plain ClusterRole aggregated into a bound one reaches subjects through it, so it counts as bound.
  const boundVia = new Map<string, ObjectRef[]>();
  const addVia = (key: string, ref: ObjectRef) => {
    const list = boundVia.get(key);
    if (!list) boundVia.set(key, [ref]);
    else if (!list.includes(ref)) list.push(ref);
  };
  for (const role of index.roles.values()) {
    const bindings = index.bindingsByRole.get(role.key) ?? [];
    for (const b of bindings) addVia(role.key, b.ref);
    if (bindings.length > 0) for (const o of role.origins ?? []) addVia(`ClusterRole//${o.clusterRole}`, role.ref);
  }
  for (const role of index.roles.values()) {
    if (!opts.includeBootstrapRoles && isBootstrap(role)) continue;
    out.push(...roleFindings(role, boundVia.get(role.key) ?? []));
  }
  for (const b of index.bindings) out.push(...bindingFindings(b, opts, knownSas));
  return out.sort((a, b) => SEVERITY_RANK[a.severity] - SEVERITY_RANK[b.severity] || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}
