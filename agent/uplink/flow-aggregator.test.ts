import { describe, expect, it } from 'vitest';
import { FlowAggregator } from './flow-aggregator';

const o = (sec: number, extra: object = {}) => ({
  time: new Date(Date.UTC(2026, 10, 23, 10, 0, sec)),
  source: { namespace: 'a', workload: 'web' },
  destination: { namespace: 'b', workload: 'api' },
  port: 8080,
  protocol: 'TCP' as const,
  mtls: 'mutual' as const,
  verdict: 'allowed' as const,
  count: 1,
  ...extra,
});

describe('FlowAggregator', () => {
  it('sums one shape within a minute and keeps shapes and minutes apart', () => {
    const a = new FlowAggregator();
    a.add([o(1), o(30), o(59, { bytes: 10 }), o(61), o(2, { mtls: 'plaintext' }), o(3, { verdict: 'denied' }), o(4, { destination: { ip: '1.1.1.1' } })]);
    const [records] = a.drain(100);
    expect(records).toHaveLength(5);
    expect(records!.find((r) => r.minute === '2026-11-23T10:00:00.000Z' && r.mtls === 'mutual' && r.verdict === 'allowed' && 'namespace' in r.destination)).toMatchObject({ count: 3, bytes: 10 });
    expect(records!.find((r) => r.minute === '2026-11-23T10:01:00.000Z')).toMatchObject({ count: 1 });
    expect(a.size).toBe(0);
  });
  it('splits into batches of the given size', () => {
    const a = new FlowAggregator();
    a.add(Array.from({ length: 25 }, (_, i) => o(0, { port: 1000 + i })));
    expect(a.drain(10).map((b) => b.length)).toEqual([10, 10, 5]);
  });
});
