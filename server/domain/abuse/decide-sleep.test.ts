import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type SleepCandidate, decideSleep } from './decide-sleep';
import { AbuseSettings } from './thresholds';
import { CLUSTER, at, inbound, minutes, series } from './test-support';

const settings = AbuseSettings.parse({ sleep: { enabled: true, idleMinutes: 30, cpuBelowMillicores: 20 } }).sleep;
const candidate: SleepCandidate = { clusterId: CLUSTER, namespace: 'sandbox', workload: 'dashboards', ownerKind: 'Deployment', labels: { app: 'dashboards' }, replicas: 2 };
const idle = series('dashboards', minutes(40, 39, { cpuMillicores: 5 })).points;
const now = at(40);

describe('decideSleep', () => {
  it('sleeps a workload with no inbound flows and low CPU for the whole window, saying why and since when', () => {
    const d = decideSleep({ candidate, settings, usage: idle, inbound: [], now });
    expect(d).toEqual({ sleep: true, idleSince: at(10), reason: 'No inbound connections and CPU below 20 millicores (peak 5) for the last 30 minutes, since 2026-03-05 12:10 UTC.' });
  });

  it('never sleeps a workload that served traffic in the window', () => {
    const d = decideSleep({ candidate, settings, usage: idle, inbound: [inbound('dashboards', at(35), 1)], now });
    expect(d).toEqual({ sleep: false, reason: 'it served 1 inbound connection in the last 30 minutes' });
    // Traffic before the window does not keep it awake; denied attempts were never served.
    expect(decideSleep({ candidate, settings, usage: idle, inbound: [inbound('dashboards', at(5), 100)], now }).sleep).toBe(true);
    expect(decideSleep({ candidate, settings, usage: idle, inbound: [{ ...inbound('dashboards', at(35), 5), verdict: 'denied' }], now }).sleep).toBe(true);
  });

  it('refuses system namespaces, exempt workloads, CronJobs, sleeping workloads, busy CPU, missing reports, and tenants not opted in', () => {
    const no = (over: Partial<Parameters<typeof decideSleep>[0]>) => decideSleep({ candidate, settings, usage: idle, inbound: [], now, ...over });
    expect(no({ candidate: { ...candidate, namespace: 'kube-system' } })).toMatchObject({ sleep: false, reason: 'kube-system is a system namespace' });
    expect(no({ candidate: { ...candidate, namespace: 'kube-anything' } }).sleep).toBe(false);
    expect(no({ candidate: { ...candidate, labels: { 'verity.dev/sleep-exempt': 'true' } } })).toMatchObject({ reason: 'it carries the exemption label verity.dev/sleep-exempt' });
    expect(no({ candidate: { ...candidate, labels: { 'verity.dev/sleep-exempt': 'false' } } }).sleep).toBe(true);
    expect(no({ candidate: { ...candidate, ownerKind: 'CronJob' } }).sleep).toBe(false);
    expect(no({ candidate: { ...candidate, replicas: 0 } }).sleep).toBe(false);
    expect(no({ usage: series('dashboards', [...minutes(39, 38, { cpuMillicores: 5 }), { minute: at(39), cpuMillicores: 20 }]).points })).toMatchObject({ sleep: false });
    expect(no({ usage: idle.slice(20) })).toMatchObject({ reason: 'its usage reports do not cover the last 30 minutes without gaps' });
    expect(no({ usage: [...idle.slice(0, 20), ...idle.slice(26)] }).sleep).toBe(false);
    expect(no({ usage: [] }).sleep).toBe(false);
    expect(no({ settings: { ...settings, enabled: false } })).toMatchObject({ reason: 'activity-based sleep is not enabled for this tenant' });
  });

  it('never sleeps when any allowed inbound flow falls inside the window (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 10, max: 40 }), fc.integer({ min: 1, max: 1000 }), (minute, count) => {
        return decideSleep({ candidate, settings, usage: idle, inbound: [inbound('dashboards', at(minute), count)], now }).sleep === false;
      }),
    );
  });

  it('never sleeps a system namespace whatever the data (property)', () => {
    fc.assert(
      fc.property(fc.constantFrom('kube-system', 'kube-public', 'kube-node-lease', 'istio-system', 'default'), fc.array(fc.integer({ min: 0, max: 5 }), { minLength: 40, maxLength: 40 }), (ns, cpus) => {
        const usage = cpus.map((c, i) => ({ minute: at(i), cpuMillicores: c, cpuLimitMillicores: 100, memoryBytes: 1, replicas: 1 }));
        return decideSleep({ candidate: { ...candidate, namespace: ns }, settings, usage, inbound: [], now }).sleep === false;
      }),
    );
  });
});
