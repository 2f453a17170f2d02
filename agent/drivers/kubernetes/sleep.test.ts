// Sleep and wake through the kubernetes driver against the fake API server: what goes on
// the wire (a JSON merge patch with the resourceVersion as precondition), what the object
// holds afterwards, and a refusal when the object moved.
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import canonicalize from 'canonicalize';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { executeCommand } from '../../command-executor';
import type { CommandBundle, CommandResult, SleepTarget } from '../../protocol/messages';
import { signBundle } from '../../protocol/request-signing';
import { SLEEP_ANNOTATION } from '../../workload-sleep';
import type { ClusterDriver } from '../cluster-driver';
import { createKubernetesDriver } from './kubernetes-driver';
import { DEFAULT_RESOURCES, FakeKubeApiServer } from './testing/fake-api-server';

const key = generateKeyPairSync('ed25519');
const CLUSTER = '11111111-1111-4111-8111-111111111111';
const RESOURCES = [
  ...DEFAULT_RESOURCES,
  { apiVersion: 'apps/v1', kind: 'StatefulSet', plural: 'statefulsets', namespaced: true },
  { apiVersion: 'batch/v1', kind: 'CronJob', plural: 'cronjobs', namespaced: true },
];

let server: FakeKubeApiServer;
let driver: ClusterDriver;

beforeEach(async () => {
  server = await new FakeKubeApiServer(RESOURCES).start();
  server.put({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'analytics' } });
  server.put({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'dashboards', namespace: 'analytics', annotations: { owner: 'bi-team' } },
    spec: { replicas: 3, selector: { matchLabels: { app: 'dashboards' } }, template: { metadata: { labels: { app: 'dashboards' } }, spec: { containers: [{ name: 'grafana', image: 'grafana:11' }] } } },
  });
  server.put({ apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { name: 'spark', namespace: 'analytics' }, spec: { selector: { matchLabels: { app: 'spark' } }, template: { metadata: { labels: { app: 'spark' } } } } });
  server.put({ apiVersion: 'batch/v1', kind: 'CronJob', metadata: { name: 'report', namespace: 'analytics' }, spec: { schedule: '0 3 * * *', suspend: false, jobTemplate: {} } });
  driver = createKubernetesDriver({ kubeconfigPath: server.writeKubeconfig() });
});
afterEach(async () => {
  await driver.close();
  await server.close();
});

function run(type: 'sleep' | 'wake', targets: SleepTarget[]): Promise<CommandResult | null> {
  const bundle: CommandBundle = { version: 1, commandId: randomUUID(), type, targets, changeId: null, clusterId: CLUSTER, issuedAt: new Date().toISOString(), operations: [], approvalsDigest: null, approvals: [] };
  const text = canonicalize(bundle)!;
  return executeCommand(
    { bundle: text, signature: signBundle(key.privateKey, text) },
    { consoleSigningKey: key.publicKey.export({ type: 'spki', format: 'pem' }).toString(), clusterId: CLUSTER, driver, remembered: () => null, remember: () => {}, log: () => {}, now: () => new Date('2026-03-05T02:00:00Z') },
  );
}

describe('sleep and wake on the kubernetes driver', () => {
  it('merge-patches replicas to zero with the original in the annotation, conditional on the resourceVersion, and wake restores it', async () => {
    const before = structuredClone(server.get('apps/v1', 'Deployment', 'analytics', 'dashboards')!);
    const r = await run('sleep', [{ kind: 'Deployment', namespace: 'analytics', name: 'dashboards' }]);
    expect(r).toMatchObject({ status: 'applied', results: [{ outcome: 'applied', auditId: expect.any(String) }] });
    const patch = server.requests.find((q) => q.method === 'PATCH')!;
    expect(patch.headers['content-type']).toBe('application/merge-patch+json');
    expect(patch.query.fieldManager).toBe('verity-agent');
    expect(JSON.parse(patch.body)).toEqual({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'dashboards', namespace: 'analytics', resourceVersion: before.metadata.resourceVersion, annotations: { [SLEEP_ANNOTATION]: '{"kind":"Deployment","replicas":3,"sleptAt":"2026-03-05T02:00:00.000Z"}' } },
      spec: { replicas: 0 },
    });
    const asleep = server.get('apps/v1', 'Deployment', 'analytics', 'dashboards')!;
    expect((asleep.spec as { replicas: number }).replicas).toBe(0);
    expect(asleep.metadata.annotations).toMatchObject({ owner: 'bi-team' });

    expect(await run('wake', [{ kind: 'Deployment', namespace: 'analytics', name: 'dashboards' }])).toMatchObject({ status: 'applied' });
    const awake = server.get('apps/v1', 'Deployment', 'analytics', 'dashboards')!;
    expect(awake.spec).toEqual(before.spec);
    expect(awake.metadata.annotations).toEqual({ owner: 'bi-team' });
  });

  it('sleeps a StatefulSet without replicas as 1 and suspends a CronJob, both restored by wake', async () => {
    const targets: SleepTarget[] = [
      { kind: 'StatefulSet', namespace: 'analytics', name: 'spark' },
      { kind: 'CronJob', namespace: 'analytics', name: 'report' },
    ];
    expect(await run('sleep', targets)).toMatchObject({ status: 'applied', results: [{ outcome: 'applied' }, { outcome: 'applied' }] });
    expect(server.get('apps/v1', 'StatefulSet', 'analytics', 'spark')!.spec).toMatchObject({ replicas: 0 });
    expect(server.get('batch/v1', 'CronJob', 'analytics', 'report')!.spec).toMatchObject({ suspend: true });
    expect(await run('wake', targets)).toMatchObject({ status: 'applied' });
    expect(server.get('apps/v1', 'StatefulSet', 'analytics', 'spark')!.spec).toMatchObject({ replicas: 1 });
    expect(server.get('batch/v1', 'CronJob', 'analytics', 'report')!.spec).toMatchObject({ suspend: false });
    expect(server.get('batch/v1', 'CronJob', 'analytics', 'report')!.metadata.annotations).toBeUndefined();
  });

  it('reports a conflict when the object moved between the read and the patch, changing nothing', async () => {
    server.failNext('PATCH', '/deployments/dashboards', 409, 'Conflict', 'the object has been modified');
    const r = await run('sleep', [{ kind: 'Deployment', namespace: 'analytics', name: 'dashboards' }]);
    expect(r).toMatchObject({ status: 'failed', results: [{ outcome: 'failed', message: expect.stringContaining('modified') }] });
    expect((server.get('apps/v1', 'Deployment', 'analytics', 'dashboards')!.spec as { replicas: number }).replicas).toBe(3);
  });

  it('fails a target that does not exist', async () => {
    expect(await run('sleep', [{ kind: 'Deployment', namespace: 'analytics', name: 'nope' }])).toMatchObject({ status: 'failed', message: expect.stringContaining('not found') });
  });
});
