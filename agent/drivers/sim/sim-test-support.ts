// Helpers the sim's tests share: a clock that moves only when told, a scheduler that fires
// only when told, and short names for flow endpoints.
import type { FlowObservation } from '../cluster-driver';
import type { FlowEndpoint } from '../../protocol/messages';
import type { Scheduler } from './sim-driver';

export function manualClock(start: string) {
  let t = Date.parse(start);
  return {
    now: () => new Date(t),
    advance(ms: number) {
      t += ms;
    },
  };
}

export function manualScheduler() {
  const timers = new Set<{ fn: () => void; ms: number }>();
  const schedule: Scheduler = (fn, ms) => {
    const timer = { fn, ms };
    timers.add(timer);
    return () => timers.delete(timer);
  };
  return {
    schedule,
    fire: () => [...timers].forEach((t) => t.fn()),
    periods: () => [...timers].map((t) => t.ms),
    get active() {
      return timers.size;
    },
  };
}

export function endpointName(e: FlowEndpoint): string {
  return 'ip' in e ? e.ip : `${e.namespace}/${e.workload}`;
}

export function edge(o: FlowObservation): string {
  return `${endpointName(o.source)} -> ${endpointName(o.destination)}:${o.port}/${o.protocol}`;
}

/** Observations of one edge, e.g. `analytics/ingest -> payments/payment-service:8443/TCP`. */
export function on(observations: FlowObservation[], key: string): FlowObservation[] {
  return observations.filter((o) => edge(o) === key);
}
