import { describe, expect, it } from 'vitest';
import { deriveWorkloads, type OwnerIndex, type PodLike } from './derive-workloads';
import { fieldsDroppedBySerializer } from './object-client';
import { sumResourceMaps } from '../../../server/domain/quotas/quantity';

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

describe('quantities', () => {
  it('sums container resources exactly with the shared quantity module', () => {
    expect(sumResourceMaps([{ cpu: '250m', memory: '128Mi' }, { cpu: '100m', memory: '64Mi' }])).toEqual({ cpu: '350m', memory: '192Mi' });
    expect(sumResourceMaps([{ cpu: '1' }, { cpu: '500m' }])).toEqual({ cpu: '1500m' });
    expect(sumResourceMaps([{ memory: '1Gi' }, { memory: '512Mi' }])).toEqual({ memory: '1536Mi' });
    expect(sumResourceMaps([{ cpu: '1.5' }, { 'nvidia.com/gpu': '1' }])).toEqual({ cpu: '1500m', 'nvidia.com/gpu': '1' });
  });
});
