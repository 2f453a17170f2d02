import { describe, expect, it } from 'vitest';
import { deriveWorkloads, type OwnerIndex, type PodLike } from './derive-workloads';
import { fieldsDroppedBySerializer } from './object-client';

const noOwners: OwnerIndex = { replicaSets: new Map(), jobs: new Map() };

function pod(name: string, extra: Partial<PodLike['metadata']> = {}, status: PodLike['status'] = { phase: 'Running', podIP: `10.1.0.${name.length}` }): PodLike {
  return { metadata: { name, namespace: 'ns', ...extra }, spec: { containers: [] }, status };
}

describe('deriveWorkloads', () => {
  it('keeps an unowned ReplicaSet or Job as the owner, and an ownerless pod as a Pod', () => {
    const w = deriveWorkloads(
      [
        pod('a-1', { ownerReferences: [{ kind: 'ReplicaSet', name: 'a', controller: true }] }),
        pod('b-1', { ownerReferences: [{ kind: 'Job', name: 'b' }] }),
        pod('solo'),
        pod('db-0', { ownerReferences: [{ kind: 'StatefulSet', name: 'db', controller: true }] }),
      ],
      { replicaSets: new Map([['ns/a', null]]), jobs: new Map() },
    );
    expect(w.map((x) => `${x.ownerKind}/${x.name}`)).toEqual(['ReplicaSet/a', 'Job/b', 'StatefulSet/db', 'Pod/solo']);
  });

  it('uses the labels common to all pods and never per-pod ones', () => {
    const owner = { ownerReferences: [{ kind: 'StatefulSet', name: 'db', controller: true }] };
    const [w] = deriveWorkloads(
      [
        pod('db-0', { ...owner, labels: { app: 'db', 'statefulset.kubernetes.io/pod-name': 'db-0', 'controller-revision-hash': 'x', shard: '0' } }),
        pod('db-1', { ...owner, labels: { app: 'db', 'statefulset.kubernetes.io/pod-name': 'db-1', 'controller-revision-hash': 'x', shard: '1' } }),
      ],
      noOwners,
    );
    expect(w!.labels).toEqual({ app: 'db' });
  });

  it('does not count finished pods as replicas nor keep their IPs', () => {
    const owner = { ownerReferences: [{ kind: 'Job', name: 'j' }] };
    const [w] = deriveWorkloads([pod('j-1', owner, { phase: 'Succeeded', podIP: '10.9.9.9' }), pod('j-2', owner, { phase: 'Running', podIP: '10.9.9.8', conditions: [{ type: 'Ready', status: 'True' }] })], noOwners);
    expect(w).toMatchObject({ replicas: 1, readyReplicas: 1, ips: ['10.9.9.8'] });
  });
});

describe('fieldsDroppedBySerializer', () => {
  it('finds nothing to drop in the objects Verity applies', () => {
    const objects = [
      {
        apiVersion: 'networking.k8s.io/v1',
        kind: 'NetworkPolicy',
        metadata: { name: 'p', namespace: 'n', labels: { a: 'b' }, annotations: { x: 'y' }, resourceVersion: '5' },
        spec: {
          podSelector: { matchExpressions: [{ key: 'app', operator: 'In', values: ['a'] }] },
          policyTypes: ['Ingress', 'Egress'],
          ingress: [{ from: [{ namespaceSelector: { matchLabels: { t: 'x' } }, podSelector: {} }, { ipBlock: { cidr: '10.0.0.0/8', except: ['10.1.0.0/16'] } }], ports: [{ protocol: 'TCP', port: 'http', endPort: 9000 }] }],
          egress: [{ to: [], ports: [{ port: 53, protocol: 'UDP' }] }],
        },
      },
      { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'r' }, rules: [{ nonResourceURLs: ['/healthz'], verbs: ['get'] }, { apiGroups: [''], resources: ['pods/log'], resourceNames: ['x'], verbs: ['*'] }], aggregationRule: { clusterRoleSelectors: [{ matchLabels: { agg: 'true' } }] } },
      { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding', metadata: { name: 'b', namespace: 'n' }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'r' }, subjects: [{ kind: 'ServiceAccount', name: 's', namespace: 'n' }] },
      { apiVersion: 'v1', kind: 'ResourceQuota', metadata: { name: 'q', namespace: 'n' }, spec: { hard: { 'requests.cpu': '4', pods: '10' } } },
      { apiVersion: 'security.istio.io/v1', kind: 'PeerAuthentication', metadata: { name: 'default', namespace: 'n' }, spec: { mtls: { mode: 'STRICT' }, portLevelMtls: { '8080': { mode: 'PERMISSIVE' } } } },
    ];
    for (const o of objects) expect(fieldsDroppedBySerializer(o)).toEqual([]);
  });

  it('names the fields the typed model would drop', () => {
    expect(fieldsDroppedBySerializer({ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata: { name: 'r', namespace: 'n' }, rules: [{ verbs: ['get'], resouces: ['pods'] }] })).toEqual(['rules[0].resouces']);
  });
});
