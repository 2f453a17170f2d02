import { describe, expect, it } from 'vitest';
import { NetpolEngine } from '../netpol';
import { readNetworkPolicy } from '../netpol/validate-policy';
import { quarantinePolicy, quarantinePolicyName, squeezeQuota } from './responses';

describe('quarantinePolicy', () => {
  const miner = { namespace: 'sandbox-students', workload: 'cuda-trainer', labels: { app: 'cuda-trainer', course: 'ml-101', 'security.istio.io/tlsMode': 'istio' } };

  it('is a valid NetworkPolicy that denies every egress of the workload and nothing else', () => {
    const policy = quarantinePolicy(miner, 'mining');
    const read = readNetworkPolicy(policy);
    expect(read.problems.filter((p) => p.severity === 'error')).toEqual([]);
    expect(policy.spec).toEqual({ podSelector: { matchLabels: { app: 'cuda-trainer', course: 'ml-101' } }, policyTypes: ['Egress'], egress: [] });
    const engine = new NetpolEngine({
      namespaces: [{ name: 'sandbox-students', labels: {} }],
      members: [
        { namespace: 'sandbox-students', name: 'cuda-trainer', labels: miner.labels, ips: ['10.0.0.5'], ports: [] },
        { namespace: 'sandbox-students', name: 'jupyterhub', labels: { app: 'jupyterhub', course: 'ml-101' }, ips: ['10.0.0.6'], ports: [{ port: 8000, protocol: 'TCP' }] },
      ],
      policies: [read.policy!],
    });
    expect(engine.allows({ source: { member: 0 }, destination: { ip: '198.51.100.23' }, port: 3333, protocol: 'TCP' })).toBe(false);
    expect(engine.allows({ source: { member: 0 }, destination: { member: 1 }, port: 8000, protocol: 'TCP' })).toBe(false);
    // Its neighbours are untouched, and may still reach it.
    expect(engine.allows({ source: { member: 1 }, destination: { ip: '198.51.100.23' }, port: 3333, protocol: 'TCP' })).toBe(true);
  });

  it('refuses a workload without labels rather than quarantining the namespace, and keeps names within 63 characters', () => {
    expect(() => quarantinePolicy({ namespace: 'x', workload: 'y', labels: {} }, 'r')).toThrow(/whole namespace/);
    expect(quarantinePolicyName('a'.repeat(80))).toHaveLength(63);
  });
});

describe('squeezeQuota', () => {
  const quota = { metadata: { name: 'compute', namespace: 'sandbox' }, spec: { hard: { 'limits.cpu': '8', 'requests.memory': '3Gi', pods: '20', 'requests.cpu': '1500m' } } };

  it('lowers CPU and memory ceilings exactly and leaves the rest', () => {
    const s = squeezeQuota(quota, 50)!;
    expect(s.object).toEqual({ apiVersion: 'v1', kind: 'ResourceQuota', metadata: { name: 'compute', namespace: 'sandbox' }, spec: { hard: { 'limits.cpu': '4', 'requests.memory': '1536Mi', pods: '20', 'requests.cpu': '750m' } } });
    expect(s.changes).toContain('limits.cpu 8 → 4');
  });

  it('rounds down to whole millicores and bytes, and has nothing to squeeze without CPU or memory', () => {
    expect((squeezeQuota({ spec: { hard: { 'limits.cpu': '1m' } } }, 50)!.object.spec as { hard: Record<string, string> }).hard['limits.cpu']).toBe('0');
    expect(squeezeQuota({ spec: { hard: { pods: '10' } } }, 50)).toBeNull();
    expect(() => squeezeQuota(quota, 100)).toThrow(/1 to 99/);
  });
});
