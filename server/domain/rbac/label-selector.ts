// aggregationRule's clusterRoleSelectors are metav1.LabelSelectors: one matcher serves both
// engines, so pod, namespace and ClusterRole selection can never disagree.
export { matchesSelector as selectorMatches } from '../netpol/label-selector';
