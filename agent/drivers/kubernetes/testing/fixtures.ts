// A small cluster for the driver's tests: a Deployment's pods behind a ReplicaSet, a bare
// pod, a CronJob's pod behind a Job, policy, RBAC, a quota, and a Secret the driver must
// never ask for.
import type { FakeKubeApiServer, KubeObject } from './fake-api-server';

const managedFields = [{ manager: 'kubectl', operation: 'Update', apiVersion: 'v1', fieldsType: 'FieldsV1', fieldsV1: { 'f:spec': {} } }];

export function frontendPod(name: string, ip: string, ready: boolean): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: 'payments',
      labels: { app: 'frontend', tier: 'web', 'pod-template-hash': '7d9f' },
      ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'frontend-7d9f', uid: 'rs-1', controller: true }],
      managedFields,
    },
    spec: {
      serviceAccountName: 'frontend',
      containers: [
        { name: 'web', image: 'nginx', ports: [{ name: 'http', containerPort: 8080, protocol: 'TCP' }], resources: { requests: { cpu: '250m', memory: '128Mi' }, limits: { cpu: '1', memory: '256Mi' } } },
        { name: 'proxy', image: 'envoy', ports: [{ containerPort: 15090 }], resources: { requests: { cpu: '100m', memory: '64Mi' } } },
      ],
    },
    status: { phase: 'Running', podIP: ip, podIPs: [{ ip }], conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }] },
  };
}

export function seedCluster(server: FakeKubeApiServer): void {
  server.put({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'payments', labels: { tenant: 'payments', 'kubernetes.io/metadata.name': 'payments' }, managedFields } });
  server.put({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'kube-system', labels: { 'kubernetes.io/metadata.name': 'kube-system' } } });
  server.put({
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: { name: 'frontend-7d9f', namespace: 'payments', ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'frontend', uid: 'd-1', controller: true }] },
    spec: { replicas: 2 },
  });
  server.put(frontendPod('frontend-7d9f-aaaaa', '10.0.0.11', true));
  server.put(frontendPod('frontend-7d9f-bbbbb', '10.0.0.12', false));
  server.put({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'debug', namespace: 'payments', labels: { run: 'debug' } },
    spec: { containers: [{ name: 'sh', image: 'busybox' }] },
    status: { phase: 'Running', podIP: '10.0.0.99', conditions: [{ type: 'Ready', status: 'True' }] },
  });
  server.put({
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name: 'nightly-28000000', namespace: 'payments', ownerReferences: [{ apiVersion: 'batch/v1', kind: 'CronJob', name: 'nightly', uid: 'cj-1', controller: true }] },
  });
  server.put({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: 'nightly-28000000-xyz',
      namespace: 'payments',
      labels: { app: 'nightly', 'job-name': 'nightly-28000000' },
      ownerReferences: [{ apiVersion: 'batch/v1', kind: 'Job', name: 'nightly-28000000', uid: 'j-1', controller: true }],
    },
    spec: { serviceAccountName: 'reports', containers: [{ name: 'report', image: 'reports' }] },
    status: { phase: 'Running', podIP: '10.0.0.50', conditions: [{ type: 'Ready', status: 'True' }] },
  });
  server.put({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'frontend', namespace: 'payments' } });
  server.put({
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { name: 'default-deny', namespace: 'payments', managedFields },
    spec: { podSelector: {}, policyTypes: ['Ingress'] },
  });
  server.put({ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata: { name: 'reader', namespace: 'payments' }, rules: [{ apiGroups: [''], resources: ['pods'], verbs: ['get'] }] });
  server.put({ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'view' }, rules: [] });
  server.put({
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'RoleBinding',
    metadata: { name: 'reader', namespace: 'payments' },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'reader' },
    subjects: [{ kind: 'ServiceAccount', name: 'frontend', namespace: 'payments' }],
  });
  server.put({
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRoleBinding',
    metadata: { name: 'view-all' },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'view' },
    subjects: [{ kind: 'Group', name: 'auditors', apiGroup: 'rbac.authorization.k8s.io' }],
  });
  server.put({
    apiVersion: 'v1',
    kind: 'ResourceQuota',
    metadata: { name: 'compute', namespace: 'payments' },
    spec: { hard: { 'requests.cpu': '4' } },
    status: { hard: { 'requests.cpu': '4' }, used: { 'requests.cpu': '700m' } },
  });
  server.put({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'db-password', namespace: 'payments' }, data: { password: 'aHVudGVyMg==' } });
}
