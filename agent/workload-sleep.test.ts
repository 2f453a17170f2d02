import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SLEEP_ANNOTATION, applyMergePatch, dropEmptyAnnotations, planSleep, planWake } from './workload-sleep';

const NOW = new Date('2026-03-05T02:00:00Z');
const deployment = (replicas?: number, annotations?: Record<string, string>) => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'dashboards', namespace: 'analytics', resourceVersion: '41', labels: { app: 'dashboards' }, ...(annotations ? { annotations } : {}) },
  spec: { ...(replicas === undefined ? {} : { replicas }), selector: { matchLabels: { app: 'dashboards' } }, template: { metadata: { labels: { app: 'dashboards' } } } },
});

const patched = (live: object, plan: ReturnType<typeof planSleep>) => {
  if (plan.action !== 'patch') throw new Error(plan.message);
  const { apiVersion: _a, kind: _k, ...rest } = plan.patch;
  const { resourceVersion: _r, ...meta } = rest.metadata as Record<string, unknown>;
  const out = applyMergePatch(live, { ...rest, metadata: meta }) as ReturnType<typeof deployment>;
  // The API server omits an empty annotations map (omitempty), as dropEmptyAnnotations does.
  return dropEmptyAnnotations(out);
};

describe('workload sleep', () => {
  it('scales a Deployment to zero, keeping its replicas in the annotation, and wake restores exactly that', () => {
    const live = deployment(3);
    const sleep = planSleep('Deployment', live, NOW);
    expect(sleep).toMatchObject({ action: 'patch', state: { kind: 'Deployment', replicas: 3 }, resourceVersion: '41' });
    const asleep = patched(live, sleep);
    expect(asleep.spec.replicas).toBe(0);
    expect(JSON.parse(asleep.metadata.annotations![SLEEP_ANNOTATION]!)).toEqual({ kind: 'Deployment', replicas: 3, sleptAt: '2026-03-05T02:00:00.000Z' });
    expect(asleep.spec.template).toEqual(live.spec.template);
    const awake = patched(asleep, planWake('Deployment', asleep));
    expect(awake).toEqual(live);
  });

  it('treats an absent replicas as 1 and keeps other annotations', () => {
    const live = deployment(undefined, { owner: 'team-a' });
    const asleep = patched(live, planSleep('StatefulSet', live, NOW));
    expect(JSON.parse(asleep.metadata.annotations![SLEEP_ANNOTATION]!)).toMatchObject({ replicas: 1 });
    const awake = patched(asleep, planWake('StatefulSet', asleep));
    expect(awake.metadata.annotations).toEqual({ owner: 'team-a' });
    expect(awake.spec.replicas).toBe(1);
  });

  it('suspends a CronJob and restores its suspend flag', () => {
    const live = { apiVersion: 'batch/v1', kind: 'CronJob', metadata: { name: 'report', namespace: 'analytics', resourceVersion: '7' }, spec: { schedule: '0 * * * *', suspend: false } };
    const asleep = patched(live, planSleep('CronJob', live, NOW)) as unknown as typeof live & { metadata: { annotations: Record<string, string> } };
    expect(asleep.spec).toEqual({ schedule: '0 * * * *', suspend: true });
    expect(patched(asleep, planWake('CronJob', asleep))).toEqual(live);
  });

  it('does nothing twice: sleeping a sleeping workload or waking an awake one changes nothing', () => {
    const asleep = patched(deployment(2), planSleep('Deployment', deployment(2), NOW));
    expect(planSleep('Deployment', asleep, NOW)).toMatchObject({ action: 'none', state: { replicas: 2 } });
    expect(planWake('Deployment', deployment(2))).toMatchObject({ action: 'none', state: null });
  });

  it('refuses an annotation it did not write, or one for another kind', () => {
    expect(planWake('Deployment', deployment(0, { [SLEEP_ANNOTATION]: 'nope' }))).toMatchObject({ action: 'refuse' });
    expect(planWake('Deployment', deployment(0, { [SLEEP_ANNOTATION]: '{"kind":"Deployment","replicas":-1,"sleptAt":"x"}' }))).toMatchObject({ action: 'refuse' });
    expect(planWake('CronJob', deployment(0, { [SLEEP_ANNOTATION]: '{"kind":"Deployment","replicas":2,"sleptAt":"x"}' }))).toMatchObject({ action: 'refuse' });
  });

  it('wake after sleep restores any replica count exactly (property)', () => {
    fc.assert(
      fc.property(fc.option(fc.integer({ min: 0, max: 1000 }), { nil: undefined }), (replicas) => {
        const live = deployment(replicas);
        const asleep = patched(live, planSleep('Deployment', live, NOW));
        const awake = patched(asleep, planWake('Deployment', asleep));
        return awake.spec.replicas === (replicas ?? 1) && asleep.spec.replicas === 0 && awake.metadata.annotations === undefined;
      }),
    );
  });
});
