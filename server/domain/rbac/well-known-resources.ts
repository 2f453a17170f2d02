// The API groups of built-in Kubernetes resources and kubectl's short names, standing in for
// discovery so `verity rbac can-i create deployments` means apps/deployments as it does in kubectl.

/** Built-in resources by API group (what the RBAC editor falls back to when inventory names none). */
export const BUILT_IN_GROUPS: Record<string, readonly string[]> = {
  '': ['pods', 'services', 'secrets', 'configmaps', 'nodes', 'namespaces', 'persistentvolumes', 'persistentvolumeclaims', 'serviceaccounts', 'endpoints', 'events', 'resourcequotas', 'limitranges', 'replicationcontrollers', 'podtemplates', 'bindings', 'componentstatuses'],
  apps: ['deployments', 'replicasets', 'statefulsets', 'daemonsets', 'controllerrevisions'],
  batch: ['jobs', 'cronjobs'],
  'networking.k8s.io': ['ingresses', 'ingressclasses', 'networkpolicies'],
  'rbac.authorization.k8s.io': ['roles', 'rolebindings', 'clusterroles', 'clusterrolebindings'],
  autoscaling: ['horizontalpodautoscalers'],
  policy: ['poddisruptionbudgets'],
  'storage.k8s.io': ['storageclasses', 'csidrivers', 'csinodes', 'volumeattachments'],
  'apiextensions.k8s.io': ['customresourcedefinitions'],
  'admissionregistration.k8s.io': ['mutatingwebhookconfigurations', 'validatingwebhookconfigurations', 'validatingadmissionpolicies'],
  'certificates.k8s.io': ['certificatesigningrequests'],
  'coordination.k8s.io': ['leases'],
  'discovery.k8s.io': ['endpointslices'],
  'scheduling.k8s.io': ['priorityclasses'],
  'authentication.k8s.io': ['tokenreviews'],
  'authorization.k8s.io': ['subjectaccessreviews', 'selfsubjectaccessreviews', 'localsubjectaccessreviews', 'selfsubjectrulesreviews'],
};

const SHORT_NAMES: Record<string, string> = {
  po: 'pods', svc: 'services', cm: 'configmaps', ns: 'namespaces', no: 'nodes', sa: 'serviceaccounts', pvc: 'persistentvolumeclaims',
  pv: 'persistentvolumes', ep: 'endpoints', ev: 'events', quota: 'resourcequotas', limits: 'limitranges', rc: 'replicationcontrollers',
  deploy: 'deployments', rs: 'replicasets', sts: 'statefulsets', ds: 'daemonsets', cj: 'cronjobs', ing: 'ingresses',
  netpol: 'networkpolicies', hpa: 'horizontalpodautoscalers', pdb: 'poddisruptionbudgets', sc: 'storageclasses', crd: 'customresourcedefinitions',
  csr: 'certificatesigningrequests', pc: 'priorityclasses',
};

const GROUP_OF = new Map<string, string>();
for (const [group, resources] of Object.entries(BUILT_IN_GROUPS)) for (const r of resources) GROUP_OF.set(r, group);

/** Controllers that create pods: create on any of them runs code in the namespace. */
export const WORKLOAD_RESOURCES: readonly { apiGroup: string; resource: string }[] = [
  { apiGroup: '', resource: 'pods' },
  { apiGroup: '', resource: 'replicationcontrollers' },
  { apiGroup: 'apps', resource: 'deployments' },
  { apiGroup: 'apps', resource: 'replicasets' },
  { apiGroup: 'apps', resource: 'statefulsets' },
  { apiGroup: 'apps', resource: 'daemonsets' },
  { apiGroup: 'batch', resource: 'jobs' },
  { apiGroup: 'batch', resource: 'cronjobs' },
];

/**
 * Reads a kubectl-style resource argument: `pods`, `pods/exec`, `deploy`, `deployments.apps`,
 * `deployments.apps/scale`. An explicit group wins; otherwise the built-in table, else core.
 */
export function resolveResourceArg(arg: string, explicitGroup?: string): { apiGroup: string; resource: string; subresource: string } {
  const slash = arg.indexOf('/');
  const head = slash >= 0 ? arg.slice(0, slash) : arg;
  const subresource = slash >= 0 ? arg.slice(slash + 1) : '';
  const dot = head.indexOf('.');
  let resource = dot >= 0 ? head.slice(0, dot) : head;
  let apiGroup = dot >= 0 ? head.slice(dot + 1) : undefined;
  resource = SHORT_NAMES[resource] ?? resource;
  if (explicitGroup !== undefined) apiGroup = explicitGroup;
  return { apiGroup: apiGroup ?? GROUP_OF.get(resource) ?? '', resource, subresource };
}
