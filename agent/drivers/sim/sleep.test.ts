// Sleep and wake through the agent's command path on the simulated cluster: signed
// commands, the annotation on the object, traffic and usage that follow, exact restore.
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import canonicalize from 'canonicalize';
import { describe, expect, it } from 'vitest';
import { executeCommand } from '../../command-executor';
import type { CommandBundle, CommandResult, SleepTarget } from '../../protocol/messages';
import { signBundle } from '../../protocol/request-signing';
import { SLEEP_ANNOTATION } from '../../workload-sleep';
import { createSimDriver } from './sim-driver';
import { manualClock, manualScheduler, on } from './sim-test-support';

const key = generateKeyPairSync('ed25519');
const CLUSTER = '11111111-1111-4111-8111-111111111111';
const DAY = '2025-03-05T14:00:00Z';

function setup() {
  const clock = manualClock(DAY);
  const driver = createSimDriver({ seed: 7, now: clock.now, schedule: manualScheduler().schedule });
  const store = new Map<string, CommandResult>();
  const run = (type: 'sleep' | 'wake', targets: SleepTarget[]) => {
    const bundle: CommandBundle = { version: 1, commandId: randomUUID(), type, targets, changeId: null, clusterId: CLUSTER, issuedAt: clock.now().toISOString(), operations: [], approvalsDigest: null, approvals: [] };
    const text = canonicalize(bundle)!;
    return executeCommand(
      { bundle: text, signature: signBundle(key.privateKey, text) },
      { consoleSigningKey: key.publicKey.export({ type: 'spki', format: 'pem' }).toString(), clusterId: CLUSTER, driver, remembered: (id) => store.get(id) ?? null, remember: (r) => void store.set(r.commandId, r), log: () => {}, now: clock.now },
    );
  };
  return { clock, driver, run };
}

const dashboards: SleepTarget = { kind: 'Deployment', namespace: 'analytics', name: 'dashboards' };
const ref = { apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'analytics', name: 'dashboards' };
const INTO_DASHBOARDS = 'istio-system/istio-ingressgateway -> analytics/dashboards:3000/TCP';

describe('sleep and wake on the sim driver', () => {
  it('scales to zero with the replicas kept on the object; traffic and usage stop; wake restores exactly', async () => {
    const { driver, run, clock } = setup();
    const before = (await driver.readObject!(ref))!;
    const replicas = (before.spec as { replicas: number }).replicas;
    expect(replicas).toBeGreaterThan(0);
    expect(on(driver.flowsAt(clock.now()), INTO_DASHBOARDS).length).toBeGreaterThan(0);

    const slept = await run('sleep', [dashboards]);
    expect(slept).toMatchObject({ status: 'applied', results: [{ outcome: 'applied' }] });
    const asleep = (await driver.readObject!(ref))! as { spec: { replicas: number }; metadata: { annotations: Record<string, string> } };
    expect(asleep.spec.replicas).toBe(0);
    expect(JSON.parse(asleep.metadata.annotations[SLEEP_ANNOTATION]!)).toMatchObject({ kind: 'Deployment', replicas });
    // No pods: nothing reaches it, and it uses nothing.
    expect(on(driver.flowsAt(clock.now()), INTO_DASHBOARDS)).toEqual([]);
    expect(driver.usage().find((u) => u.workload === 'dashboards')).toMatchObject({ replicas: 0, cpuMillicores: 0 });
    const workload = (await driver.snapshot()).find((i) => i.kind === 'Workload' && i.name === 'dashboards')!;
    expect(workload.object).toMatchObject({ replicas: 0, ips: [] });

    // The autoscaler does not bring an autoscaled workload back while it sleeps.
    const frontend = { apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'payments', name: 'frontend' };
    expect(await run('sleep', [{ kind: 'Deployment', namespace: 'payments', name: 'frontend' }])).toMatchObject({ status: 'applied' });
    clock.advance(6 * 3_600_000);
    driver.tick();
    expect(((await driver.readObject!(frontend))!.spec as { replicas: number }).replicas).toBe(0);

    // Sleeping twice changes nothing.
    expect(await run('sleep', [dashboards])).toMatchObject({ status: 'applied', results: [{ outcome: 'unchanged' }] });

    const woke = await run('wake', [dashboards]);
    expect(woke).toMatchObject({ status: 'applied', results: [{ outcome: 'applied' }] });
    const awake = (await driver.readObject!(ref))! as { spec: unknown; metadata: { annotations?: Record<string, string> } };
    expect(awake.spec).toEqual(before.spec);
    expect(awake.metadata.annotations ?? {}).not.toHaveProperty(SLEEP_ANNOTATION);
    expect(on(driver.flowsAt(clock.now()), INTO_DASHBOARDS).length).toBeGreaterThan(0);
  });

  it('fails a target that does not exist or a wake of a workload that is not asleep, naming it', async () => {
    const { run } = setup();
    expect(await run('sleep', [{ kind: 'Deployment', namespace: 'analytics', name: 'nope' }])).toMatchObject({ status: 'failed', message: expect.stringContaining('analytics/nope') });
    expect(await run('wake', [dashboards])).toMatchObject({ status: 'applied', results: [{ outcome: 'unchanged', message: expect.stringContaining('not asleep') }] });
  });

  it('refuses a sleep command without targets', async () => {
    const { run } = setup();
    expect(await run('sleep', [])).toMatchObject({ status: 'refused' });
  });
});
