// The Kubernetes resources the driver lists and watches. Secrets are deliberately absent:
// the agent never reads them.
import type { InventoryKind } from '../../protocol/messages';

export interface ResourceKind {
  /** Our name for it: an InventoryKind, or an internal kind used to derive workloads. */
  key: InventoryKind | 'Pod' | 'ReplicaSet' | 'Job';
  apiVersion: string;
  kind: string;
  plural: string;
  namespaced: boolean;
  /** Internal kinds feed workload derivation and are never sent as inventory. */
  internal?: boolean;
}

export const CORE_KINDS: ResourceKind[] = [
  { key: 'Namespace', apiVersion: 'v1', kind: 'Namespace', plural: 'namespaces', namespaced: false },
  { key: 'ServiceAccount', apiVersion: 'v1', kind: 'ServiceAccount', plural: 'serviceaccounts', namespaced: true },
  { key: 'ResourceQuota', apiVersion: 'v1', kind: 'ResourceQuota', plural: 'resourcequotas', namespaced: true },
  { key: 'NetworkPolicy', apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', plural: 'networkpolicies', namespaced: true },
  { key: 'Role', apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', plural: 'roles', namespaced: true },
  { key: 'ClusterRole', apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', plural: 'clusterroles', namespaced: false },
  { key: 'RoleBinding', apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding', plural: 'rolebindings', namespaced: true },
  { key: 'ClusterRoleBinding', apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRoleBinding', plural: 'clusterrolebindings', namespaced: false },
  { key: 'Pod', apiVersion: 'v1', kind: 'Pod', plural: 'pods', namespaced: true, internal: true },
  { key: 'ReplicaSet', apiVersion: 'apps/v1', kind: 'ReplicaSet', plural: 'replicasets', namespaced: true, internal: true },
  { key: 'Job', apiVersion: 'batch/v1', kind: 'Job', plural: 'jobs', namespaced: true, internal: true },
];

/** Istio's PeerAuthentication, newest version first; which one the cluster serves is found at snapshot time. */
export const PEER_AUTHENTICATION_VERSIONS: ResourceKind[] = ['security.istio.io/v1', 'security.istio.io/v1beta1'].map((apiVersion) => ({
  key: 'PeerAuthentication' as const,
  apiVersion,
  kind: 'PeerAuthentication',
  plural: 'peerauthentications',
  namespaced: true,
}));

/** The cluster-wide collection path, e.g. /apis/networking.k8s.io/v1/networkpolicies. */
export function collectionPath(k: ResourceKind): string {
  return `${k.apiVersion.includes('/') ? '/apis/' : '/api/'}${k.apiVersion}/${k.plural}`;
}
