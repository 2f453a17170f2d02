// Whether one PolicyRule allows one request, exactly as the RBAC authorizer's RuleAllows and
// the rbac/v1 evaluation helpers decide it, plus a precompiled form that answers in a few set lookups.
import { z } from 'zod';
import type { PolicyRule } from './model';

/** What a request asks for: a resource request, or a non-resource URL when `nonResourceURL` is set. */
export const RequestAttributes = z.object({
  verb: z.string().min(1),
  apiGroup: z.string().optional(),
  /** `pods`, or `pods/exec` carrying the subresource. */
  resource: z.string().optional(),
  subresource: z.string().optional(),
  namespace: z.string().optional(),
  name: z.string().optional(),
  nonResourceURL: z.string().optional(),
});
export type RequestAttributes = z.infer<typeof RequestAttributes>;

/** Request attributes with the defaults filled in, as the authorizer receives them. */
export type NormalizedRequest = {
  resourceRequest: boolean;
  verb: string;
  apiGroup: string;
  resource: string;
  subresource: string;
  namespace: string;
  name: string;
  path: string;
};

export function normalizeRequest(attrs: RequestAttributes): NormalizedRequest {
  if (attrs.nonResourceURL !== undefined) {
    // Non-resource requests are never namespaced: only ClusterRoleBindings can grant them.
    return { resourceRequest: false, verb: attrs.verb, apiGroup: '', resource: '', subresource: '', namespace: '', name: '', path: attrs.nonResourceURL };
  }
  let resource = attrs.resource ?? '';
  let subresource = attrs.subresource ?? '';
  const slash = resource.indexOf('/');
  if (slash >= 0) {
    // `pods/exec` carries its subresource; an explicit `subresource` field wins over it.
    if (subresource === '') subresource = resource.slice(slash + 1);
    resource = resource.slice(0, slash);
  }
  return {
    resourceRequest: true,
    verb: attrs.verb,
    apiGroup: attrs.apiGroup ?? '',
    resource,
    subresource,
    namespace: attrs.namespace ?? '',
    name: attrs.name ?? '',
    path: '',
  };
}

/** `resource/subresource`, the string rules are compared with. */
export function combinedResource(req: Pick<NormalizedRequest, 'resource' | 'subresource'>): string {
  return req.subresource === '' ? req.resource : `${req.resource}/${req.subresource}`;
}

export function verbMatches(rule: PolicyRule, verb: string): boolean {
  return rule.verbs.some((v) => v === '*' || v === verb);
}

export function apiGroupMatches(rule: PolicyRule, group: string): boolean {
  return rule.apiGroups.some((g) => g === '*' || g === group);
}

/**
 * `*` matches every resource and subresource; otherwise the combined `resource/subresource`
 * must be equal, or the rule says `*\/subresource`. There is no `resource/*` form in the
 * authorizer: such a rule only matches a request whose subresource is literally `*`.
 */
export function resourceMatches(rule: PolicyRule, combined: string, subresource: string): boolean {
  for (const r of rule.resources) {
    if (r === '*' || r === combined) return true;
    if (subresource !== '' && r === `*/${subresource}`) return true;
  }
  return false;
}

/** An empty list allows every name; a non-empty one only the listed names, and `*` is not special. */
export function resourceNameMatches(rule: PolicyRule, name: string): boolean {
  return rule.resourceNames.length === 0 || rule.resourceNames.includes(name);
}

/** `*` matches all; a trailing `*` (all trailing stars trimmed) is a prefix match; otherwise equality. */
export function nonResourceURLMatches(rule: PolicyRule, path: string): boolean {
  for (const u of rule.nonResourceURLs) {
    if (u === '*' || u === path) return true;
    if (u.endsWith('*') && path.startsWith(u.replace(/\*+$/, ''))) return true;
  }
  return false;
}

/** The reference decision for one rule and one request. */
export function ruleAllows(rule: PolicyRule, req: NormalizedRequest): boolean {
  if (req.resourceRequest) {
    return (
      verbMatches(rule, req.verb) &&
      apiGroupMatches(rule, req.apiGroup) &&
      resourceMatches(rule, combinedResource(req), req.subresource) &&
      resourceNameMatches(rule, req.name)
    );
  }
  return verbMatches(rule, req.verb) && nonResourceURLMatches(rule, req.path);
}

/** A rule turned into sets once, so evaluation is a handful of lookups. */
export type CompiledRule = {
  index: number;
  rule: PolicyRule;
  allVerbs: boolean;
  verbs: ReadonlySet<string>;
  allGroups: boolean;
  groups: ReadonlySet<string>;
  allResources: boolean;
  resources: ReadonlySet<string>;
  /** `x` for every `*\/x` in resources. */
  anySubresource: ReadonlySet<string>;
  /** Null when the rule has no resourceNames (every name). */
  names: ReadonlySet<string> | null;
  allURLs: boolean;
  urls: ReadonlySet<string>;
  urlPrefixes: readonly string[];
};

export function compileRule(rule: PolicyRule, index: number): CompiledRule {
  const anySubresource = new Set<string>();
  for (const r of rule.resources) if (r.startsWith('*/')) anySubresource.add(r.slice(2));
  const urlPrefixes: string[] = [];
  for (const u of rule.nonResourceURLs) if (u.endsWith('*')) urlPrefixes.push(u.replace(/\*+$/, ''));
  return {
    index,
    rule,
    allVerbs: rule.verbs.includes('*'),
    verbs: new Set(rule.verbs),
    allGroups: rule.apiGroups.includes('*'),
    groups: new Set(rule.apiGroups),
    allResources: rule.resources.includes('*'),
    resources: new Set(rule.resources),
    anySubresource,
    names: rule.resourceNames.length === 0 ? null : new Set(rule.resourceNames),
    allURLs: rule.nonResourceURLs.includes('*'),
    urls: new Set(rule.nonResourceURLs),
    urlPrefixes,
  };
}

export function compiledRuleAllows(r: CompiledRule, req: NormalizedRequest, combined: string): boolean {
  if (!r.allVerbs && !r.verbs.has(req.verb)) return false;
  if (!req.resourceRequest) {
    if (r.allURLs || r.urls.has(req.path)) return true;
    for (const p of r.urlPrefixes) if (req.path.startsWith(p)) return true;
    return false;
  }
  if (!r.allGroups && !r.groups.has(req.apiGroup)) return false;
  if (!r.allResources && !r.resources.has(combined) && !(req.subresource !== '' && r.anySubresource.has(req.subresource))) return false;
  return r.names === null || r.names.has(req.name);
}

/** Index of the first rule that allows the request, or -1. */
export function firstAllowingRule(rules: readonly CompiledRule[], req: NormalizedRequest, combined: string): number {
  for (let i = 0; i < rules.length; i++) if (compiledRuleAllows(rules[i]!, req, combined)) return i;
  return -1;
}
