// The Kubernetes kinds the simulated API server stores and how it addresses them.

export interface KindInfo {
  kind: string;
  /** The version it stores and reports. */
  apiVersion: string;
  /** Versions it accepts on apply (same group). */
  accepts: readonly string[];
  namespaced: boolean;
  /** The lowercase plural the API server names in its messages. */
  resource: string;
  /** Kinds whose metadata.generation counts spec changes. */
  hasGeneration: boolean;
}

const RBAC = 'rbac.authorization.k8s.io/v1';

const LIST: KindInfo[] = [
  { kind: 'Namespace', apiVersion: 'v1', accepts: ['v1'], namespaced: false, resource: 'namespaces', hasGeneration: false },
  { kind: 'ServiceAccount', apiVersion: 'v1', accepts: ['v1'], namespaced: true, resource: 'serviceaccounts', hasGeneration: false },
  { kind: 'Deployment', apiVersion: 'apps/v1', accepts: ['apps/v1'], namespaced: true, resource: 'deployments.apps', hasGeneration: true },
  { kind: 'StatefulSet', apiVersion: 'apps/v1', accepts: ['apps/v1'], namespaced: true, resource: 'statefulsets.apps', hasGeneration: true },
  {
    kind: 'NetworkPolicy',
    apiVersion: 'networking.k8s.io/v1',
    accepts: ['networking.k8s.io/v1'],
    namespaced: true,
    resource: 'networkpolicies.networking.k8s.io',
    hasGeneration: true,
  },
  { kind: 'Role', apiVersion: RBAC, accepts: [RBAC], namespaced: true, resource: 'roles.rbac.authorization.k8s.io', hasGeneration: false },
  { kind: 'ClusterRole', apiVersion: RBAC, accepts: [RBAC], namespaced: false, resource: 'clusterroles.rbac.authorization.k8s.io', hasGeneration: false },
  { kind: 'RoleBinding', apiVersion: RBAC, accepts: [RBAC], namespaced: true, resource: 'rolebindings.rbac.authorization.k8s.io', hasGeneration: false },
  {
    kind: 'ClusterRoleBinding',
    apiVersion: RBAC,
    accepts: [RBAC],
    namespaced: false,
    resource: 'clusterrolebindings.rbac.authorization.k8s.io',
    hasGeneration: false,
  },
  { kind: 'ResourceQuota', apiVersion: 'v1', accepts: ['v1'], namespaced: true, resource: 'resourcequotas', hasGeneration: false },
  {
    kind: 'PeerAuthentication',
    apiVersion: 'security.istio.io/v1',
    accepts: ['security.istio.io/v1', 'security.istio.io/v1beta1'],
    namespaced: true,
    resource: 'peerauthentications.security.istio.io',
    hasGeneration: true,
  },
];

export const KINDS: ReadonlyMap<string, KindInfo> = new Map(LIST.map((k) => [k.kind, k]));
export const SUPPORTED_KINDS = LIST.map((k) => k.kind);
export const WORKLOAD_KINDS = new Set(['Deployment', 'StatefulSet']);

export function groupOf(apiVersion: string): string {
  const slash = apiVersion.indexOf('/');
  return slash === -1 ? '' : apiVersion.slice(0, slash);
}

export function storeKey(kind: string, namespace: string | null, name: string): string {
  return `${kind}/${namespace ?? ''}/${name}`;
}
