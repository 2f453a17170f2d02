// The cluster the sim starts with: four tenants' namespaces, kube-system and istio-system,
// their workloads, service accounts, NetworkPolicies, RBAC, quotas and PeerAuthentications,
// written as the manifests a platform team would have applied. Workload behaviour the API
// does not hold (how busy it is, how it scales, whether its pods have sidecars yet) lives
// in WorkloadProfile beside it.

// Authoring units for the manifests below (bytes); manifests carry them as "256Mi" etc.
const MiB = 2 ** 20;
const GiB = 2 ** 30;

export type Manifest = Record<string, unknown> & {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
};

export type UsagePattern = 'steady' | 'diurnal' | 'idle-at-night' | 'pinned-at-limit';

export interface WorkloadProfile {
  /** CPU and memory used per pod, as a share of its requests at the busiest hour. */
  cpuShare: number;
  memoryShare: number;
  pattern: UsagePattern;
  /** Replicas follow the time of day (a stand-in for a HorizontalPodAutoscaler). */
  autoscale?: { min: number; max: number; by: 'diurnal' | 'batch' };
  /** Share of pods that carry an Istio sidecar, when only some do (a rollout half done). */
  meshShare?: number;
}

export const DEFAULT_PROFILE: WorkloadProfile = { cpuShare: 0.3, memoryShare: 0.6, pattern: 'steady' };

export const TENANT_LABEL = 'verity.io/tenant';
export const INJECTION_LABEL = 'istio-injection';
export const INITIAL_MANAGER = 'kubectl-client-side-apply';

interface ContainerSpec {
  name: string;
  image: string;
  ports?: { name?: string; containerPort: number; protocol?: 'TCP' | 'UDP' | 'SCTP' }[];
  cpu: [request: number, limit: number];
  memory: [request: number, limit: number];
}

function resources(c: ContainerSpec) {
  const cpu = (m: number) => (m % 1000 === 0 ? String(m / 1000) : `${m}m`);
  const mem = (b: number) => (b % GiB === 0 ? `${b / GiB}Gi` : `${b / MiB}Mi`);
  return { requests: { cpu: cpu(c.cpu[0]), memory: mem(c.memory[0]) }, limits: { cpu: cpu(c.cpu[1]), memory: mem(c.memory[1]) } };
}

function workload(
  kind: 'Deployment' | 'StatefulSet',
  namespace: string,
  name: string,
  opts: { labels?: Record<string, string>; podLabels?: Record<string, string>; serviceAccount?: string; replicas: number; containers: ContainerSpec[] },
): Manifest {
  const selector = opts.labels ?? { app: name };
  const podLabels = { ...selector, ...opts.podLabels };
  return {
    apiVersion: 'apps/v1',
    kind,
    metadata: { name, namespace, labels: { ...selector, 'app.kubernetes.io/name': name } },
    spec: {
      replicas: opts.replicas,
      ...(kind === 'StatefulSet' ? { serviceName: name } : {}),
      selector: { matchLabels: selector },
      template: {
        metadata: { labels: podLabels },
        spec: {
          serviceAccountName: opts.serviceAccount ?? name,
          containers: opts.containers.map((c) => ({
            name: c.name,
            image: c.image,
            ...(c.ports ? { ports: c.ports.map((p) => ({ ...p, protocol: p.protocol ?? 'TCP' })) } : {}),
            resources: resources(c),
          })),
        },
      },
    },
  };
}

function namespace(name: string, labels: Record<string, string> = {}): Manifest {
  return { apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels: { 'kubernetes.io/metadata.name': name, ...labels } } };
}

function serviceAccount(namespace: string, name: string): Manifest {
  return { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name, namespace } };
}

const app = (name: string) => ({ matchLabels: { app: name } });
const inNamespace = (name: string) => ({ matchLabels: { 'kubernetes.io/metadata.name': name } });

function netpol(namespace: string, name: string, spec: Record<string, unknown>): Manifest {
  return { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name, namespace }, spec };
}

const RBAC = 'rbac.authorization.k8s.io/v1';
const BOOTSTRAP = { 'kubernetes.io/bootstrapping': 'rbac-defaults' };
const RW = ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete'];
const RO = ['get', 'list', 'watch'];

function clusterRole(name: string, rules: unknown[], labels?: Record<string, string>): Manifest {
  return { apiVersion: RBAC, kind: 'ClusterRole', metadata: { name, ...(labels ? { labels } : {}) }, rules };
}
function role(namespace: string, name: string, rules: unknown[]): Manifest {
  return { apiVersion: RBAC, kind: 'Role', metadata: { name, namespace }, rules };
}
type SubjectSpec = { kind: 'User' | 'Group'; name: string } | { kind: 'ServiceAccount'; name: string; namespace: string };
function subject(s: SubjectSpec) {
  return s.kind === 'ServiceAccount' ? s : { apiGroup: 'rbac.authorization.k8s.io', ...s };
}
function clusterRoleBinding(name: string, roleName: string, subjects: SubjectSpec[], labels?: Record<string, string>): Manifest {
  return {
    apiVersion: RBAC,
    kind: 'ClusterRoleBinding',
    metadata: { name, ...(labels ? { labels } : {}) },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: roleName },
    subjects: subjects.map(subject),
  };
}
function roleBinding(namespace: string, name: string, roleRef: { kind: 'Role' | 'ClusterRole'; name: string }, subjects: SubjectSpec[]): Manifest {
  return { apiVersion: RBAC, kind: 'RoleBinding', metadata: { name, namespace }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', ...roleRef }, subjects: subjects.map(subject) };
}

function quota(namespace: string, hard: Record<string, string>): Manifest {
  return { apiVersion: 'v1', kind: 'ResourceQuota', metadata: { name: 'compute-quota', namespace }, spec: { hard } };
}

function peerAuthentication(namespace: string, name: string, spec: Record<string, unknown>): Manifest {
  return { apiVersion: 'security.istio.io/v1', kind: 'PeerAuthentication', metadata: { name, namespace }, spec };
}

export interface Blueprint {
  /** In the order they are created (namespaces first, as kubectl would need). */
  manifests: Manifest[];
  profiles: Map<string, WorkloadProfile>;
}

export function workloadKey(namespace: string, name: string): string {
  return `${namespace}/${name}`;
}

const m = (cores: number) => Math.round(cores * 1000);

export function buildBlueprint(): Blueprint {
  const profiles = new Map<string, WorkloadProfile>();
  const manifests: Manifest[] = [];
  const add = (...items: Manifest[]) => manifests.push(...items);
  const wl = (manifest: Manifest, profile: WorkloadProfile) => {
    add(manifest);
    profiles.set(workloadKey(manifest.metadata.namespace!, manifest.metadata.name), profile);
  };

  add(
    namespace('default'),
    namespace('kube-system'),
    namespace('istio-system'),
    namespace('payments', { [TENANT_LABEL]: 'payments', [INJECTION_LABEL]: 'enabled', 'pod-security.kubernetes.io/enforce': 'restricted' }),
    namespace('storefront', { [TENANT_LABEL]: 'storefront', [INJECTION_LABEL]: 'enabled' }),
    namespace('analytics', { [TENANT_LABEL]: 'analytics' }),
    namespace('sandbox-students', { [TENANT_LABEL]: 'university', 'pod-security.kubernetes.io/enforce': 'baseline' }),
  );
  for (const ns of ['default', 'kube-system', 'istio-system', 'payments', 'storefront', 'analytics', 'sandbox-students']) add(serviceAccount(ns, 'default'));

  // ---- kube-system and istio-system
  wl(
    workload('Deployment', 'kube-system', 'coredns', {
      labels: { 'k8s-app': 'kube-dns' },
      replicas: 2,
      containers: [
        {
          name: 'coredns',
          image: 'registry.k8s.io/coredns/coredns:v1.11.3',
          ports: [
            { name: 'dns', containerPort: 53, protocol: 'UDP' },
            { name: 'dns-tcp', containerPort: 53, protocol: 'TCP' },
            { name: 'metrics', containerPort: 9153 },
          ],
          cpu: [100, 500],
          memory: [70 * MiB, 170 * MiB],
        },
      ],
    }),
    { cpuShare: 0.2, memoryShare: 0.5, pattern: 'diurnal' },
  );
  add(serviceAccount('kube-system', 'coredns'));
  wl(
    workload('Deployment', 'istio-system', 'istiod', {
      labels: { app: 'istiod', istio: 'pilot' },
      replicas: 1,
      containers: [
        {
          name: 'discovery',
          image: 'docker.io/istio/pilot:1.24.2',
          ports: [{ name: 'grpc-xds', containerPort: 15010 }, { name: 'https-dns', containerPort: 15012 }, { name: 'https-webhook', containerPort: 15017 }],
          cpu: [500, 2000],
          memory: [2 * GiB, 4 * GiB],
        },
      ],
    }),
    { cpuShare: 0.15, memoryShare: 0.4, pattern: 'steady' },
  );
  add(serviceAccount('istio-system', 'istiod'));
  wl(
    workload('Deployment', 'istio-system', 'istio-ingressgateway', {
      labels: { app: 'istio-ingressgateway', istio: 'ingressgateway' },
      // The gateway is an Envoy itself: it speaks mTLS into the mesh without a sidecar.
      podLabels: { 'security.istio.io/tlsMode': 'istio', 'service.istio.io/canonical-name': 'istio-ingressgateway' },
      replicas: 2,
      containers: [
        {
          name: 'istio-proxy',
          image: 'docker.io/istio/proxyv2:1.24.2',
          ports: [{ name: 'http2', containerPort: 8080 }, { name: 'https', containerPort: 8443 }, { name: 'status-port', containerPort: 15021 }],
          cpu: [100, 2000],
          memory: [128 * MiB, 1 * GiB],
        },
      ],
    }),
    { cpuShare: 0.4, memoryShare: 0.5, pattern: 'diurnal' },
  );
  add(serviceAccount('istio-system', 'istio-ingressgateway'));

  // ---- payments: a strict, policy-guarded tenant
  const svc = (name: string, image: string, ports: ContainerSpec['ports'], cpu: [number, number], memory: [number, number]): ContainerSpec => ({ name, image, ports, cpu, memory });
  wl(
    workload('Deployment', 'payments', 'frontend', {
      labels: { app: 'frontend' },
      podLabels: { tier: 'web' },
      replicas: 3,
      containers: [svc('frontend', 'registry.example.com/payments/frontend:2.14.0', [{ name: 'http', containerPort: 8080 }], [m(0.2), m(1)], [256 * MiB, 512 * MiB])],
    }),
    { cpuShare: 0.45, memoryShare: 0.7, pattern: 'diurnal', autoscale: { min: 2, max: 5, by: 'diurnal' } },
  );
  wl(
    workload('Deployment', 'payments', 'order-service', {
      labels: { app: 'order-service' },
      podLabels: { tier: 'api' },
      replicas: 2,
      containers: [
        svc('order-service', 'registry.example.com/payments/order-service:5.3.1', [{ name: 'http', containerPort: 8080 }, { name: 'metrics', containerPort: 9090 }], [m(0.3), m(1)], [512 * MiB, 1 * GiB]),
      ],
    }),
    { cpuShare: 0.5, memoryShare: 0.65, pattern: 'diurnal' },
  );
  wl(
    workload('Deployment', 'payments', 'payment-service', {
      labels: { app: 'payment-service' },
      podLabels: { tier: 'api', 'pci-scope': 'true' },
      replicas: 2,
      containers: [svc('payment-service', 'registry.example.com/payments/payment-service:3.8.2', [{ name: 'https', containerPort: 8443 }], [m(0.5), m(1)], [512 * MiB, 1 * GiB])],
    }),
    { cpuShare: 0.4, memoryShare: 0.7, pattern: 'diurnal' },
  );
  wl(
    workload('StatefulSet', 'payments', 'postgres', {
      labels: { app: 'postgres' },
      podLabels: { tier: 'db', 'pci-scope': 'true' },
      replicas: 1,
      containers: [svc('postgres', 'docker.io/library/postgres:16.4', [{ name: 'postgres', containerPort: 5432 }], [m(1), m(2)], [2 * GiB, 4 * GiB])],
    }),
    { cpuShare: 0.35, memoryShare: 0.85, pattern: 'steady' },
  );
  for (const sa of ['frontend', 'order-service', 'payment-service', 'postgres', 'ci-deployer']) add(serviceAccount('payments', sa));

  // ---- storefront: in the mesh, no NetworkPolicies at all
  wl(
    workload('Deployment', 'storefront', 'web', {
      replicas: 4,
      containers: [svc('web', 'registry.example.com/storefront/web:7.2.0', [{ name: 'http', containerPort: 8080 }], [m(0.25), m(0.5)], [256 * MiB, 512 * MiB])],
    }),
    { cpuShare: 0.55, memoryShare: 0.6, pattern: 'diurnal', autoscale: { min: 2, max: 8, by: 'diurnal' } },
  );
  wl(
    workload('Deployment', 'storefront', 'checkout', {
      replicas: 3,
      containers: [svc('checkout', 'registry.example.com/storefront/checkout:4.0.3', [{ name: 'http', containerPort: 8080 }], [m(0.25), m(0.5)], [256 * MiB, 512 * MiB])],
    }),
    // One pod predates the namespace's injection label and still runs without a sidecar.
    { cpuShare: 0.4, memoryShare: 0.6, pattern: 'diurnal', meshShare: 2 / 3 },
  );
  wl(
    workload('Deployment', 'storefront', 'catalog', {
      replicas: 2,
      containers: [svc('catalog', 'registry.example.com/storefront/catalog:1.19.0', [{ name: 'http', containerPort: 8080 }], [m(0.2), m(0.5)], [384 * MiB, 768 * MiB])],
    }),
    { cpuShare: 0.3, memoryShare: 0.7, pattern: 'diurnal' },
  );
  for (const sa of ['web', 'checkout', 'catalog']) add(serviceAccount('storefront', sa));

  // ---- analytics: no mesh, ingress guarded
  wl(
    workload('Deployment', 'analytics', 'ingest', {
      replicas: 2,
      containers: [svc('ingest', 'registry.example.com/analytics/ingest:0.9.4', [{ name: 'http', containerPort: 8080 }, { name: 'kafka', containerPort: 9092 }], [m(0.5), m(1)], [1 * GiB, 2 * GiB])],
    }),
    { cpuShare: 0.5, memoryShare: 0.6, pattern: 'diurnal' },
  );
  wl(
    workload('StatefulSet', 'analytics', 'spark-worker', {
      serviceAccount: 'spark',
      replicas: 3,
      containers: [svc('spark-worker', 'docker.io/apache/spark:3.5.3', [{ name: 'spark', containerPort: 7077 }, { name: 'thrift', containerPort: 10000 }], [m(1), m(2)], [2 * GiB, 4 * GiB])],
    }),
    { cpuShare: 0.7, memoryShare: 0.75, pattern: 'steady', autoscale: { min: 2, max: 6, by: 'batch' } },
  );
  wl(
    workload('Deployment', 'analytics', 'dashboards', {
      replicas: 1,
      containers: [svc('grafana', 'docker.io/grafana/grafana:11.3.0', [{ name: 'http', containerPort: 3000 }], [m(0.1), m(0.5)], [256 * MiB, 512 * MiB])],
    }),
    { cpuShare: 0.6, memoryShare: 0.5, pattern: 'idle-at-night' },
  );
  for (const sa of ['ingest', 'spark', 'dashboards']) add(serviceAccount('analytics', sa));

  // ---- sandbox-students: a teaching cluster's sandbox, with a miner dressed as ML training
  wl(
    workload('Deployment', 'sandbox-students', 'jupyterhub', {
      replicas: 1,
      containers: [svc('hub', 'quay.io/jupyterhub/k8s-hub:4.0.0', [{ name: 'http', containerPort: 8000 }], [m(0.2), m(0.5)], [512 * MiB, 1 * GiB])],
    }),
    { cpuShare: 0.2, memoryShare: 0.5, pattern: 'diurnal' },
  );
  wl(
    workload('StatefulSet', 'sandbox-students', 'lab-notebooks', {
      labels: { app: 'lab-notebook' },
      serviceAccount: 'default',
      replicas: 3,
      containers: [svc('notebook', 'quay.io/jupyter/scipy-notebook:2024-10-07', [{ name: 'notebook', containerPort: 8888 }], [m(0.1), m(0.5)], [512 * MiB, 1 * GiB])],
    }),
    { cpuShare: 0.3, memoryShare: 0.6, pattern: 'idle-at-night' },
  );
  wl(
    workload('Deployment', 'sandbox-students', 'cuda-trainer', {
      podLabels: { owner: 'student-4711', course: 'cs-418' },
      serviceAccount: 'default',
      replicas: 2,
      containers: [svc('trainer', 'docker.io/mlfun4711/cuda-trainer:latest', undefined, [m(0.5), m(2)], [256 * MiB, 512 * MiB])],
    }),
    { cpuShare: 1, memoryShare: 0.9, pattern: 'pinned-at-limit' },
  );
  add(serviceAccount('sandbox-students', 'jupyterhub'));

  // ---- NetworkPolicies
  const dnsPorts = [
    { protocol: 'UDP', port: 53 },
    { protocol: 'TCP', port: 53 },
  ];
  add(
    netpol('payments', 'default-deny-all', { podSelector: {}, policyTypes: ['Ingress', 'Egress'] }),
    netpol('payments', 'allow-dns-egress', {
      podSelector: {},
      policyTypes: ['Egress'],
      egress: [{ to: [{ namespaceSelector: inNamespace('kube-system'), podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } } }], ports: dnsPorts }],
    }),
    netpol('payments', 'allow-istio-control-plane', {
      podSelector: {},
      policyTypes: ['Egress'],
      egress: [{ to: [{ namespaceSelector: inNamespace('istio-system'), podSelector: app('istiod') }], ports: [{ port: 15012 }, { port: 15010 }] }],
    }),
    netpol('payments', 'frontend', {
      podSelector: app('frontend'),
      policyTypes: ['Ingress', 'Egress'],
      ingress: [{ from: [{ namespaceSelector: inNamespace('istio-system'), podSelector: { matchLabels: { istio: 'ingressgateway' } } }], ports: [{ port: 'http' }] }],
      egress: [{ to: [{ podSelector: app('order-service') }], ports: [{ protocol: 'TCP', port: 8080 }] }],
    }),
    netpol('payments', 'order-service', {
      podSelector: app('order-service'),
      policyTypes: ['Ingress', 'Egress'],
      ingress: [
        { from: [{ podSelector: app('frontend') }], ports: [{ port: 'http' }] },
        // Analytics scrapes the order metrics (and, now that payments is STRICT, gets dropped by the mesh).
        { from: [{ namespaceSelector: { matchLabels: { [TENANT_LABEL]: 'analytics' } } }], ports: [{ port: 'metrics' }] },
      ],
      egress: [{ to: [{ podSelector: app('payment-service') }], ports: [{ port: 8443 }] }],
    }),
    netpol('payments', 'payment-service', {
      podSelector: app('payment-service'),
      policyTypes: ['Ingress', 'Egress'],
      ingress: [{ from: [{ podSelector: app('order-service') }, { namespaceSelector: inNamespace('storefront'), podSelector: app('checkout') }], ports: [{ port: 8443 }] }],
      egress: [
        { to: [{ podSelector: app('postgres') }], ports: [{ port: 5432 }] },
        { to: [{ ipBlock: { cidr: '203.0.113.0/24' } }], ports: [{ port: 443 }] },
      ],
    }),
    netpol('payments', 'postgres', {
      podSelector: app('postgres'),
      policyTypes: ['Ingress'],
      ingress: [{ from: [{ podSelector: app('payment-service') }], ports: [{ port: 'postgres' }] }],
    }),
    netpol('analytics', 'default-deny-ingress', { podSelector: {}, policyTypes: ['Ingress'] }),
    netpol('analytics', 'ingest', {
      podSelector: app('ingest'),
      ingress: [
        { from: [{ namespaceSelector: { matchExpressions: [{ key: TENANT_LABEL, operator: 'In', values: ['storefront', 'payments'] }] } }], ports: [{ port: 8080 }] },
        { from: [{ podSelector: app('spark-worker') }], ports: [{ port: 'kafka' }] },
      ],
    }),
    netpol('analytics', 'spark-worker', {
      podSelector: app('spark-worker'),
      ingress: [
        { from: [{ podSelector: app('dashboards') }], ports: [{ port: 10000 }] },
        { from: [{ podSelector: app('spark-worker') }], ports: [{ port: 7077 }] },
      ],
    }),
    netpol('analytics', 'dashboards', {
      podSelector: app('dashboards'),
      ingress: [{ from: [{ namespaceSelector: inNamespace('istio-system') }], ports: [{ port: 3000 }] }],
    }),
    netpol('sandbox-students', 'default-deny-ingress', { podSelector: {}, policyTypes: ['Ingress'] }),
    netpol('sandbox-students', 'hub-from-gateway', {
      podSelector: app('jupyterhub'),
      ingress: [{ from: [{ namespaceSelector: inNamespace('istio-system') }], ports: [{ port: 8000 }] }],
    }),
    netpol('sandbox-students', 'notebooks-from-hub', {
      podSelector: app('lab-notebook'),
      ingress: [{ from: [{ podSelector: app('jupyterhub') }], ports: [{ port: 'notebook' }] }],
    }),
  );

  // ---- RBAC
  add(
    clusterRole('cluster-admin', [{ apiGroups: ['*'], resources: ['*'], verbs: ['*'] }, { nonResourceURLs: ['*'], verbs: ['*'] }], BOOTSTRAP),
    clusterRoleBinding('cluster-admin', 'cluster-admin', [{ kind: 'Group', name: 'system:masters' }], BOOTSTRAP),
    clusterRole('tenant-edit', [
      { apiGroups: [''], resources: ['pods', 'services', 'configmaps', 'persistentvolumeclaims'], verbs: RW },
      { apiGroups: [''], resources: ['pods/log'], verbs: ['get'] },
      { apiGroups: ['apps'], resources: ['deployments', 'statefulsets', 'replicasets'], verbs: RW },
      { apiGroups: ['batch'], resources: ['jobs', 'cronjobs'], verbs: RW },
    ]),
    clusterRole('tenant-view', [
      { apiGroups: [''], resources: ['pods', 'services', 'configmaps', 'persistentvolumeclaims'], verbs: RO },
      { apiGroups: ['apps'], resources: ['deployments', 'statefulsets', 'replicasets'], verbs: RO },
    ]),
    clusterRole('secret-reader', [{ apiGroups: [''], resources: ['secrets'], verbs: RO }]),
    // The risky ones: a job's service account that reads every tenant's secrets, and a
    // whole group of teaching assistants holding cluster-admin.
    clusterRoleBinding('spark-secret-reader', 'secret-reader', [{ kind: 'ServiceAccount', name: 'spark', namespace: 'analytics' }]),
    clusterRoleBinding('teaching-assistants-admin', 'cluster-admin', [{ kind: 'Group', name: 'university:teaching-assistants' }]),
    clusterRole('system:coredns', [
      { apiGroups: [''], resources: ['endpoints', 'services', 'pods', 'namespaces'], verbs: ['list', 'watch'] },
      { apiGroups: ['discovery.k8s.io'], resources: ['endpointslices'], verbs: ['list', 'watch'] },
    ]),
    clusterRoleBinding('system:coredns', 'system:coredns', [{ kind: 'ServiceAccount', name: 'coredns', namespace: 'kube-system' }]),
    clusterRole('istiod-clusterrole-istio-system', [
      { apiGroups: ['security.istio.io', 'networking.istio.io'], resources: ['*'], verbs: RO },
      { apiGroups: [''], resources: ['pods', 'services', 'endpoints', 'namespaces', 'nodes'], verbs: RO },
      { apiGroups: ['admissionregistration.k8s.io'], resources: ['mutatingwebhookconfigurations'], verbs: ['get', 'list', 'watch', 'update', 'patch'] },
    ]),
    clusterRoleBinding('istiod-clusterrole-istio-system', 'istiod-clusterrole-istio-system', [{ kind: 'ServiceAccount', name: 'istiod', namespace: 'istio-system' }]),
    roleBinding('payments', 'payments-developers', { kind: 'ClusterRole', name: 'tenant-edit' }, [{ kind: 'Group', name: 'payments:developers' }]),
    roleBinding('payments', 'payments-ci', { kind: 'ClusterRole', name: 'tenant-edit' }, [{ kind: 'ServiceAccount', name: 'ci-deployer', namespace: 'payments' }]),
    roleBinding('payments', 'security-auditors', { kind: 'ClusterRole', name: 'tenant-view' }, [{ kind: 'Group', name: 'security:auditors' }]),
    role('payments', 'payment-service-config', [
      { apiGroups: [''], resources: ['configmaps'], resourceNames: ['payment-service-config'], verbs: ['get', 'watch'] },
      { apiGroups: [''], resources: ['secrets'], resourceNames: ['psp-api-key'], verbs: ['get'] },
    ]),
    roleBinding('payments', 'payment-service-config', { kind: 'Role', name: 'payment-service-config' }, [{ kind: 'ServiceAccount', name: 'payment-service', namespace: 'payments' }]),
    roleBinding('storefront', 'storefront-developers', { kind: 'ClusterRole', name: 'tenant-edit' }, [{ kind: 'Group', name: 'storefront:developers' }]),
    roleBinding('analytics', 'analytics-developers', { kind: 'ClusterRole', name: 'tenant-edit' }, [{ kind: 'Group', name: 'analytics:developers' }]),
    role('sandbox-students', 'student-workspace', [
      { apiGroups: [''], resources: ['pods', 'pods/exec', 'pods/log', 'services', 'configmaps'], verbs: RW },
      { apiGroups: ['apps'], resources: ['deployments', 'statefulsets'], verbs: RW },
    ]),
    roleBinding('sandbox-students', 'students', { kind: 'Role', name: 'student-workspace' }, [{ kind: 'Group', name: 'university:students' }]),
    role('sandbox-students', 'notebook-spawner', [
      { apiGroups: [''], resources: ['pods', 'persistentvolumeclaims'], verbs: ['get', 'list', 'watch', 'create', 'delete'] },
      { apiGroups: [''], resources: ['events'], verbs: RO },
    ]),
    roleBinding('sandbox-students', 'jupyterhub-spawner', { kind: 'Role', name: 'notebook-spawner' }, [{ kind: 'ServiceAccount', name: 'jupyterhub', namespace: 'sandbox-students' }]),
  );

  // ---- ResourceQuotas (status.used is the sim's to compute)
  add(
    quota('payments', { 'requests.cpu': '8', 'requests.memory': '16Gi', 'limits.cpu': '16', 'limits.memory': '32Gi', pods: '30' }),
    quota('storefront', { 'requests.cpu': '6', 'requests.memory': '12Gi', 'limits.cpu': '16', 'limits.memory': '24Gi', pods: '30' }),
    quota('analytics', { 'requests.cpu': '10', 'requests.memory': '32Gi', 'limits.cpu': '20', 'limits.memory': '48Gi', pods: '20' }),
    // Sized for the notebooks; the miner's limits fill it to the brim.
    quota('sandbox-students', { 'requests.cpu': '3', 'requests.memory': '4Gi', 'limits.cpu': '6', 'limits.memory': '6Gi', pods: '10' }),
  );

  // ---- Istio PeerAuthentications
  add(
    peerAuthentication('istio-system', 'default', { mtls: { mode: 'PERMISSIVE' } }),
    peerAuthentication('payments', 'default', { mtls: { mode: 'STRICT' } }),
    // The database speaks its own TLS and its replication tooling cannot go through Envoy.
    peerAuthentication('payments', 'postgres', { selector: { matchLabels: { app: 'postgres' } }, portLevelMtls: { '5432': { mode: 'DISABLE' } } }),
  );

  return { manifests, profiles };
}
