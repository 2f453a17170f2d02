// Sums flow observations per (source, destination, port, protocol, mTLS, verdict) and
// minute, so the console receives one record per distinct connection shape a minute.
import type { FlowEndpoint, FlowRecord } from '../protocol/messages';
import type { FlowObservation } from '../drivers/cluster-driver';

const endpointKey = (e: FlowEndpoint) => ('ip' in e ? `ip:${e.ip}` : `wl:${e.namespace}/${e.workload}`);

export class FlowAggregator {
  private readonly buckets = new Map<string, FlowRecord>();

  add(observations: Iterable<FlowObservation>): void {
    for (const o of observations) {
      const minute = new Date(Math.floor(o.time.getTime() / 60_000) * 60_000).toISOString();
      const key = [minute, endpointKey(o.source), endpointKey(o.destination), o.port, o.protocol, o.mtls, o.verdict].join('|');
      const bucket = this.buckets.get(key);
      if (bucket) {
        bucket.count += o.count;
        if (o.bytes !== undefined) bucket.bytes = (bucket.bytes ?? 0) + o.bytes;
      } else {
        this.buckets.set(key, { minute, source: o.source, destination: o.destination, port: o.port, protocol: o.protocol, mtls: o.mtls, verdict: o.verdict, count: o.count, ...(o.bytes !== undefined ? { bytes: o.bytes } : {}) });
      }
    }
  }

  get size(): number {
    return this.buckets.size;
  }

  /** Everything aggregated so far, in batches of at most `max` records; the aggregator is emptied. */
  drain(max: number): FlowRecord[][] {
    const all = [...this.buckets.values()];
    this.buckets.clear();
    const out: FlowRecord[][] = [];
    for (let i = 0; i < all.length; i += max) out.push(all.slice(i, i + max));
    return out;
  }
}
