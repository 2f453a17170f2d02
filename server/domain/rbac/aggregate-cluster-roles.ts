// The rules aggregated ClusterRoles end up with once the clusterrole-aggregation controller has
// settled: per selector, matching ClusterRoles by name, their rules appended without duplicates.
import type { ClusterRole, PolicyRule } from './model';
import { selectorMatches } from './label-selector';

/** Where an aggregated rule was written: a ClusterRole without an aggregationRule, and its rule index. */
export type RuleOrigin = { clusterRole: string; ruleIndex: number };

export type AggregatedRules = { rules: PolicyRule[]; origins: RuleOrigin[] };

export function ruleKey(rule: PolicyRule): string {
  return JSON.stringify([rule.verbs, rule.apiGroups, rule.resources, rule.resourceNames, rule.nonResourceURLs]);
}

/**
 * Effective rules of every ClusterRole with an aggregationRule, keyed by name.
 *
 * The controller overwrites an aggregated role's rules with the union of its matches' rules
 * *as they currently are*, skipping itself, so aggregated roles feeding each other converge
 * to the least fixed point computed here; the rules written in the aggregated role's own
 * manifest are discarded, as the controller discards them. Roles matched by no one contribute
 * their own rules. A cycle with no plain role in it stays empty.
 */
export function aggregateClusterRoles(clusterRoles: readonly ClusterRole[]): Map<string, AggregatedRules> {
  const byName = [...clusterRoles].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const aggregated = byName.filter((r) => r.aggregationRule !== undefined);
  const result = new Map<string, AggregatedRules>();
  if (aggregated.length === 0) return result;

  const sources = new Map<string, ClusterRole[]>();
  for (const agg of aggregated) {
    const list: ClusterRole[] = [];
    for (const selector of agg.aggregationRule!.clusterRoleSelectors) {
      for (const candidate of byName) {
        if (candidate.name !== agg.name && selectorMatches(selector, candidate.labels)) list.push(candidate);
      }
    }
    sources.set(agg.name, list);
    result.set(agg.name, { rules: [], origins: [] });
  }

  const current = (role: ClusterRole): AggregatedRules =>
    result.get(role.name) ?? { rules: role.rules, origins: role.rules.map((_, i) => ({ clusterRole: role.name, ruleIndex: i })) };

  // Rule sets only grow from one round to the next and are bounded, so this settles; the
  // round limit only guards against an ordering that keeps shuffling inside a cycle.
  const maxRounds = aggregated.length * 4 + 16;
  for (let changed = true, round = 0; changed && round < maxRounds; round++) {
    changed = false;
    for (const agg of aggregated) {
      const rules: PolicyRule[] = [];
      const origins: RuleOrigin[] = [];
      const seen = new Set<string>();
      for (const src of sources.get(agg.name)!) {
        const { rules: srcRules, origins: srcOrigins } = current(src);
        srcRules.forEach((rule, i) => {
          const key = ruleKey(rule);
          if (seen.has(key)) return;
          seen.add(key);
          rules.push(rule);
          origins.push(srcOrigins[i]!);
        });
      }
      const prev = result.get(agg.name)!;
      if (prev.rules.length !== rules.length || prev.rules.some((r, i) => ruleKey(r) !== ruleKey(rules[i]!))) {
        result.set(agg.name, { rules, origins });
        changed = true;
      }
    }
  }
  return result;
}
