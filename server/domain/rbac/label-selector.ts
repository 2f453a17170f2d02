// metav1.LabelSelector matching, as LabelSelectorAsSelector builds it: every matchLabels pair
// and every expression must hold, and an empty selector matches everything.
import type { LabelSelector } from './model';

export function selectorMatches(selector: LabelSelector, labels: Record<string, string>): boolean {
  for (const k in selector.matchLabels) if (labels[k] !== selector.matchLabels[k]) return false;
  for (const e of selector.matchExpressions) {
    const has = Object.prototype.hasOwnProperty.call(labels, e.key);
    switch (e.operator) {
      case 'In':
        if (!has || !e.values.includes(labels[e.key]!)) return false;
        break;
      case 'NotIn':
        if (has && e.values.includes(labels[e.key]!)) return false;
        break;
      case 'Exists':
        if (!has) return false;
        break;
      case 'DoesNotExist':
        if (has) return false;
        break;
    }
  }
  return true;
}
