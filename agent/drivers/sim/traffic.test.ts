// Traffic obeys the NetworkPolicies and PeerAuthentications in force, before and after changes.
import { describe, expect, it } from 'vitest';
import type { FlowObservation } from '../cluster-driver';
import { FIELD_MANAGER } from '../cluster-driver';
import { FlowRecord } from '../../protocol/messages';
import { createSimDriver } from './sim-driver';
import { edge, manualClock, manualScheduler, on } from './sim-test-support';

const DAY = '2025-03-04T14:00:00Z';
const NIGHT = '2025-03-05T02:30:00Z';

function setup(start = DAY) {
  const clock = manualClock(start);
  const timers = manualScheduler();
  const driver = createSimDriver({ seed: 'traffic', now: clock.now, schedule: timers.schedule });
  return { clock, timers, driver };
}

/** Observations over a minute of ticks, so that bursty and rare edges show up. */
function minuteOf(driver: ReturnType<typeof setup>['driver'], start: Date): FlowObservation[] {
  const out: FlowObservation[] = [];
  for (let i = 0; i < 30; i++) out.push(...driver.flowsAt(new Date(start.getTime() + i * 2_000)));
  return out;
}

const verdicts = (obs: FlowObservation[]) => [...new Set(obs.map((o) => o.verdict))].sort();
const mtls = (obs: FlowObservation[]) => [...new Set(obs.map((o) => o.mtls))].sort();

const quarantine = {
  apiVersion: 'networking.k8s.io/v1',
  kind: 'NetworkPolicy',
  metadata: { name: 'quarantine-cuda-trainer', namespace: 'sandbox-students' },
  spec: { podSelector: { matchLabels: { app: 'cuda-trainer' } }, policyTypes: ['Egress'] },
};
const MINER_POOL = 'sandbox-students/cuda-trainer -> 198.51.100.23:3333/TCP';

describe('sim traffic', () => {
  it('emits aggregated counts per edge with times from the clock', () => {
    const { driver, clock } = setup();
    const obs = driver.flowsAt(clock.now());
    expect(obs.length).toBeGreaterThan(30);
    for (const o of obs) {
      expect(o.time.toISOString()).toBe(DAY.replace('Z', '.000Z'));
      expect(Number.isInteger(o.count) && o.count >= 1).toBe(true);
    }
    expect(obs.some((o) => o.count > 1)).toBe(true);
    // Each observation becomes a valid protocol record once the agent buckets it by minute.
    for (const { time, ...rest } of obs) expect(() => FlowRecord.parse({ ...rest, minute: time.toISOString() })).not.toThrow();
  });

  it('allows the payments call path and denies cross-tenant attempts, by the policies in force', () => {
    const { driver, clock } = setup();
    const obs = minuteOf(driver, clock.now());
    expect(verdicts(on(obs, 'payments/frontend -> payments/order-service:8080/TCP'))).toEqual(['allowed']);
    expect(verdicts(on(obs, 'payments/order-service -> payments/payment-service:8443/TCP'))).toEqual(['allowed']);
    expect(verdicts(on(obs, 'payments/payment-service -> payments/postgres:5432/TCP'))).toEqual(['allowed']);
    expect(verdicts(on(obs, 'payments/frontend -> kube-system/coredns:53/UDP'))).toEqual(['allowed']);
    expect(verdicts(on(obs, 'analytics/ingest -> payments/payment-service:8443/TCP'))).toEqual(['denied']);
    expect(verdicts(on(obs, 'analytics/spark-worker -> payments/postgres:5432/TCP'))).toEqual(['denied']);
    expect(verdicts(on(obs, 'sandbox-students/cuda-trainer -> payments/postgres:5432/TCP'))).toEqual(['denied']);
    // storefront has no policies at all.
    expect(verdicts(on(obs, 'storefront/web -> 203.0.113.50:443/TCP'))).toEqual(['allowed']);
    expect(verdicts(on(obs, MINER_POOL))).toEqual(['allowed']);
  });

  it('marks mTLS from the PeerAuthentication modes and sidecars', () => {
    const { driver, clock } = setup();
    const obs = minuteOf(driver, clock.now());
    expect(mtls(on(obs, 'payments/frontend -> payments/order-service:8080/TCP'))).toEqual(['mutual']);
    expect(mtls(on(obs, 'istio-system/istio-ingressgateway -> payments/frontend:8080/TCP'))).toEqual(['mutual']);
    // portLevelMtls DISABLE on 5432
    expect(mtls(on(obs, 'payments/payment-service -> payments/postgres:5432/TCP'))).toEqual(['plaintext']);
    // STRICT payments drops plaintext from the scraper outside the mesh, though policy allows it.
    expect(on(obs, 'analytics/dashboards -> payments/order-service:9090/TCP').map((o) => [o.mtls, o.verdict])[0]).toEqual(['plaintext', 'dropped']);
    // checkout's pod without a sidecar is dropped by STRICT, the others get through with mTLS.
    const checkoutToPayments = on(obs, 'storefront/checkout -> payments/payment-service:8443/TCP');
    expect(new Set(checkoutToPayments.map((o) => `${o.mtls}/${o.verdict}`))).toEqual(new Set(['mutual/allowed', 'plaintext/dropped']));
    // A mixed edge: one destination, one port, both mTLS and plaintext connections allowed.
    const allowedByEdge = new Map<string, Set<string>>();
    for (const o of obs.filter((x) => x.verdict === 'allowed')) allowedByEdge.set(edge(o), (allowedByEdge.get(edge(o)) ?? new Set()).add(o.mtls));
    const mixed = [...allowedByEdge].filter(([, states]) => states.has('mutual') && states.has('plaintext')).map(([k]) => k);
    expect(mixed).toContain('storefront/web -> storefront/checkout:8080/TCP');
    // ... and a destination reached with mTLS by some sources and in plaintext by others.
    const intoCatalog = obs.filter((o) => edge(o).includes('-> storefront/catalog:8080') && o.verdict === 'allowed');
    expect(mtls(intoCatalog)).toEqual(['mutual', 'plaintext']);
    expect(mtls(on(obs, 'analytics/spark-worker -> storefront/catalog:8080/TCP'))).toEqual(['plaintext']);
  });

  it('follows PeerAuthentication changes applied through execute', async () => {
    const { driver, clock } = setup();
    const scrape = 'analytics/dashboards -> payments/order-service:9090/TCP';
    const result = await driver.execute(
      { action: 'delete', ref: { apiVersion: 'security.istio.io/v1', kind: 'PeerAuthentication', namespace: 'payments', name: 'default' }, expectedResourceVersion: null },
      { dryRun: false, fieldManager: FIELD_MANAGER },
    );
    expect(result.outcome).toBe('deleted');
    const obs = minuteOf(driver, clock.now());
    expect(on(obs, scrape).map((o) => [o.mtls, o.verdict])[0]).toEqual(['plaintext', 'allowed']);

    await driver.execute(
      { action: 'apply', object: { apiVersion: 'security.istio.io/v1', kind: 'PeerAuthentication', metadata: { name: 'default', namespace: 'storefront' }, spec: { mtls: { mode: 'STRICT' } } }, expectedResourceVersion: null },
      { dryRun: false, fieldManager: FIELD_MANAGER },
    );
    const after = minuteOf(driver, clock.now());
    // checkout's pod without a sidecar can no longer reach catalog; its other pods still can.
    const checkoutToCatalog = on(after, 'storefront/checkout -> storefront/catalog:8080/TCP');
    expect(new Set(checkoutToCatalog.map((o) => `${o.mtls}/${o.verdict}`))).toEqual(new Set(['mutual/allowed', 'plaintext/dropped']));
    // Into checkout's pod without a sidecar nothing enforces STRICT: plaintext still arrives.
    const intoCheckout = on(after, 'storefront/web -> storefront/checkout:8080/TCP');
    expect(new Set(intoCheckout.map((o) => `${o.mtls}/${o.verdict}`))).toEqual(new Set(['mutual/allowed', 'plaintext/allowed']));
    expect(on(after, 'analytics/spark-worker -> storefront/catalog:8080/TCP').map((o) => o.verdict)).toContain('dropped');
  });

  it('denies the miner once a quarantine policy is applied, and not after a dry run', async () => {
    const { driver, clock } = setup();
    const before = await driver.snapshot();
    const dry = await driver.execute({ action: 'apply', object: quarantine, expectedResourceVersion: null }, { dryRun: true, fieldManager: FIELD_MANAGER });
    expect(dry.outcome).toBe('applied');
    expect(dry.object).toMatchObject({ kind: 'NetworkPolicy', spec: quarantine.spec });
    expect(await driver.snapshot()).toEqual(before);
    clock.advance(2_000);
    expect(verdicts(on(minuteOf(driver, clock.now()), MINER_POOL))).toEqual(['allowed']);

    const applied = await driver.execute({ action: 'apply', object: quarantine, expectedResourceVersion: null }, { dryRun: false, fieldManager: FIELD_MANAGER });
    expect(applied.outcome).toBe('applied');
    clock.advance(2_000);
    const obs = minuteOf(driver, clock.now());
    expect(verdicts(on(obs, MINER_POOL))).toEqual(['denied']);
    expect(verdicts(on(obs, 'sandbox-students/cuda-trainer -> kube-system/coredns:53/UDP'))).toEqual(['denied']);
    // Other sandbox workloads are untouched.
    expect(verdicts(on(obs, 'sandbox-students/lab-notebooks -> kube-system/coredns:53/UDP'))).toEqual(['allowed']);
  });

  it('goes quiet at night for the idle-at-night dashboards, and busier by day', () => {
    const day = setup(DAY);
    const night = setup(NIGHT);
    const total = (obs: FlowObservation[], key: string) => on(obs, key).reduce((n, o) => n + o.count, 0);
    const dayObs = minuteOf(day.driver, day.clock.now());
    const nightObs = minuteOf(night.driver, night.clock.now());
    expect(total(dayObs, 'istio-system/istio-ingressgateway -> analytics/dashboards:3000/TCP')).toBeGreaterThan(0);
    expect(total(nightObs, 'istio-system/istio-ingressgateway -> analytics/dashboards:3000/TCP')).toBe(0);
    expect(total(nightObs, 'analytics/dashboards -> analytics/spark-worker:10000/TCP')).toBe(0);
    const storefront = 'istio-system/istio-ingressgateway -> storefront/web:8080/TCP';
    expect(total(dayObs, storefront)).toBeGreaterThan(3 * total(nightObs, storefront));
    // The miner does not sleep.
    expect(total(nightObs, MINER_POOL)).toBeGreaterThan(0);
  });
});
